"""Excel exports of the listing and inspection tables (the rows the user may see, with the page's filters)."""

from io import BytesIO

from django.http import HttpResponse
from django.utils import timezone
from django.utils.translation import gettext as _
from openpyxl import Workbook
from openpyxl.styles import Font

from fanguai.audit.services import record_event

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
WARNING_LABELS = {"red": lambda: _("Red"), "yellow": lambda: _("Yellow"), "": lambda: ""}


def _local(moment) -> str:
    return timezone.localtime(moment).strftime("%Y-%m-%d %H:%M") if moment else ""


def _response(title: str, header: list[str], rows: list[list], filename: str) -> HttpResponse:
    book = Workbook()
    sheet = book.active
    sheet.title = title[:31]
    sheet.append(header)
    for cell in sheet[1]:
        cell.font = Font(bold=True)
    for row in rows:
        sheet.append(row)
    for column in sheet.columns:
        width = max(len(str(c.value or "")) for c in column)
        sheet.column_dimensions[column[0].column_letter].width = min(60, max(10, width * 1.6))
    sheet.freeze_panes = "A2"
    buffer = BytesIO()
    book.save(buffer)
    response = HttpResponse(buffer.getvalue(), content_type=XLSX)
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    return response


def listings_workbook(user, listings) -> HttpResponse:
    rows = [
        [
            listing.number,
            listing.get_kind_display(),
            listing.title,
            listing.case_reference,
            listing.region.name if listing.region_id else "",
            listing.responsible_unit.name,
            listing.due_date,
            listing.get_status_display(),
            WARNING_LABELS.get(listing.warning_level, lambda: "")(),
            _local(listing.created_at),
            _local(listing.lifted_at),
        ]
        for listing in listings
    ]
    record_event("listing.export", actor=user, object_type="supervision.listing", details={"rows": len(rows)})
    header = [
        _("Number"),
        _("Kind"),
        _("Title"),
        _("Case reference"),
        _("Area"),
        _("Responsible unit"),
        _("Deadline"),
        _("Status"),
        _("Warning"),
        _("Listed"),
        _("Lifted"),
    ]
    return _response(_("Listings"), header, rows, f"listings-{timezone.localdate():%Y%m%d}.xlsx")


def inspections_workbook(user, inspections) -> HttpResponse:
    rows = [
        [
            inspection.number,
            inspection.get_kind_display(),
            inspection.title,
            inspection.target_label,
            inspection.scheduled_for,
            inspection.get_status_display(),
            inspection.conducted_on,
            inspection.finding_count,
            inspection.open_rectifications,
            inspection.team,
            inspection.scope,
        ]
        for inspection in inspections
    ]
    record_event(
        "inspection.export", actor=user, object_type="supervision.inspection", details={"rows": len(rows)}
    )
    header = [
        _("Number"),
        _("Type"),
        _("Title"),
        _("Inspected"),
        _("Date"),
        _("Status"),
        _("Conducted on"),
        _("Findings"),
        _("Open rectifications"),
        _("Team"),
        _("Scope"),
    ]
    return _response(_("Inspections"), header, rows, f"inspections-{timezone.localdate():%Y%m%d}.xlsx")
