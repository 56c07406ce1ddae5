"""Early rejection (issue 11, item 15): a picture's pixels are counted from its header before it is decoded,
an oversize body is answered 413 from its Content-Length before it is read, and a blocked address gets 429
before the body of its public form is parsed."""

import io
import struct
import zlib

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.handlers.wsgi import WSGIHandler
from django.core.signals import request_finished, request_started
from django.db import close_old_connections
from django.test import Client, RequestFactory
from PIL import Image, ImageFile

from fanguai.clues import abuse
from fanguai.core.errors import ValidationFailed
from fanguai.files.inspection import inspect_upload

from .clues.helpers import report_data

MIB = 1024 * 1024


def _png(width: int, height: int) -> bytes:
    out = io.BytesIO()
    Image.new("1", (width, height)).save(out, format="PNG")
    return out.getvalue()


def _claiming(png: bytes, width: int, height: int) -> bytes:
    """The PNG with its IHDR header claiming other dimensions (CRC recomputed): a few hundred bytes that
    say "decode me into width x height pixels"."""
    assert png[12:16] == b"IHDR"
    ihdr = b"IHDR" + struct.pack(">II", width, height) + png[24:29]
    return png[:12] + ihdr + struct.pack(">I", zlib.crc32(ihdr)) + png[33:]


@pytest.fixture
def no_decoding(monkeypatch):
    """Any attempt to decode pixel data fails the test (it would not be caught as an unreadable image)."""

    def load(self):
        raise AssertionError("the picture was decoded")

    monkeypatch.setattr(ImageFile.ImageFile, "load", load)


@pytest.mark.parametrize(("width", "height"), [(9400, 9400), (20000, 20000), (400001, 100)])
def test_a_header_claiming_huge_dimensions_is_refused_before_decoding(
    monkeypatch, no_decoding, width, height, english
):
    data = _claiming(_png(1, 1), width, height)
    assert len(data) < 200
    with monkeypatch.context() as unlimited:  # the forgery is a readable PNG header
        unlimited.setattr(Image, "MAX_IMAGE_PIXELS", None)
        with Image.open(io.BytesIO(data)) as image:
            assert image.size == (width, height)
    with pytest.raises(ValidationFailed) as refused:
        inspect_upload(SimpleUploadedFile("big.png", data, content_type="image/png"))
    assert "megapixels" in refused.value.errors[0].message


def test_the_pixel_limit_is_a_setting_and_real_pictures_below_it_pass(settings, english):
    settings.MAX_IMAGE_PIXELS = 400
    inspected = inspect_upload(SimpleUploadedFile("ok.png", _png(20, 20), content_type="image/png"))
    assert inspected.content_type == "image/png"
    with pytest.raises(ValidationFailed, match="megapixels"):
        inspect_upload(SimpleUploadedFile("big.png", _png(21, 20), content_type="image/png"))


def test_the_frames_of_an_animation_count_together(settings, english):
    frames = [Image.new("RGB", (10, 10), color) for color in ("red", "green", "blue")]
    out = io.BytesIO()
    frames[0].save(out, format="GIF", save_all=True, append_images=frames[1:], duration=100)
    settings.MAX_IMAGE_PIXELS = 299
    with pytest.raises(ValidationFailed, match="megapixels"):
        inspect_upload(SimpleUploadedFile("a.gif", out.getvalue(), content_type="image/gif"))
    settings.MAX_IMAGE_PIXELS = 300
    assert inspect_upload(SimpleUploadedFile("a.gif", out.getvalue(), content_type="image/gif")).data


@pytest.mark.django_db
def test_the_public_form_says_why_a_huge_picture_is_refused(settings, no_decoding):
    settings.CLUES_MIN_FILL_SECONDS = 0
    bomb = SimpleUploadedFile("photo.png", _claiming(_png(1, 1), 9400, 9400), content_type="image/png")
    response = Client().post("/report/", {**report_data(), "files": [bomb]})
    assert response.status_code == 400
    assert "megapixels" in response.content.decode() or "百万像素" in response.content.decode()


# -- request bodies --------------------------------------------------------------------------------------


