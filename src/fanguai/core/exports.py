"""Every table of the platform exports to Excel through this one helper (openpyxl): a bold frozen header,
local times without a zone (Excel has none), readable column widths.

Every cell is data, never a formula: openpyxl takes a string that starts with "=" for a formula, so user text
such as `=HYPERLINK(...)` would run in the reader's spreadsheet. `append_row` writes strings as strings;
`csv_safe` does the same for CSV files (which carry no types) by the OWASP prefix.
"""

import io
from collections.abc import Iterable, Sequence
from datetime import date, datetime
from decimal import Decimal

from django.http import HttpResponse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from openpyxl import Workbook
from openpyxl.styles import Font
from openpyxl.worksheet.worksheet import Worksheet

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def _cell(value):
    if isinstance(value, datetime):
        return timezone.localtime(value).replace(tzinfo=None) if timezone.is_aware(value) else value
    if isinstance(value, date | int | float | Decimal) or value is None:
        return value
    return str(value)


# A spreadsheet treats a cell starting with one of these as a formula (tab and CR: it strips them first).
FORMULA_TRIGGERS = ("=", "+", "-", "@", "\t", "\r")


def append_row(worksheet: Worksheet, values: Iterable) -> None:
    """Append a row whose every string stays literal text."""
    worksheet.append(list(values))
    for cell in worksheet[worksheet.max_row]:
        if isinstance(cell.value, str):
            cell.data_type = "s"


def csv_safe(value):
    """A CSV field that no spreadsheet evaluates: text starting with a formula trigger gets a leading
    apostrophe (OWASP, "CSV injection"); numbers and other values are returned unchanged."""
    if isinstance(value, str) and value.startswith(FORMULA_TRIGGERS):
        return "'" + value
    return value


# The sheet name when an export names none: never openpyxl's "Sheet" or a spreadsheet's "Sheet1".
DEFAULT_SHEET = _("Table")


def xlsx_bytes(headers: Sequence, rows: Iterable[Sequence], sheet: str = DEFAULT_SHEET) -> bytes:
    workbook = Workbook()
    worksheet = workbook.active
    worksheet.title = str(sheet)[:31]
    append_row(worksheet, [str(h) for h in headers])
    for cell in worksheet[1]:
        cell.font = Font(bold=True)
    for row in rows:
        append_row(worksheet, [_cell(v) for v in row])
    for column in worksheet.columns:
        width = max(len(str(c.value or "")) for c in column)
        worksheet.column_dimensions[column[0].column_letter].width = min(60, max(10, width * 1.6))
    worksheet.freeze_panes = "A2"
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


def xlsx_response(
    filename: str, headers: Sequence, rows: Iterable[Sequence], sheet: str = DEFAULT_SHEET
) -> HttpResponse:
    response = HttpResponse(xlsx_bytes(headers, rows, sheet), content_type=XLSX)
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    return response


def wants_xlsx(request) -> bool:
    return request.GET.get("export") == "xlsx"
