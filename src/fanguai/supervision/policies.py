"""Who sees and does what in supervision. The office (city-level office staff) sees everything and does every
office step; city-level leaders see everything, read-only; a county coordinator sees the records of the units
of the county; any other user sees the records of their own unit, whose staff (not its leader, who only
reads) report progress and rectifications. The three administrators see nothing."""

from django.db.models import Q

from fanguai.accounts.roles import ADMIN_ROLES, Role
from fanguai.core.policies import Policy, register
from fanguai.core.policies import signed_in as _active
from fanguai.core.policies import unit_scope as shared_unit_scope
from fanguai.org.selectors import units_in_county

from .models import (
    Finding,
    Inspection,
    LiftRequest,
    Listing,
    ListingWarning,
    ProgressReport,
    Rectification,
    RectificationReport,
    TimelineEntry,
)

CITY_WIDE_ROLES = (Role.OFFICE_STAFF, Role.LEADER)
READ_ONLY_ROLES = (Role.LEADER, *ADMIN_ROLES)


def works_here(user) -> bool:
    """Whether the user may open the supervision pages at all."""
    return _active(user) and user.unit_id is not None and user.role not in ADMIN_ROLES


def is_office(user) -> bool:
    return works_here(user) and user.role == Role.OFFICE_STAFF and user.is_city_level


def sees_everything(user) -> bool:
    return works_here(user) and user.role in CITY_WIDE_ROLES and user.is_city_level


def unit_scope(user, unit_field: str) -> Q | None:
    """The rows whose `unit_field` is a unit the user answers for: None for nothing, Q() for every row."""
    return shared_unit_scope(
        user, unit_field, city_roles=CITY_WIDE_ROLES, county_roles=(Role.COUNTY_COORDINATOR,)
    )


def may_act_for_unit(user, unit_id: int) -> bool:
    """Staff of the unit itself, except its leader (read-only)."""
    return works_here(user) and user.role not in READ_ONLY_ROLES and user.unit_id == unit_id


class ScopedPolicy(Policy):
    unit_field = "responsible_unit"

    def visible(self, user, queryset):
        condition = unit_scope(user, self.unit_field)
        return queryset.none() if condition is None else queryset.filter(condition)


@register(Listing)
class ListingPolicy(ScopedPolicy):
    def can_create(self, user) -> bool:
        return is_office(user)

    def can_export(self, user) -> bool:
        return works_here(user)

    def can_change(self, user, listing: Listing) -> bool:
        return is_office(user) and listing.is_open

    def can_report(self, user, listing: Listing) -> bool:
        return listing.is_open and may_act_for_unit(user, listing.responsible_unit_id)

    def can_attach(self, user, listing: Listing) -> bool:
        return self.can_report(user, listing) or self.can_change(user, listing)

    def can_request_lift(self, user, listing: Listing) -> bool:
        return listing.status == Listing.Status.ACTIVE and may_act_for_unit(user, listing.responsible_unit_id)

    def can_decide_lift(self, user, listing: Listing) -> bool:
        return is_office(user) and listing.status == Listing.Status.LIFT_REQUESTED


@register(ProgressReport)
class ProgressReportPolicy(ScopedPolicy):
    unit_field = "listing__responsible_unit"

    def can_correct(self, user, report: ProgressReport) -> bool:
        """The reporting unit's staff, until the office lifts the listing (accepts what was reported)."""
        return (
            report.withdrawn_at is None
            and report.listing.status != Listing.Status.LIFTED
            and may_act_for_unit(user, report.unit_id)
        )

    def can_withdraw(self, user, report: ProgressReport) -> bool:
        return self.can_correct(user, report)


@register(ListingWarning)
class ListingWarningPolicy(ScopedPolicy):
    unit_field = "listing__responsible_unit"


@register(LiftRequest)
class LiftRequestPolicy(ScopedPolicy):
    unit_field = "listing__responsible_unit"


@register(Inspection)
class InspectionPolicy(Policy):
    """An inspection is seen by the inspected unit, by the units ordered to rectify something, and by the
    county coordinator of the inspected county or of any of those units."""

    def visible(self, user, queryset):
        if not works_here(user):
            return queryset.none()
        if sees_everything(user):
            return queryset
        condition = Q(target_unit_id=user.unit_id) | Q(rectifications__responsible_unit_id=user.unit_id)
        if user.role == Role.COUNTY_COORDINATOR and user.county is not None:
            condition |= (
                Q(target_region=user.county)
                | units_in_county(user.county, prefix="target_unit__")
                | units_in_county(user.county, prefix="rectifications__responsible_unit__")
            )
        return queryset.filter(pk__in=Inspection.objects.filter(condition).values("pk"))

    def can_create(self, user) -> bool:
        return is_office(user)

    def can_export(self, user) -> bool:
        return works_here(user)

    def can_change(self, user, inspection: Inspection) -> bool:
        return is_office(user) and inspection.status != Inspection.Status.CLOSED

    def can_conduct(self, user, inspection: Inspection) -> bool:
        return is_office(user) and inspection.status == Inspection.Status.SCHEDULED

    def can_add_finding(self, user, inspection: Inspection) -> bool:
        return self.can_change(user, inspection)

    def can_close(self, user, inspection: Inspection) -> bool:
        return (
            is_office(user)
            and inspection.status == Inspection.Status.CONDUCTED
            and not inspection.rectifications.exclude(status=Rectification.Status.CLOSED).exists()
        )


@register(Finding)
class FindingPolicy(Policy):
    def visible(self, user, queryset):
        inspections = InspectionPolicy().visible(user, Inspection.objects.all())
        return queryset.filter(inspection__in=inspections.values("pk"))

    def can_rectify(self, user, finding: Finding) -> bool:
        return is_office(user) and finding.inspection.status != Inspection.Status.CLOSED


@register(Rectification)
class RectificationPolicy(ScopedPolicy):
    def can_report(self, user, rectification: Rectification) -> bool:
        return rectification.status == Rectification.Status.OPEN and may_act_for_unit(
            user, rectification.responsible_unit_id
        )

    def can_review(self, user, rectification: Rectification) -> bool:
        return is_office(user) and rectification.status == Rectification.Status.REPORTED


@register(RectificationReport)
class RectificationReportPolicy(ScopedPolicy):
    unit_field = "rectification__responsible_unit"

    def can_correct(self, user, report: RectificationReport) -> bool:
        """The reporting unit's staff, until the office accepts the rectification."""
        return (
            report.withdrawn_at is None
            and report.rectification.status != Rectification.Status.CLOSED
            and may_act_for_unit(user, report.unit_id)
        )

    def can_withdraw(self, user, report: RectificationReport) -> bool:
        return self.can_correct(user, report)


@register(TimelineEntry)
class TimelineEntryPolicy(Policy):
    def visible(self, user, queryset):
        if not works_here(user):
            return queryset.none()
        listings = ListingPolicy().visible(user, Listing.objects.all()).values("pk")
        inspections = InspectionPolicy().visible(user, Inspection.objects.all()).values("pk")
        rectifications = RectificationPolicy().visible(user, Rectification.objects.all()).values("pk")
        return queryset.filter(
            Q(listing__in=listings)
            | Q(inspection__in=inspections, rectification__isnull=True)
            | Q(rectification__in=rectifications)
        )
