"""Type sniffing, size limit and metadata stripping, without the database."""

import io

import pytest
from PIL import Image

from fanguai.core.errors import ValidationFailed
from fanguai.files.inspection import clean_name, inspect_upload

from .samples import GPS_IFD, MAKE, XMP, docx_bytes, image_bytes, pdf_bytes, upload, xlsx_bytes

ACCEPTED = [
    ("report.pdf", pdf_bytes, "application/pdf"),
    ("photo.jpg", lambda: image_bytes("JPEG"), "image/jpeg"),
    ("photo.png", lambda: image_bytes("PNG"), "image/png"),
    ("photo.webp", lambda: image_bytes("WEBP"), "image/webp"),
    ("photo.gif", lambda: image_bytes("GIF"), "image/gif"),
    ("letter.docx", docx_bytes, "application/vnd.openxmlformats-officedocument.wordprocessingml.document"),
    ("table.xlsx", xlsx_bytes, "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"),
]


@pytest.mark.parametrize(("name", "make", "mime"), ACCEPTED, ids=[a[0] for a in ACCEPTED])
def test_accepted_types_are_recognised_by_their_bytes(name, make, mime):
    # The browser's claim is ignored: the type comes from the content.
    result = inspect_upload(upload(name, make(), "text/plain"))
    assert result.content_type == mime
    assert result.name == name


@pytest.mark.parametrize(
    ("name", "data"),
    [
        ("page.html", b"<!doctype html><html><script>alert(1)</script></html>"),
        ("script.pdf", b"#!/bin/sh\necho hello\n"),
        ("tool.exe", b"MZ\x90\x00\x03\x00\x00\x00\x04\x00\x00\x00\xff\xff\x00\x00" + b"\x00" * 64),
        ("drawing.svg", b'<svg xmlns="http://www.w3.org/2000/svg"><script>alert(1)</script></svg>'),
        ("archive.zip", b"PK\x03\x04" + b"\x00" * 100),
    ],
)
def test_other_types_are_refused_with_a_clear_message(name, data):
    with pytest.raises(ValidationFailed) as caught:
        inspect_upload(upload(name, data, "application/pdf"))
    [error] = caught.value.errors
    assert error.field == "file"
    assert "not accepted" in error.message


def test_a_file_over_the_limit_is_refused(settings):
    settings.UPLOAD_MAX_BYTES = 1000
    with pytest.raises(ValidationFailed) as caught:
        inspect_upload(upload("big.pdf", pdf_bytes() + b"%" * 2000))
    assert "too large" in caught.value.errors[0].message


def test_a_client_understating_the_size_is_still_refused(settings):
    settings.UPLOAD_MAX_BYTES = 1000
    big = upload("big.pdf", pdf_bytes() + b"%" * 2000)
    big.size = 10
    with pytest.raises(ValidationFailed):
        inspect_upload(big)


def test_an_empty_file_is_refused():
    with pytest.raises(ValidationFailed) as caught:
        inspect_upload(upload("empty.pdf", b""))
    assert "empty" in caught.value.errors[0].message


def test_a_truncated_image_is_refused():
    data = image_bytes("PNG")[:60]
    with pytest.raises(ValidationFailed) as caught:
        inspect_upload(upload("broken.png", data))
    assert caught.value.errors[0].message


@pytest.mark.parametrize("fmt", ["JPEG", "PNG", "WEBP"])
def test_location_and_camera_metadata_are_removed(fmt):
    original = image_bytes(fmt)
    with Image.open(io.BytesIO(original)) as before:
        assert before.getexif().get(MAKE) == "SecretCam"
        assert before.getexif().get_ifd(GPS_IFD)
    cleaned = inspect_upload(upload("p", original)).data
    with Image.open(io.BytesIO(cleaned)) as after:
        exif = after.getexif()
        assert MAKE not in exif
        assert not exif.get_ifd(GPS_IFD)
        assert "xmp" not in after.info
        assert "exif" not in after.info
    assert b"SecretCam" not in cleaned
    assert XMP not in cleaned
    assert b"GPSLatitude" not in cleaned


def test_gif_comments_are_removed():
    original = image_bytes("GIF")
    assert b"SecretPlace" in original
    assert b"SecretPlace" not in inspect_upload(upload("a.gif", original)).data


def test_the_orientation_is_applied_before_the_tag_is_dropped():
    # Orientation 6: the camera was turned; viewers rotate 90 degrees clockwise.
    cleaned = inspect_upload(upload("turned.jpg", image_bytes("JPEG", size=(40, 20), orientation=6))).data
    with Image.open(io.BytesIO(cleaned)) as after:
        assert after.size == (20, 40)
        assert 0x0112 not in after.getexif()


def test_an_animated_gif_keeps_its_frames():
    frames = [Image.new("RGB", (10, 10), colour) for colour in ((255, 0, 0), (0, 255, 0), (0, 0, 255))]
    out = io.BytesIO()
    frames[0].save(out, format="GIF", save_all=True, append_images=frames[1:], duration=100, loop=0)
    with Image.open(io.BytesIO(out.getvalue())) as before:
        assert before.n_frames == 3
    cleaned = inspect_upload(upload("anim.gif", out.getvalue())).data
    with Image.open(io.BytesIO(cleaned)) as after:
        assert after.n_frames == 3


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        ("../../etc/passwd", "passwd"),
        ("C:\\Users\\x\\报告.pdf", "报告.pdf"),
        ("bad\x00name\n.pdf", "badname.pdf"),
        ("", "file"),
        ("a" * 300 + ".pdf", "a" * 251 + ".pdf"),
    ],
)
def test_file_names_are_cleaned(raw, expected):
    assert clean_name(raw) == expected
