"""Who sees missing-person work. Reports, unidentified persons and screenings follow the case rule:
investigators of the county (or of the handling unit), city-level investigators and the joint conference
office (read-only) see them. Alerts are public once published; the staff side of an alert follows its
report, and the publicity department (liaisons of a publicity unit) sees published alerts to release them
to the media. Blood sample requests are also seen by the DNA laboratory."""

from django.db.models import Q

from fanguai.accounts.roles import Role
from fanguai.core.policies import Policy, register
from fanguai.core.policies import signed_in_with_unit as _active
from fanguai.org.models import Unit

from .models import Alert, BloodSampleRequest, MissingReport, Screening, Subscriber, UnidentifiedPerson

STAFF_ROLES = (Role.INVESTIGATOR, Role.OFFICE_STAFF)


def is_city_wide(user) -> bool:
    return user.role == Role.OFFICE_STAFF or (user.role == Role.INVESTIGATOR and user.is_city_level)


def is_publicity(user) -> bool:
    return _active(user) and user.role == Role.LIAISON and user.unit.sector == Unit.Sector.PUBLICITY


def county_scope(user, prefix: str = "", unit_field: str = "owner_unit") -> Q | None:
    if not _active(user):
        return None
    if is_city_wide(user):
        return Q()
    if user.role == Role.INVESTIGATOR:
        return Q(**{f"{prefix}county": user.county}) | Q(**{f"{prefix}{unit_field}_id": user.unit_id})
    return None


class _CountyPolicy(Policy):
    unit_field = "owner_unit"

    def visible(self, user, queryset):
        condition = county_scope(user, unit_field=self.unit_field)
        return queryset.none() if condition is None else queryset.filter(condition)

    def can_create(self, user) -> bool:
        return _active(user) and user.has_role(Role.INVESTIGATOR)

    def can_change(self, user, obj) -> bool:
        return _active(user) and user.has_role(Role.INVESTIGATOR) and self.can_view(user, obj)


@register(MissingReport)
class MissingReportPolicy(_CountyPolicy):
    def can_publish(self, user, report: MissingReport) -> bool:
        """One live alert per report: a new one only when none is pending or active."""
        return (
            self.can_change(user, report)
            and report.is_open
            and not report.alerts.filter(status__in=[Alert.Status.PENDING, Alert.Status.ACTIVE]).exists()
        )


@register(UnidentifiedPerson)
class UnidentifiedPersonPolicy(_CountyPolicy):
    pass


@register(Screening)
class ScreeningPolicy(_CountyPolicy):
    unit_field = "screening_unit"


@register(Alert)
class AlertPolicy(Policy):
    def visible(self, user, queryset):
        if not _active(user):
            return queryset.none()
        if is_publicity(user):
            return queryset.filter(
                status__in=[Alert.Status.ACTIVE, Alert.Status.FOUND, Alert.Status.WITHDRAWN]
            )
        condition = county_scope(user, prefix="report__")
        return queryset.none() if condition is None else queryset.filter(condition)

    def can_manage(self, user, alert: Alert) -> bool:
        """Withdraw the alert or edit its public text: the investigators who may change the report."""
        return (
            _active(user)
            and user.has_role(Role.INVESTIGATOR)
            and MissingReportPolicy().can_change(user, alert.report)
        )

    def can_approve(self, user, alert: Alert) -> bool:
        """A second person approves: office staff or a city-level investigator, never the requester."""
        return (
            _active(user)
            and alert.status == Alert.Status.PENDING
            and alert.created_by_id != user.pk
            and (user.role == Role.OFFICE_STAFF or (user.role == Role.INVESTIGATOR and user.is_city_level))
        )

    def can_release(self, user, alert: Alert | None = None) -> bool:
        """Record a media release: the publicity department."""
        return is_publicity(user) and (alert is None or alert.status == Alert.Status.ACTIVE)

    def can_see_staff_fields(self, user, alert: Alert) -> bool:
        return not is_publicity(user) and self.can_view(user, alert)


@register(Subscriber)
class SubscriberPolicy(Policy):
    def visible(self, user, queryset):
        if _active(user) and user.has_role(*STAFF_ROLES):
            return queryset
        return queryset.none()

    def can_manage(self, user, obj=None) -> bool:
        return _active(user) and user.has_role(*STAFF_ROLES)


@register(BloodSampleRequest)
class BloodSampleRequestPolicy(Policy):
    def visible(self, user, queryset):
        if not _active(user):
            return queryset.none()
        if user.role == Role.DNA_ANALYST:
            return queryset
        if is_city_wide(user):
            return queryset
        if user.role == Role.INVESTIGATOR:
            return queryset.filter(Q(requesting_unit_id=user.unit_id) | Q(person__county=user.county))
        return queryset.none()

    def can_see_donor(self, user) -> bool:
        """The DNA laboratory takes a request over by its own specimen reference: it never sees the
        donor's person record (identities and specimens are kept apart)."""
        return _active(user) and user.role != Role.DNA_ANALYST

    def can_hand_over(self, user, obj: BloodSampleRequest) -> bool:
        return (
            _active(user) and user.role == Role.DNA_ANALYST and obj.status == BloodSampleRequest.Status.OPEN
        )


def persons_of_visible_reports(user) -> Q | None:
    """People scope: investigators see the missing persons, reporters and unidentified persons of the
    records they may see (e.g. a city-level report about a child of their county)."""
    condition = county_scope(user)
    if condition is None or user.role != Role.INVESTIGATOR:
        return None
    reports = MissingReport.objects.filter(condition)
    unidentified = UnidentifiedPerson.objects.filter(condition)
    return (
        Q(pk__in=reports.values("person_id"))
        | Q(pk__in=reports.exclude(reporter=None).values("reporter_id"))
        | Q(pk__any=unidentified.values("person_id"))
    )
