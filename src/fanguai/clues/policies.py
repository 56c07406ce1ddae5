"""Who sees and handles which clues.

- The joint conference office (and city-level police) see every clue and triage all of them.
- County police investigators see and triage the clues of their county.
- A unit sees the clues transferred to it (now or before) and the clues it recorded itself.
- Leaders and the three administrators see no clue (leaders see the statistics only).

The reporter's identity is for those who triage the clue (office, police of its county): each view of it is
audited (selectors.reporter_for_view)."""

from django.db.models import Q

from fanguai.accounts.roles import Role
from fanguai.core.policies import Policy, register

from .models import Clue, ClueTransfer, Reward

INTAKE_ROLES = (Role.OFFICE_STAFF, Role.INVESTIGATOR, Role.LIAISON, Role.CASEWORKER, Role.COUNTY_COORDINATOR)
WORKER_ROLES = INTAKE_ROLES
STATISTICS_ROLES = (Role.OFFICE_STAFF, Role.INVESTIGATOR, Role.LEADER, Role.COUNTY_COORDINATOR)


def _active(user) -> bool:
    return bool(
        getattr(user, "is_authenticated", False) and getattr(user, "is_active", False) and user.unit_id
    )


def is_city_triager(user) -> bool:
    return _active(user) and (
        user.role == Role.OFFICE_STAFF or (user.role == Role.INVESTIGATOR and user.is_city_level)
    )


def triage_scope(user) -> Q | None:
    """The clues the user triages: every one for the office, their county's for county police."""
    if not _active(user):
        return None
    if is_city_triager(user):
        return Q()
    if user.role == Role.INVESTIGATOR and user.county is not None:
        return Q(county=user.county)
    return None


@register(Clue)
class CluePolicy(Policy):
    def scope(self, user) -> Q | None:
        if not _active(user) or user.role not in WORKER_ROLES:
            return None
        triage = triage_scope(user)
        if triage is not None and not triage:
            return Q()
        # The transfers as a subquery, not a join: a join duplicates clues and its OR defeats every index, so
        # the list had to be wrapped in `pk IN (...)` and sorted whole (1 s at year scale) before LIMIT.
        transferred = ClueTransfer.objects.filter(to_unit_id=user.unit_id).values("clue_id")
        unit_scope = Q(pk__any=transferred) | Q(received_by_unit_id=user.unit_id)
        return unit_scope if triage is None else triage | unit_scope

    def visible(self, user, queryset):
        condition = self.scope(user)
        if condition is None:
            return queryset.none()
        return queryset.filter(condition)

    def can_create(self, user) -> bool:
        return _active(user) and user.role in INTAKE_ROLES

    def can_triage(self, user, clue: Clue) -> bool:
        scope = triage_scope(user)
        if scope is None:
            return False
        return not scope or (clue.county_id is not None and clue.county_id == user.county.pk)

    def _is_responsible(self, user, clue: Clue) -> bool:
        return _active(user) and user.role in WORKER_ROLES and clue.responsible_unit_id == user.unit_id

    def can_acknowledge(self, user, clue: Clue) -> bool:
        return self._is_responsible(user, clue) and clue.status == Clue.Status.TRANSFERRED

    def can_report_outcome(self, user, clue: Clue) -> bool:
        return self._is_responsible(user, clue) and clue.status == Clue.Status.ACKNOWLEDGED

    def can_message_reporter(self, user, clue: Clue) -> bool:
        """Questions and replies to the reporter: those who triage the clue and the unit handling it."""
        return clue.source == "public" and (self.can_triage(user, clue) or self._is_responsible(user, clue))

    def can_note(self, user, clue: Clue) -> bool:
        return self.can_triage(user, clue) or self._is_responsible(user, clue)

    def can_view_reporter(self, user, clue: Clue) -> bool:
        return clue.reporter_id is not None and self.can_triage(user, clue)

    def can_propose_reward(self, user, clue: Clue | None = None) -> bool:
        return _active(user) and user.role == Role.OFFICE_STAFF


@register(Reward)
class RewardPolicy(Policy):
    """Rewards are the office's business."""

    def visible(self, user, queryset):
        if _active(user) and user.role == Role.OFFICE_STAFF:
            return queryset
        return queryset.none()

    def can_decide(self, user, reward: Reward) -> bool:
        # Four eyes: whoever proposed a reward does not approve it.
        return (
            _active(user)
            and user.role == Role.OFFICE_STAFF
            and reward.status == Reward.Status.PROPOSED
            and reward.proposed_by_id != user.pk
        )

    def can_pay(self, user, reward: Reward) -> bool:
        return _active(user) and user.role == Role.OFFICE_STAFF and reward.status == Reward.Status.APPROVED


def can_handle_rewards(user) -> bool:
    return _active(user) and user.role == Role.OFFICE_STAFF


def can_view_statistics(user) -> bool:
    return _active(user) and user.role in STATISTICS_ROLES


def reporter_person_scope(user) -> Q | None:
    """For people.policies.add_scope: county police see the reporters of their county's clues."""
    if not _active(user) or user.role != Role.INVESTIGATOR or user.county is None:
        return None
    return Q(pk__in=Clue.objects.filter(county=user.county, reporter__isnull=False).values("reporter_id"))
