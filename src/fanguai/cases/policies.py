"""Who sees and works on trafficking cases. Investigators work on the cases of their county (or their own
unit's); city-level investigators and the joint conference office see every case; the office reads and
supervises but does not investigate. Everyone else sees none. The persons of a visible case become visible
to the case's investigators through a people scope."""

from django.db.models import Q

from fanguai.accounts.roles import Role
from fanguai.core.policies import Policy, register
from fanguai.core.policies import signed_in_with_unit as _active

from .models import Case

# Roles that see the aggregate clearance rate (发一破一); county-level users see their own county only.
CLEARANCE_ROLES = (Role.INVESTIGATOR, Role.OFFICE_STAFF, Role.LEADER, Role.COUNTY_COORDINATOR)
NAV_ROLES = (Role.INVESTIGATOR, Role.OFFICE_STAFF)


# Who may be named chief (一长) or package owner (包): investigators and leaders of the police.
RESPONSIBLE_ROLES = (Role.INVESTIGATOR, Role.LEADER)


def assigned_to(user) -> Q:
    """The cases whose chief or one of whose package owners is the user (a subquery, not a join)."""
    from .models import Responsibility

    records = Responsibility.objects.filter(Q(chief_id=user.pk) | Q(packages__owner_id=user.pk))
    return Q(pk__in=records.values("case_id"))


def case_scope(user) -> Q | None:
    """The cases a user may see, as a condition on Case (None: no case at all). The chief and the package
    owners of a case answer for it, so they see it (a police leader named chief reads it, not more)."""
    if not _active(user):
        return None
    if user.role == Role.OFFICE_STAFF or (user.role == Role.INVESTIGATOR and user.is_city_level):
        return Q()
    if user.role == Role.INVESTIGATOR:
        return Q(county=user.county) | Q(owner_unit_id=user.unit_id) | assigned_to(user)
    if user.role in RESPONSIBLE_ROLES:
        return assigned_to(user)
    return None


@register(Case)
class CasePolicy(Policy):
    def visible(self, user, queryset):
        condition = case_scope(user)
        return queryset.none() if condition is None else queryset.filter(condition)

    def can_create(self, user) -> bool:
        return _active(user) and user.has_role(Role.INVESTIGATOR)

    def can_change(self, user, case: Case) -> bool:
        return _active(user) and user.has_role(Role.INVESTIGATOR) and self.can_view(user, case)

    def can_see_clearance(self, user) -> bool:
        return _active(user) and user.has_role(*CLEARANCE_ROLES)


def persons_of_visible_cases(user) -> Q | None:
    """People scope: an investigator sees the victims and suspects of the cases they may see."""
    condition = case_scope(user)
    if condition is None or user.role != Role.INVESTIGATOR:
        return None
    from .models import CaseParty

    case_ids = Case.objects.filter(condition).values("pk")
    return Q(pk__any=CaseParty.objects.filter(case__in=case_ids).values("person_id"))
