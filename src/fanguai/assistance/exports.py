"""Excel exports of the main tables (the rows the user may see, with the page's filters); each is audited.
Exports carry record numbers, never names or identity numbers."""

from django.http import HttpResponse
from django.utils import timezone
from django.utils.translation import gettext as _

from fanguai.audit.services import record_event
from fanguai.core.exports import xlsx_response


def _local(moment) -> str:
    return timezone.localtime(moment).strftime("%Y-%m-%d %H:%M") if moment else ""


def _response(title: str, header: list[str], rows: list[list], filename: str) -> HttpResponse:
    return xlsx_response(filename, header, rows, sheet=title)


def _stamp() -> str:
    return f"{timezone.localdate():%Y%m%d}"


def cases_workbook(user, cases) -> HttpResponse:
    rows = [
        [
            case.number,
            case.person.number,
            case.person.get_identity_status_display(),
            case.shelter.name,
            case.handed_over_by_unit.name,
            _local(case.handed_over_at),
            case.get_risk_level_display(),
            case.get_status_display(),
            case.get_outcome_display() if case.outcome else "",
            _local(case.closed_at),
        ]
        for case in cases
    ]
    record_event(
        "assistance.case.export", actor=user, object_type="assistance.case", details={"rows": len(rows)}
    )
    header = [
        _("Case number"),
        _("Record number"),
        _("Identity"),
        _("Shelter"),
        _("Handed over by"),
        _("Handed over at"),
        _("Risk level"),
        _("Status"),
        _("Reintegration outcome"),
        _("Closed"),
    ]
    return _response(_("Assistance cases"), header, rows, f"assistance-cases-{_stamp()}.xlsx")


def referrals_workbook(user, referrals) -> HttpResponse:
    rows = [
        [
            referral.number,
            referral.get_service_display(),
            referral.from_unit.name,
            referral.to_unit.name,
            referral.get_status_display(),
            _local(referral.created_at),
            _local(referral.respond_by),
            _local(referral.responded_at),
            _local(referral.deliver_by),
            _local(referral.delivered_at),
            {True: _("Yes"), False: _("No"), None: ""}[referral.delivered_on_time],
            _("Yes") if referral.is_overdue else "",
        ]
        for referral in referrals
    ]
    record_event(
        "assistance.referral.export",
        actor=user,
        object_type="assistance.referral",
        details={"rows": len(rows)},
    )
    header = [
        _("Referral number"),
        _("Service"),
        _("Referred by"),
        _("Referred to"),
        _("Status"),
        _("Referred"),
        _("Respond by"),
        _("Responded"),
        _("Deliver by"),
        _("Delivered"),
        _("On time"),
        _("Overdue"),
    ]
    return _response(_("Referrals"), header, rows, f"referrals-{_stamp()}.xlsx")


def registrations_workbook(user, registrations) -> HttpResponse:
    rows = [
        [
            r.number,
            r.person.number,
            r.get_category_display(),
            r.county.name,
            r.township.name,
            r.get_risk_level_display(),
            r.get_status_display(),
            r.registered_by_unit.name,
            _local(r.created_at),
        ]
        for r in registrations
    ]
    record_event(
        "assistance.registration.export",
        actor=user,
        object_type="assistance.registration",
        details={"rows": len(rows)},
    )
    header = [
        _("Register number"),
        _("Record number"),
        _("Category"),
        _("County"),
        _("Township"),
        _("Risk level"),
        _("Status"),
        _("Registered by"),
        _("Registered"),
    ]
    return _response(_("Care register"), header, rows, f"care-register-{_stamp()}.xlsx")


def indicators_workbook(user, rows, *, year: int, days: int) -> HttpResponse:
    data = [
        [
            row.label,
            row.persons_assisted,
            row.referrals,
            row.delivered,
            row.delivered_on_time,
            row.on_time_rate,
            row.overdue_open,
            row.minors_with_schooling,
            row.back_in_school,
            row.school_rate,
            row.registered,
            row.high_risk,
            row.care_visits,
        ]
        for row in rows
    ]
    record_event(
        "assistance.indicators.export",
        actor=user,
        object_type="assistance.indicators",
        details={"year": year},
    )
    header = [
        _("Area"),
        _("Persons assisted"),
        _("Referrals"),
        _("Delivered"),
        _("Delivered on time"),
        _("On time (%)"),
        _("Overdue, still open"),
        _("Children with a schooling referral"),
        _("Back in school within %(days)s days") % {"days": days},
        _("Back in school (%)"),
        _("On the care register"),
        _("High risk"),
        _("Care visits"),
    ]
    return _response(_("Indicators"), header, data, f"assistance-indicators-{year}.xlsx")