class UnreadableBody:
    """wsgi.input that records (and refuses) every attempt to read it."""

    def __init__(self):
        self.reads = []

    def read(self, *args):
        self.reads.append(args)
        raise OSError("the body was read")

    readline = read


def _call(method: str, path: str, content_type: str, length: int, **environ):
    """The request through the whole WSGI application (every middleware, CSRF enforced as in production)."""
    body = UnreadableBody()
    environ = RequestFactory()._base_environ(
        PATH_INFO=path,
        REQUEST_METHOD=method,
        CONTENT_TYPE=content_type,
        CONTENT_LENGTH=str(length),
        **{"wsgi.input": body},
        **environ,
    )
    statuses = []
    # As Django's test client does: the request must not close the test's database connection (on
    # PostgreSQL the test runs inside a transaction on it).
    request_started.disconnect(close_old_connections)
    request_finished.disconnect(close_old_connections)
    try:
        chunks = WSGIHandler()(environ, lambda status, headers, exc_info=None: statuses.append(status))
        content = b"".join(chunks)
        chunks.close()
    finally:
        request_started.connect(close_old_connections)
        request_finished.connect(close_old_connections)
    return int(statuses[0].split()[0]), content, body


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("path", "content_type", "length"),
    [
        ("/report/", "multipart/form-data; boundary=x", 300 * MIB),  # the public form
        ("/accounts/login/", "application/x-www-form-urlencoded", 300 * MIB),
        ("/accounts/login/", "application/x-www-form-urlencoded", 2 * MIB + 1),
        ("/api/v1/people/", "application/json", 3 * MIB),
        ("/healthz", "text/plain", 3 * MIB),
    ],
)
def test_an_oversize_body_is_refused_from_its_length_without_reading_it(path, content_type, length):
    status, content, body = _call("POST", path, content_type, length)
    assert status == 413 and body.reads == []
    assert content


@pytest.mark.django_db
def test_uploads_may_be_larger_than_other_bodies(settings):
    # A GET that declares a body (never read by the view): only the limit of its kind decides.
    assert _call("GET", "/healthz", "multipart/form-data; boundary=x", 3 * MIB)[0] == 200
    assert _call("GET", "/healthz", "application/x-www-form-urlencoded", 3 * MIB)[0] == 413
    limit = settings.MAX_UPLOAD_REQUEST_BYTES
    assert limit >= 3 * settings.UPLOAD_MAX_BYTES  # the files of one public report
    assert _call("GET", "/healthz", "multipart/form-data; boundary=x", limit)[0] == 200
    assert _call("GET", "/healthz", "multipart/form-data; boundary=x", limit + 1)[0] == 413
    assert settings.DATA_UPLOAD_MAX_MEMORY_SIZE <= settings.MAX_REQUEST_BYTES


CSRF_COOKIE = "csrftoken=" + "a" * 32  # a well-formed cookie: CSRF goes on to read the form's token


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("path", "purpose"),
    [
        ("/report/", abuse.REPORT),
        ("/report/follow-up/", abuse.FOLLOWUP_FAILURE),
        ("/report/follow-up/report/message/", abuse.MESSAGE),
    ],
)
def test_a_blocked_address_gets_429_before_its_body_is_parsed(settings, path, purpose):
    settings.CLUES_REPORTS_PER_HOUR = settings.CLUES_FOLLOWUP_FAILURES_PER_HOUR = 1
    settings.CLUES_MESSAGES_PER_HOUR = 1
    assert abuse.hit(purpose, "127.0.0.1") and abuse.is_blocked(purpose, "127.0.0.1")
    status, content, body = _call(
        "POST", path, "multipart/form-data; boundary=x", 5 * MIB, HTTP_COOKIE=CSRF_COOKIE
    )
    assert status == 429 and body.reads == []
    other = _call(
        "POST",
        path,
        "multipart/form-data; boundary=x",
        5 * MIB,
        HTTP_COOKIE=CSRF_COOKIE,
        REMOTE_ADDR="10.9.9.9",
    )
    assert other[2].reads  # another address goes on, and its form is read as before
