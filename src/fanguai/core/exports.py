"""Every table of the platform exports to Excel through this one helper (openpyxl): a bold frozen header,
local times without a zone (Excel has none), readable column widths."""

import io
from collections.abc import Iterable, Sequence
from datetime import date, datetime
from decimal import Decimal

from django.http import HttpResponse
from django.utils import timezone
from openpyxl import Workbook
from openpyxl.styles import Font

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def _cell(value):
    if isinstance(value, datetime):
        return timezone.localtime(value).replace(tzinfo=None) if timezone.is_aware(value) else value
    if isinstance(value, date | int | float | Decimal) or value is None:
        return value
    return str(value)


def xlsx_bytes(headers: Sequence, rows: Iterable[Sequence], sheet: str = "Sheet1") -> bytes:
    workbook = Workbook()
    worksheet = workbook.active
    worksheet.title = str(sheet)[:31]
    worksheet.append([str(h) for h in headers])
    for cell in worksheet[1]:
        cell.font = Font(bold=True)
    for row in rows:
        worksheet.append([_cell(v) for v in row])
    for column in worksheet.columns:
        width = max(len(str(c.value or "")) for c in column)
        worksheet.column_dimensions[column[0].column_letter].width = min(60, max(10, width * 1.6))
    worksheet.freeze_panes = "A2"
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


def xlsx_response(
    filename: str, headers: Sequence, rows: Iterable[Sequence], sheet: str = "Sheet1"
) -> HttpResponse:
    response = HttpResponse(xlsx_bytes(headers, rows, sheet), content_type=XLSX)
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    return response


def wants_xlsx(request) -> bool:
    return request.GET.get("export") == "xlsx"
