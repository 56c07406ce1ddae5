"""What the evaluation PDF says (text extracted with pypdf), which fonts it embeds, and how the font slices
are chosen and cached (issue 13: the PDF renders in seconds; its timing is printed by bench/pdf_bench.py)."""

import io
import os
from datetime import timedelta
from decimal import Decimal

import pytest
from django.utils import timezone

from fanguai.reports import pdf, services
from fanguai.reports.models import SelfAssessment


def _weasyprint_usable() -> bool:
    try:
        import weasyprint  # noqa: F401
    except OSError:
        return False
    return True


needs_weasyprint = pytest.mark.skipif(
    not _weasyprint_usable() and os.environ.get("FANGUAI_REQUIRE_BROWSER") != "1",
    reason="Pango is not installed here",
)
YEAR = timezone.localdate().year
VETO_REASON = "发生重大拐卖案件"


def _pdf_text(content: bytes) -> str:
    from pypdf import PdfReader

    return "\n".join(page.extract_text() for page in PdfReader(io.BytesIO(content)).pages)


def _embedded_fonts(content: bytes) -> set[str]:
    from pypdf import PdfReader

    names = set()
    for page in PdfReader(io.BytesIO(content)).pages:
        fonts = page["/Resources"].get_object().get("/Font", {})
        for ref in fonts.get_object().values():
            names.add(str(ref.get_object()["/BaseFont"]))
    return names


@pytest.fixture
def assessed(office, coordinator):
    """An evaluation whose year has been assessed: 霍邱县 scored 90 and first, then vetoed."""
    evaluation = services.open_evaluation(
        actor=office,
        kind="stage",
        title="年度阶段性评估报告",
        year=YEAR,
        due_on=timezone.localdate() + timedelta(days=10),
    )
    mine = SelfAssessment.objects.get(evaluation=evaluation, unit=coordinator.unit)
    mine.status, mine.score = SelfAssessment.Status.SCORED, Decimal(90)
    mine.save()
    services.set_criteria(
        actor=office,
        year=YEAR,
        weights={"evaluation": Decimal("70"), "outreach.publicity_events": Decimal("30")},
    )
    results = {r.unit_id: r for r in services.compute_assessments(actor=office, year=YEAR)}
    return evaluation, results


@needs_weasyprint
def test_the_pdf_of_an_assessed_year_has_the_weights_the_ranking_and_the_vetoes(assessed, office, login):
    evaluation, results = assessed
    huoqiu = next(r for r in results.values() if r.unit.name == "霍邱县人民政府")
    assert huoqiu.rank == 1
    before = _pdf_text(login(office).get(f"/reports/evaluations/{evaluation.pk}/report.pdf").content)
    assert "年度阶段性评估报告" in before and "霍邱县人民政府" in before
    assert "70.0" in before and "30.0" in before  # the weights
    assert "63.0" in before  # 霍邱县: 70 % of its evaluation score 90, nothing published
    assert VETO_REASON not in before

    services.set_veto(actor=office, result=huoqiu, veto=True, reason=VETO_REASON)
    response = login(office).get(f"/reports/evaluations/{evaluation.pk}/report.pdf")
    assert response.status_code == 200 and response["Content-Type"] == "application/pdf"
    text = _pdf_text(response.content)
    assert VETO_REASON in text
    # Ranking: the units appear in the order of their ranks, the vetoed county last.
    ranked = [r.unit.name for r in sorted(results.values(), key=lambda r: r.unit_id)]
    huoqiu.refresh_from_db()
    ranks = {r.unit.name: r.rank for r in huoqiu._meta.model.objects.filter(year=YEAR)}
    assert ranks["霍邱县人民政府"] == len(ranks)
    section = text[text.index("70.0") :]
    positions = {name: section.find(name) for name in ranked}
    assert all(p >= 0 for p in positions.values())
    assert sorted(positions, key=positions.get) == sorted(ranks, key=ranks.get)


@needs_weasyprint
def test_a_unit_reads_only_its_own_result_in_the_pdf(assessed, office, liaison, login):
    evaluation, results = assessed
    huoqiu = next(r for r in results.values() if r.unit.name == "霍邱县人民政府")
    services.set_veto(actor=office, result=huoqiu, veto=True, reason=VETO_REASON)
    text = _pdf_text(login(liaison).get(f"/reports/evaluations/{evaluation.pk}/report.pdf").content)
    assert liaison.unit.name in text
    assert VETO_REASON not in text and "霍邱县人民政府" not in text


@needs_weasyprint
def test_every_font_in_the_pdf_is_a_slice_of_the_vendored_noto_sans_sc(office, login):
    evaluation = services.open_evaluation(
        actor=office,
        kind="final",
        title="终期评估：拐卖儿童妇女犯罪 ABC ①",
        year=YEAR,
        due_on=timezone.localdate() + timedelta(days=10),
    )
    content = login(office).get(f"/reports/evaluations/{evaluation.pk}/report.pdf").content
    fonts = _embedded_fonts(content)
    assert fonts and all("NotoSansSC" in name for name in fonts), fonts
    assert "终期评估：拐卖儿童妇女犯罪 ABC ①" in _pdf_text(content)


def test_a_document_gets_only_the_slices_that_cover_its_characters():
    every = pdf.font_slices()
    assert len(every) > 90
    latin = pdf.slices_for("Report 2026")
    assert latin and len(latin) <= 2
    chinese = pdf.slices_for("拐卖")
    assert chinese and not set(chinese) & set(latin)
    for character in "拐卖":
        assert any(s.covers_any([ord(character)]) for s in chinese)
    both = pdf.slices_for("Report 2026 拐卖")
    assert set(both) == set(latin) | set(chinese)
    assert [s.family for s in both] == sorted(s.family for s in both)  # the vendored fallback order


def test_unicode_ranges_are_read_with_single_points_spans_and_wildcards():
    assert pdf._parse_ranges("U+4e00-4e0f, U+20, U+4??") == [(0x20, 0x20), (0x400, 0x4FF), (0x4E00, 0x4E0F)]


def test_the_font_css_names_truetype_files_from_the_cache(settings, tmp_path):
    settings.DATA_DIR = tmp_path
    css = pdf.font_css("Report")
    cached = list((tmp_path / "cache" / "pdf-fonts").glob("*.ttf"))
    assert cached and all(path.as_uri() in css for path in cached)
    assert "woff2" not in css
    assert all(path.read_bytes()[:4] in (b"\x00\x01\x00\x00", b"OTTO", b"true") for path in cached)


def test_a_slice_is_decompressed_once_then_read_from_the_cache(settings, tmp_path, monkeypatch):
    from fontTools.ttLib import woff2

    settings.DATA_DIR = tmp_path
    (latin,) = pdf.slices_for("A")[:1]
    first = pdf.truetype_file(latin)

    def fail(*args, **kwargs):
        raise AssertionError("decompressed again")

    monkeypatch.setattr(woff2, "decompress", fail)
    assert pdf.truetype_file(latin) == first
    first.unlink()
    with pytest.raises(AssertionError, match="decompressed again"):
        pdf.truetype_file(latin)
