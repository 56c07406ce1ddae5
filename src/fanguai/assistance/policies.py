"""Who sees and does what in the care of rescued persons.

- A shelter's caseworkers run its cases; the civil-affairs bureau above the shelter (and the city's, for
  every shelter) and the city office read them; the civil-affairs liaisons and the office approve closures.
- A referral is seen by its parties only: the sending unit (which alone may withdraw it) and the receiving
  unit, which sees of the person only the fields the consent for that unit allows (the referral page); it
  opens the person record itself only where the consent says so (the `full_record` scope added to the people
  policy). The city office supervises every referral but is shown nothing of the person's identity: a
  consent is given to one unit, never to the supervisor. Units that merely see the case or the register
  entry (the civil-affairs bureau above a shelter, the county's care units) do not see its referrals.
  Leaders and the administrators see no care records.
- The left-behind register is kept by the care units (civil affairs, women's federation, youth league,
  health, education, women-and-children committee, shelters): county units see the register of their
  county, city units all of it; the county coordinator reads the county's; the office reads everything.
"""

from django.db.models import Q

from fanguai.accounts.roles import ADMIN_ROLES, Role
from fanguai.core.policies import Policy, register
from fanguai.core.policies import signed_in as _active
from fanguai.org.models import Unit

from .models import AssistanceCase, CareRegistration, DnaSamplingRequest, Referral

CARE_SECTORS = (
    Unit.Sector.CIVIL_AFFAIRS,
    Unit.Sector.WOMEN_FEDERATION,
    Unit.Sector.YOUTH_LEAGUE,
    Unit.Sector.HEALTH,
    Unit.Sector.EDUCATION,
    Unit.Sector.WOMEN_CHILDREN,
)
# Roles that act for their unit on a referral received.
RECEIVER_ROLES = (
    Role.LIAISON,
    Role.INVESTIGATOR,
    Role.CASEWORKER,
    Role.COUNTY_COORDINATOR,
    Role.OFFICE_STAFF,
)
# Roles that act for their unit on a referral sent (those who may refer: a shelter's caseworkers, the care
# workers of the register).
SENDER_ROLES = (Role.CASEWORKER, Role.LIAISON)
CASE_ROLES = (Role.CASEWORKER, Role.LIAISON, Role.OFFICE_STAFF)
REGISTER_ROLES = (Role.CASEWORKER, Role.LIAISON, Role.OFFICE_STAFF, Role.COUNTY_COORDINATOR)


def works_here(user) -> bool:
    return _active(user) and user.unit_id is not None and user.role not in ADMIN_ROLES


def is_office(user) -> bool:
    return works_here(user) and user.role == Role.OFFICE_STAFF and user.is_city_level


def is_civil_affairs_liaison(user) -> bool:
    return works_here(user) and user.role == Role.LIAISON and user.unit.sector == Unit.Sector.CIVIL_AFFAIRS


def is_care_worker(user) -> bool:
    """Staff of a care unit who keep the left-behind register and visit."""
    return (
        works_here(user) and user.role in (Role.CASEWORKER, Role.LIAISON) and user.unit.sector in CARE_SECTORS
    )


def case_scope(user, prefix: str = "") -> Q | None:
    """The assistance cases the user may open (None: none)."""
    if not works_here(user):
        return None
    if is_office(user):
        return Q()
    if user.role == Role.CASEWORKER:
        return Q(**{f"{prefix}shelter_id": user.unit_id})
    if is_civil_affairs_liaison(user):
        if user.is_city_level:
            return Q()
        return Q(**{f"{prefix}shelter__parent_id": user.unit_id})
    return None


def registration_scope(user, prefix: str = "") -> Q | None:
    if not works_here(user):
        return None
    if is_office(user):
        return Q()
    own = Q(**{f"{prefix}registered_by_unit_id": user.unit_id})
    if is_care_worker(user):
        return Q() if user.is_city_level else own | Q(**{f"{prefix}county": user.county})
    if user.role == Role.COUNTY_COORDINATOR and user.county is not None:
        return Q(**{f"{prefix}county": user.county})
    return None


def referral_scope(user) -> Q | None:
    """Referrals the user may open: those sent or received by the user's own unit (the parties), and every
    referral for the city office, which supervises them."""
    if not works_here(user):
        return None
    if is_office(user):
        return Q()
    conditions = []
    if user.role in SENDER_ROLES:
        conditions.append(Q(from_unit_id=user.unit_id))
    if user.role in RECEIVER_ROLES:
        conditions.append(Q(to_unit_id=user.unit_id))
    if not conditions:
        return None
    combined = conditions[0]
    for condition in conditions[1:]:
        combined |= condition
    return combined


def _filter(queryset, condition):
    return queryset.none() if condition is None else queryset.filter(condition)


