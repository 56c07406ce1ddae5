"""Compressed answers (issue 14 item 5): pages and JSON go out gzip-encoded to a browser that accepts it, with
``Vary: Accept-Encoding``; static files come from WhiteNoise's precompressed ``.br``/``.gz`` files and are never
compressed a second time; binary downloads are left alone."""

import gzip
import re
import shutil

import pytest
from django.contrib.staticfiles import finders
from django.http import HttpResponse
from django.test import Client, RequestFactory
from whitenoise.compress import Compressor

import fanguai.settings as project_settings
from fanguai.core.compression import TextGZipMiddleware


def unmasked(html: str) -> str:
    return re.sub(r"\b[A-Za-z0-9]{64}\b", "CSRF-TOKEN", html)


def test_a_signed_in_page_comes_back_gzip_encoded_and_decodes_to_the_same_html(alice, login):
    client = login(alice)
    plain = client.get("/")
    packed = client.get("/", headers={"accept-encoding": "gzip, deflate, br"})
    assert plain.status_code == packed.status_code == 200
    assert not plain.has_header("Content-Encoding")
    assert packed["Content-Encoding"] == "gzip"
    assert "Accept-Encoding" in packed["Vary"] and "Accept-Encoding" in plain["Vary"]
    html = gzip.decompress(packed.content).decode()
    assert "<!doctype html>" in html and "</html>" in html
    assert len(packed.content) < len(html.encode()) / 2
    # The same page but for the CSRF tokens, which are masked afresh on every response.
    assert unmasked(html) == unmasked(plain.content.decode())


def test_an_api_answer_is_compressed_too(alice, login):
    response = login(alice).get("/api/openapi.json", headers={"accept-encoding": "gzip"})
    assert response.status_code == 200
    assert response["Content-Encoding"] == "gzip"
    assert gzip.decompress(response.content).startswith(b"{")


def test_a_binary_download_is_not_compressed():

    body = b"PK\x03\x04" + bytes(5000)
    middleware = TextGZipMiddleware(lambda request: HttpResponse(body, content_type="application/pdf"))
    request = RequestFactory().get("/x", headers={"accept-encoding": "gzip"})
    response = middleware(request)
    assert not response.has_header("Content-Encoding")
    assert response.content == body
    text = TextGZipMiddleware(lambda request: HttpResponse("文字" * 1000, content_type="text/csv"))(request)
    assert text["Content-Encoding"] == "gzip"


def test_production_storage_writes_precompressed_static_files():
    assert (
        project_settings.STORAGES["staticfiles"]["BACKEND"]
        == "whitenoise.storage.CompressedManifestStaticFilesStorage"
    )
    middleware = project_settings.MIDDLEWARE
    # WhiteNoise answers static files before the page compression sees them: no double encoding.
    assert middleware.index("whitenoise.middleware.WhiteNoiseMiddleware") < middleware.index(
        "fanguai.core.compression.TextGZipMiddleware"
    )


@pytest.fixture
def collected_static(settings, tmp_path):
    """A STATIC_ROOT as collectstatic leaves it for two files: the stylesheet with its .gz and .br
    (written by WhiteNoise's compressor, as CompressedManifestStaticFilesStorage does) and a font."""
    root = tmp_path / "static"
    (root / "fanguai").mkdir(parents=True)
    (root / "fonts").mkdir()
    shutil.copy(finders.find("fanguai/site.css"), root / "fanguai/site.css")
    shutil.copy(finders.find("fanguai/fonts/noto-sans-sc-ui.woff2"), root / "fonts/ui.woff2")
    compressor = Compressor(quiet=True)
    for name in ("fanguai/site.css", "fonts/ui.woff2"):
        path = str(root / name)
        if compressor.should_compress(path):
            list(compressor.compress(path))
    settings.STATIC_ROOT = root
    settings.DEBUG = False
    settings.WHITENOISE_AUTOREFRESH = False
    return root


def test_static_files_come_back_precompressed(collected_static, db):
    client = Client()  # a new client loads the middleware, so WhiteNoise indexes the new STATIC_ROOT
    brotli = client.get("/static/fanguai/site.css", headers={"accept-encoding": "gzip, br"})
    assert brotli.status_code == 200
    assert brotli["Content-Encoding"] == "br"
    assert b"".join(brotli.streaming_content) == (collected_static / "fanguai/site.css.br").read_bytes()
    zipped = client.get("/static/fanguai/site.css", headers={"accept-encoding": "gzip"})
    assert zipped["Content-Encoding"] == "gzip"
    original = (collected_static / "fanguai/site.css").read_bytes()
    assert gzip.decompress(b"".join(zipped.streaming_content)) == original
    assert "Accept-Encoding" in zipped["Vary"]
    # A font is compressed already: neither WhiteNoise nor the page compression touches it.
    font = client.get("/static/fonts/ui.woff2", headers={"accept-encoding": "gzip, br"})
    assert font.status_code == 200
    assert not font.has_header("Content-Encoding")
    assert b"".join(font.streaming_content) == (collected_static / "fonts/ui.woff2").read_bytes()
