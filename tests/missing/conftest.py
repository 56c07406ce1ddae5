"""Scenario objects for the missing-person tests: a report filed by alice (霍邱县公安局, 341522-police) about
a child last seen in 霍邱县, and a validator for every CAP document against the OASIS CAP 1.2 schema kept in
tests/missing/data/. The cast comes from tests/conftest.py."""

import io
from datetime import timedelta
from decimal import Decimal
from pathlib import Path

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone
from lxml import etree
from PIL import Image

from fanguai.missing import services

SECRET = "SECRET-CHILD-8812"
XSD = Path(__file__).parent / "data" / "cap-v1.2.xsd"
CAP_NS = {"cap": "urn:oasis:names:tc:emergency:cap:1.2"}
# 霍邱县城 (Huoqiu county seat)
LAT, LON = Decimal("32.353000"), Decimal("116.278000")


@pytest.fixture(scope="session")
def cap_schema():
    return etree.XMLSchema(etree.parse(str(XSD)))


@pytest.fixture
def valid_cap(cap_schema):
    """Parse a CAP document, assert it is valid against the OASIS schema, return the root element."""

    def check(xml: str | bytes):
        data = xml.encode() if isinstance(xml, str) else xml
        root = etree.fromstring(data)
        if not cap_schema.validate(root):
            raise AssertionError(f"CAP document invalid: {cap_schema.error_log}\n{data.decode()}")
        return root

    return check


def photo_upload(name: str = "child.jpg") -> SimpleUploadedFile:
    """A JPEG carrying EXIF metadata (which the published copy must not keep)."""
    image = Image.new("RGB", (1200, 900), (200, 120, 40))
    exif = Image.Exif()
    exif[0x010F] = "SECRET-CAMERA-MAKER"
    out = io.BytesIO()
    image.save(out, "JPEG", exif=exif)
    return SimpleUploadedFile(name, out.getvalue(), content_type="image/jpeg")


def report_fields(**overrides) -> dict:
    fields = {
        "full_name": SECRET,
        "sex": "male",
        "category": "child",
        "description": "穿红色外套，蓝色裤子",
        "last_seen_at": timezone.now() - timedelta(minutes=10),
        "last_seen_place": "霍邱县城关镇人民广场",
        "latitude": LAT,
        "longitude": LON,
        "reporter_name": "张三",
        "reporter_phone": "13800138000",
        "reporter_relation": "父亲",
    }
    fields.update(overrides)
    return fields


@pytest.fixture
def file_report(alice):
    def make(actor=None, **overrides):
        return services.file_report(actor=actor or alice, **report_fields(**overrides))

    return make


@pytest.fixture
def report(file_report):
    return file_report(photo=photo_upload())


def alert_fields(report, **overrides) -> dict:
    fields = {
        "display_name": SECRET,
        "age_text": "7岁",
        "description": "身高约一米二，穿红色外套",
        "description_en": "About 1.2 m tall, red coat",
        "last_seen_place": report.last_seen_place,
        "latitude": report.latitude,
        "longitude": report.longitude,
        "police_phone": "0564-110",
    }
    fields.update(overrides)
    return fields


@pytest.fixture
def publish(alice):
    from fanguai.files.selectors import files_for
    from fanguai.missing import alerts

    def make(report, actor=None, with_photo=True, **overrides):
        photo = files_for(alice, report).first() if with_photo else None
        return alerts.request_alert(
            actor=actor or alice, report=report, photo=photo, **alert_fields(report, **overrides)
        )

    return make
