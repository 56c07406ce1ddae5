"""A small helper: any table of the app as an Excel download."""

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


def xlsx_response(
    filename: str, headers: Sequence, rows: Iterable[Sequence], sheet: str = "Sheet1"
) -> HttpResponse:
    workbook = Workbook()
    worksheet = workbook.active
    worksheet.title = str(sheet)[:31]
    worksheet.append([str(h) for h in headers])
    for cell in worksheet[1]:
        cell.font = Font(bold=True)
    for row in rows:
        worksheet.append([_cell(v) for v in row])
    worksheet.freeze_panes = "A2"
    buffer = io.BytesIO()
    workbook.save(buffer)
    response = HttpResponse(buffer.getvalue(), content_type=XLSX)
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    return response


def wants_xlsx(request) -> bool:
    return request.GET.get("export") == "xlsx"
