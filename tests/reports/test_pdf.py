import os
import re
import zlib
from datetime import timedelta

import pytest
from django.utils import timezone

from fanguai.reports import services


def _weasyprint_usable() -> bool:
    try:
        import weasyprint  # noqa: F401
    except OSError:
        return False
    return True


@pytest.mark.skipif(
    not _weasyprint_usable() and os.environ.get("FANGUAI_REQUIRE_BROWSER") != "1",
    reason="Pango is not installed here",
)
def test_the_evaluation_report_is_a_pdf_with_the_chinese_font_embedded(office, login):
    evaluation = services.open_evaluation(
        actor=office,
        kind="stage",
        title="阶段性评估报告",
        year=2026,
        due_on=timezone.localdate() + timedelta(days=10),
    )
    response = login(office).get(f"/reports/evaluations/{evaluation.pk}/report.pdf")
    assert response.status_code == 200 and response["Content-Type"] == "application/pdf"
    assert response.content.startswith(b"%PDF")
    assert b"NotoSansSC" in _inflated(response.content)  # the vendored font is embedded, not a system font


def _inflated(pdf: bytes) -> bytes:
    """The PDF with every Flate stream decompressed (font names sit in compressed object streams)."""
    parts = [pdf]
    for match in re.finditer(rb"stream\r?\n", pdf):
        try:
            parts.append(zlib.decompressobj().decompress(pdf[match.end() :]))
        except zlib.error:
            continue
    return b"".join(parts)


def test_the_report_follows_the_evaluation_policy(office, alice, login):
    evaluation = services.open_evaluation(
        actor=office,
        kind="stage",
        title="评估",
        year=2026,
        due_on=timezone.localdate() + timedelta(days=10),
    )
    assert login(alice).get(f"/reports/evaluations/{evaluation.pk}/report.pdf").status_code == 404
