"""Reads of deadlines, filtered by the Deadline policy."""

from datetime import timedelta

from django.contrib.contenttypes.models import ContentType
from django.db import models
from django.db.models import Q, QuerySet
from django.utils import timezone

from fanguai.core.policies import policy_for

from .models import Deadline

# An open deadline is "due soon" once its warning time has come or when it falls due within this window.
DUE_SOON = timedelta(days=3)
STATES = ("open", "late", "due_soon", "met", "cancelled", "all")


def _in_state(rows: QuerySet[Deadline], state: str, now) -> QuerySet[Deadline]:
    open_ = Deadline.Status.OPEN
    if state == "open":
        return rows.filter(status=open_)
    if state == "late":
        return rows.filter(status=open_, due_at__lte=now)
    if state == "due_soon":
        return rows.filter(status=open_, due_at__gt=now).filter(
            Q(warn_at__lte=now) | Q(due_at__lte=now + DUE_SOON)
        )
    if state == "met":
        return rows.filter(status=Deadline.Status.MET)
    if state == "cancelled":
        return rows.filter(status=Deadline.Status.CANCELLED)
    if state == "all":
        return rows
    raise ValueError(f"unknown deadline state {state!r}")


def visible_deadlines(user, *, state: str = "open", kind: str = "", unit=None) -> QuerySet[Deadline]:
    rows = policy_for(Deadline).visible(
        user, Deadline.objects.select_related("responsible_unit", "content_type")
    )
    rows = _in_state(rows, state, timezone.now())
    if kind:
        rows = rows.filter(kind=kind)
    if unit is not None:
        rows = rows.filter(responsible_unit=unit)
    return rows.order_by("due_at", "id")


def deadlines_for_unit(user, state: str = "open", unit=None) -> QuerySet[Deadline]:
    """The deadlines of one unit (the user's own by default) in a state, as far as the user may see them."""
    unit = unit if unit is not None else getattr(user, "unit", None)
    if unit is None:
        return Deadline.objects.none()
    return visible_deadlines(user, state=state, unit=unit)


def deadlines_of(target: models.Model, user) -> QuerySet[Deadline]:
    """The deadlines of one object that the user may see, newest first. A record page lists only these:
    seeing a record does not show the deadlines addressed to other units (the Deadline policy decides,
    e.g. the city office sees them all)."""
    rows = Deadline.objects.filter(
        content_type=ContentType.objects.get_for_model(target, for_concrete_model=True),
        object_id=str(target.pk),
    ).select_related("responsible_unit")
    return policy_for(Deadline).visible(user, rows).order_by("-due_at", "-id")


def deadline_for_view(user, pk: int) -> Deadline:
    return policy_for(Deadline).get_visible_or_404(user, Deadline.objects.all(), pk=pk)


def urgent_for_unit(user, limit: int = 5) -> list[Deadline]:
    """The unit's late deadlines, then those due soon, earliest first (late ones fall due before the others,
    so one query ordered by the due time gives both in that order)."""
    now = timezone.now()
    rows = deadlines_for_unit(user, "open").filter(
        Q(due_at__lte=now) | Q(warn_at__lte=now) | Q(due_at__lte=now + DUE_SOON)
    )
    return list(rows[:limit])


def unit_summary(user) -> dict[str, int]:
    """Counts for the home panel: open, late and due-soon deadlines of the user's unit, in one query."""
    now = timezone.now()
    rows = deadlines_for_unit(user, "open").order_by()
    due_soon = Q(due_at__gt=now) & (Q(warn_at__lte=now) | Q(due_at__lte=now + DUE_SOON))
    return rows.aggregate(
        open=models.Count("pk"),
        late=models.Count("pk", filter=Q(due_at__lte=now)),
        due_soon=models.Count("pk", filter=due_soon),
    )


def kinds_in_use(user) -> list[str]:
    rows = policy_for(Deadline).visible(user, Deadline.objects.all())
    return sorted(rows.order_by().values_list("kind", flat=True).distinct())


def sees_other_units(user) -> bool:
    """Whether the user's policy reaches beyond their own unit (office staff, leaders, county coordinators):
    the deadlines page then offers to widen the list."""
    rows = policy_for(Deadline).visible(user, Deadline.objects.all())
    return rows.exclude(responsible_unit_id=user.unit_id).exists()
