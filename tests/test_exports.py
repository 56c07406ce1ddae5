"""Exports write user text as data, never as a formula a spreadsheet would run (issue 11 item 14)."""

import csv
import datetime
import io

import pytest
from openpyxl import load_workbook

from fanguai.core.exports import csv_safe, xlsx_bytes
from fanguai.outreach.services import record_activity

HYPERLINK = '=HYPERLINK("http://x","y")'
TRIGGERS = [HYPERLINK, "+1+1", "-2+3", "@SUM(A1:A2)", "\t=1+1", "\r=1+1"]


def formula_cells(workbook) -> list:
    return [
        cell.coordinate
        for sheet in workbook.worksheets
        for row in sheet.iter_rows()
        for cell in row
        if cell.data_type == "f"
    ]


@pytest.mark.django_db
def test_an_exported_title_that_looks_like_a_formula_stays_text(alice, office, login):
    record_activity(
        actor=alice,
        kind="publicity",
        title=HYPERLINK,
        place="+1+1",
        audience="@SUM(A1:A2)",
        held_on=datetime.date(2026, 3, 8),
        people_reached=3,
    )
    response = login(office).get("/activities/", {"export": "xlsx"})
    workbook = load_workbook(io.BytesIO(response.content))
    sheet = workbook.active
    title = sheet.cell(row=2, column=3)
    assert title.value == HYPERLINK and title.data_type == "s"
    assert sheet.cell(row=2, column=6).value == "+1+1"
    assert formula_cells(workbook) == []


def test_every_formula_trigger_is_written_as_a_string():
    workbook = load_workbook(io.BytesIO(xlsx_bytes(TRIGGERS, [TRIGGERS, [1, -2, 3.5, None, "", "x"]])))
    assert formula_cells(workbook) == []
    rows = list(workbook.active.iter_rows())
    assert [c.value for c in rows[1]] == TRIGGERS and {c.data_type for c in rows[1]} == {"s"}
    assert [c.value for c in rows[2]][:3] == [1, -2, 3.5]  # numbers stay numbers


def test_the_clue_statistics_workbook_writes_labels_as_text():
    from fanguai.clues.export import statistics_workbook

    stats = {
        key: None
        for key in ("year", "total", "transfers", "acknowledged", "median_hours", "mean_hours", "on_time")
    } | {"decided": 0, "on_time_share": None}
    for key in ("by_source", "by_category", "by_county", "by_month", "by_status"):
        stats[key] = [(HYPERLINK, 1)]
    workbook = load_workbook(io.BytesIO(statistics_workbook(stats)))
    assert formula_cells(workbook) == []
    assert workbook.worksheets[1]["A2"].value == HYPERLINK


def test_csv_fields_that_a_spreadsheet_would_evaluate_get_a_leading_apostrophe():
    out = io.StringIO()
    csv.writer(out).writerow([csv_safe(v) for v in [*TRIGGERS, "plain", "a=b", 5, None]])
    [row] = list(csv.reader(io.StringIO(out.getvalue())))
    assert row[: len(TRIGGERS)] == ["'" + v for v in TRIGGERS]
    assert row[len(TRIGGERS) :] == ["plain", "a=b", "5", ""]


@pytest.mark.django_db
def test_the_audit_csv_writes_a_formula_like_object_id_as_text(auditor, login):
    from fanguai.audit.services import record_event

    record_event("test.action", object_type="test.thing", object_id=HYPERLINK)
    response = login(auditor).get("/audit/export.csv", {"object_type": "test.thing"})
    text = b"".join(response.streaming_content).decode("utf-8-sig")
    rows = list(csv.reader(io.StringIO(text)))
    assert rows[1][6] == "'" + HYPERLINK
    assert not any(cell.startswith(("=", "+", "@")) for row in rows[1:] for cell in row)