@register(AssistanceCase)
class AssistanceCasePolicy(Policy):
    def visible(self, user, queryset):
        return _filter(queryset, case_scope(user))

    def can_list(self, user) -> bool:
        return case_scope(user) is not None

    def can_create(self, user) -> bool:
        return works_here(user) and user.role == Role.CASEWORKER

    def can_change(self, user, case: AssistanceCase) -> bool:
        return (
            works_here(user)
            and user.role == Role.CASEWORKER
            and user.unit_id == case.shelter_id
            and case.status == AssistanceCase.Status.OPEN
        )

    def can_approve_closure(self, user, case: AssistanceCase) -> bool:
        return (
            case.status == AssistanceCase.Status.CLOSURE_REQUESTED
            and (is_office(user) or is_civil_affairs_liaison(user))
            and self.can_view(user, case)
        )

    def can_export(self, user) -> bool:
        return self.can_list(user)


@register(CareRegistration)
class CareRegistrationPolicy(Policy):
    def visible(self, user, queryset):
        return _filter(queryset, registration_scope(user))

    def can_list(self, user) -> bool:
        return registration_scope(user) is not None

    def can_create(self, user) -> bool:
        return is_care_worker(user)

    def can_change(self, user, registration: CareRegistration) -> bool:
        return (
            is_care_worker(user)
            and registration.status == CareRegistration.Status.ACTIVE
            and self.can_view(user, registration)
        )

    def can_export(self, user) -> bool:
        return self.can_list(user)


@register(Referral)
class ReferralPolicy(Policy):
    def visible(self, user, queryset):
        return _filter(queryset, referral_scope(user))

    def can_list(self, user) -> bool:
        return referral_scope(user) is not None

    def is_receiver(self, user, referral: Referral) -> bool:
        return works_here(user) and user.role in RECEIVER_ROLES and user.unit_id == referral.to_unit_id

    def is_sender(self, user, referral: Referral) -> bool:
        return works_here(user) and user.role in SENDER_ROLES and user.unit_id == referral.from_unit_id

    def can_respond(self, user, referral: Referral) -> bool:
        return self.is_receiver(user, referral) and referral.status == Referral.Status.PENDING

    def can_deliver(self, user, referral: Referral) -> bool:
        return self.is_receiver(user, referral) and referral.status == Referral.Status.ACCEPTED

    def can_withdraw(self, user, referral: Referral) -> bool:
        """Only the sending unit withdraws, and only while it still works on the case or register entry."""
        if not referral.is_active or not self.is_sender(user, referral):
            return False
        if referral.case_id:
            return AssistanceCasePolicy().can_change(user, referral.case)
        return CareRegistrationPolicy().can_change(user, referral.registration)

    def sees_whole_record(self, user, referral: Referral) -> bool:
        """The sending unit sees the whole record (as far as it sees the case or register entry); the
        receiving unit only what its consent allows; the supervising office nothing of the identity."""
        if not self.is_sender(user, referral):
            return False
        if referral.case_id:
            return AssistanceCasePolicy().can_view(user, referral.case)
        return CareRegistrationPolicy().can_view(user, referral.registration)

    def shares_consented_fields(self, user, referral: Referral) -> bool:
        """A consent is given to one unit: only the receiving unit is shown what it allows."""
        return self.is_receiver(user, referral)

    def can_export(self, user) -> bool:
        return self.can_list(user)


@register(DnaSamplingRequest)
class DnaSamplingRequestPolicy(Policy):
    """The DNA laboratory sees the requests addressed to it, by request and specimen number only (never a
    name, a person record number or id: identities and specimens are kept apart); the city office
    supervises every request and sees the person's record number."""

    def visible(self, user, queryset):
        if is_office(user):
            return queryset
        if _active(user) and user.unit_id is not None and user.role == Role.DNA_ANALYST:
            return queryset.filter(laboratory_id=user.unit_id)
        return queryset.none()

    def can_list(self, user) -> bool:
        return is_office(user) or (
            _active(user) and user.unit_id is not None and user.role == Role.DNA_ANALYST
        )

    def can_see_person(self, user) -> bool:
        return is_office(user)


def indicator_scope(user) -> str | None:
    """Which indicators the user may read: 'city', a county code, or None."""
    if not works_here(user):
        return None
    if user.role in (Role.OFFICE_STAFF, Role.LEADER, Role.LIAISON, Role.COUNTY_COORDINATOR, Role.CASEWORKER):
        if user.is_city_level:
            return "city"
        return user.county.code if user.county else None
    return None


def persons_of_referrals(user) -> Q | None:
    """Extra people-policy scope: the persons of active referrals received by the user's unit, where the
    consent for that unit covers the whole record."""
    if not works_here(user) or user.role not in RECEIVER_ROLES:
        return None
    from .models import Referral as _Referral

    person_ids = _Referral.objects.filter(
        to_unit_id=user.unit_id,
        status__in=_Referral.ACTIVE,
        consent__withdrawn_on__isnull=True,
        consent__full_record=True,
    ).values("person_id")
    return Q(pk__any=person_ids)
