"""Who sees which person records. Identities are sensitive personal information: the DNA laboratory,
leaders and the three administrators never see them; county staff see their county; a unit sees what it
registered. Later apps add scopes (e.g. the persons of a referral sent to a unit) with `add_scope`."""

from collections.abc import Callable

from django.db.models import Q

from fanguai.accounts.roles import Role
from fanguai.core.policies import Policy, register

from .models import Person

CREATOR_ROLES = (Role.OFFICE_STAFF, Role.INVESTIGATOR, Role.CASEWORKER, Role.LIAISON)
_extra_scopes: list[Callable[[object], Q | None]] = []


def add_scope(scope: Callable[[object], Q | None]) -> None:
    """Register a function user -> Q of further persons that user may see (None: nothing more)."""
    _extra_scopes.append(scope)


@register(Person)
class PersonPolicy(Policy):
    def scope(self, user) -> Q | None:
        if not getattr(user, "is_authenticated", False) or not user.is_active or user.unit_id is None:
            return None
        conditions: list[Q] = []
        if user.role == Role.OFFICE_STAFF or (user.role == Role.INVESTIGATOR and user.is_city_level):
            return Q()
        if user.role == Role.INVESTIGATOR:
            conditions += [Q(county=user.county), Q(registered_by_unit=user.unit)]
        elif user.role in (Role.CASEWORKER, Role.LIAISON):
            conditions.append(Q(registered_by_unit=user.unit))
        for extra in _extra_scopes:
            condition = extra(user)
            if condition is not None:
                conditions.append(condition)
        if not conditions:
            return None
        combined = conditions[0]
        for condition in conditions[1:]:
            combined |= condition
        return combined

    def visible(self, user, queryset):
        condition = self.scope(user)
        if condition is None:
            return queryset.none()
        return queryset.filter(condition, merged_into__isnull=True)

    def can_create(self, user) -> bool:
        return user.has_role(*CREATOR_ROLES) and user.unit_id is not None

    def can_change(self, user, person: Person) -> bool:
        return user.has_role(*CREATOR_ROLES) and self.can_view(user, person)

    def page_actions(self, user, person: Person) -> dict[str, bool]:
        """What a person page offers (change, merge), asking whether the record is visible once, not once
        for each action."""
        visible = self.can_view(user, person)
        return {
            "change": visible and user.has_role(*CREATOR_ROLES),
            "merge": visible and user.has_role(Role.OFFICE_STAFF, Role.INVESTIGATOR),
        }

    def can_merge(self, user, person: Person | None = None) -> bool:
        allowed = user.has_role(Role.OFFICE_STAFF, Role.INVESTIGATOR)
        return allowed if person is None else allowed and self.can_view(user, person)
