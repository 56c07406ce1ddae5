"""Excel export of the clue statistics (openpyxl): one sheet per breakdown, aggregates only."""

import io

from django.utils.translation import gettext as _
from openpyxl import Workbook
from openpyxl.styles import Font

from fanguai.core.exports import append_row


def _sheet(workbook: Workbook, title: str, header: tuple[str, str], rows) -> None:
    sheet = workbook.create_sheet(title=title[:31])
    sheet.append(list(header))
    for cell in sheet[1]:
        cell.font = Font(bold=True)
    for row in rows:
        append_row(sheet, row)
    sheet.column_dimensions["A"].width = 40
    sheet.column_dimensions["B"].width = 14


def statistics_workbook(stats: dict) -> bytes:
    workbook = Workbook()
    summary = workbook.active
    summary.title = _("Summary")[:31]
    rows = [
        (_("Year"), stats["year"] or _("All years")),
        (_("Clues"), stats["total"]),
        (_("Transfers"), stats["transfers"]),
        (_("Acknowledged"), stats["acknowledged"]),
        (_("Median hours to acknowledge"), stats["median_hours"]),
        (_("Mean hours to acknowledge"), stats["mean_hours"]),
        (_("Acknowledged on time"), stats["on_time"]),
        (_("Transfers due or acknowledged"), stats["decided"]),
        (_("Share acknowledged on time (%)"), stats["on_time_share"]),
    ]
    for label, value in rows:
        append_row(summary, [str(label), value if value is not None else ""])
    summary.column_dimensions["A"].width = 40
    count = _("Clues")
    _sheet(workbook, _("By source"), (_("Source"), count), stats["by_source"])
    _sheet(workbook, _("By category"), (_("Category"), count), stats["by_category"])
    _sheet(workbook, _("By county"), (_("County"), count), stats["by_county"])
    _sheet(workbook, _("By month"), (_("Month"), count), stats["by_month"])
    _sheet(workbook, _("By status"), (_("Status"), count), stats["by_status"])
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()
