"""Excel exports of the listing and inspection tables (the rows the user may see, with the page's filters)."""

from django.http import HttpResponse
from django.utils import timezone
from django.utils.translation import gettext as _

from fanguai.audit.services import record_event
from fanguai.core.exports import xlsx_response

WARNING_LABELS = {"red": lambda: _("Red"), "yellow": lambda: _("Yellow"), "": lambda: ""}


def _local(moment) -> str:
    return timezone.localtime(moment).strftime("%Y-%m-%d %H:%M") if moment else ""


def _response(title: str, header: list[str], rows: list[list], filename: str) -> HttpResponse:
    return xlsx_response(filename, header, rows, sheet=title)


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
