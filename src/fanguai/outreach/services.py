"""Writes on activities: each in one transaction with its audit event; a source-governance action with a
rectification deadline opens a deadline for its unit, met when the problem is rectified."""

from datetime import timedelta

from django.core.exceptions import PermissionDenied
from django.db import transaction

from fanguai.audit.services import record_event
from fanguai.core.policies import policy_for
from fanguai.deadlines.services import cancel_deadline, create_deadline, end_of_day, meet_deadline

from .deadline_kinds import RECTIFICATION
from .models import Activity

FIELDS = (
    "kind",
    "title",
    "region",
    "held_on",
    "place",
    "audience",
    "people_reached",
    "materials",
    "campaign_day",
    "description",
    "target",
    "problem",
    "rectification",
    "rectify_by",
)


def _sync_deadline(activity: Activity, actor) -> None:
    if activity.status == Activity.Status.RECTIFYING and activity.rectify_by:
        create_deadline(
            target=activity,
            kind=RECTIFICATION,
            due_at=end_of_day(activity.rectify_by),
            responsible_unit=activity.unit,
            warn_before=timedelta(days=7),
            actor=actor,
        )
    elif activity.status == Activity.Status.RECTIFIED:
        meet_deadline(target=activity, kind=RECTIFICATION, actor=actor)
    else:
        cancel_deadline(target=activity, kind=RECTIFICATION, actor=actor)


def _derive(activity: Activity) -> None:
    activity.county = activity.region.county if activity.region_id else activity.unit.county
    if activity.kind != Activity.Kind.GOVERNANCE:
        activity.target, activity.problem, activity.rectification, activity.rectify_by = "", "", "", None
        activity.status = Activity.Status.DONE
    elif activity.status == Activity.Status.DONE:
        activity.status = Activity.Status.RECTIFYING if activity.rectify_by else Activity.Status.RECTIFIED


@transaction.atomic
def record_activity(*, actor, **fields) -> Activity:
    if not policy_for(Activity).can(actor, "create"):
        raise PermissionDenied
    activity = Activity(unit=actor.unit, created_by=actor, **{k: v for k, v in fields.items() if k in FIELDS})
    _derive(activity)
    activity.full_clean()
    activity.save()
    _sync_deadline(activity, actor)
    record_event(
        "activity.create",
        actor=actor,
        object_type="outreach.activity",
        object_id=activity.pk,
        changed_fields=[k for k in FIELDS if fields.get(k) not in (None, "", 0)],
    )
    return activity


@transaction.atomic
def update_activity(*, actor, activity: Activity, **changes) -> Activity:
    if not policy_for(Activity).can(actor, "change", activity):
        raise PermissionDenied
    activity = Activity.objects.select_for_update().get(pk=activity.pk)
    changed = [k for k, v in changes.items() if k in FIELDS and getattr(activity, k) != v]
    for name in changed:
        setattr(activity, name, changes[name])
    _derive(activity)
    activity.full_clean()
    activity.save()
    _sync_deadline(activity, actor)
    record_event(
        "activity.update",
        actor=actor,
        object_type="outreach.activity",
        object_id=activity.pk,
        changed_fields=changed,
    )
    return activity


@transaction.atomic
def mark_rectified(*, actor, activity: Activity) -> Activity:
    if not policy_for(Activity).can(actor, "change", activity) or activity.kind != Activity.Kind.GOVERNANCE:
        raise PermissionDenied
    activity.status = Activity.Status.RECTIFIED
    activity.save(update_fields=["status", "updated_at"])
    meet_deadline(target=activity, kind=RECTIFICATION, actor=actor)
    record_event(
        "activity.rectified",
        actor=actor,
        object_type="outreach.activity",
        object_id=activity.pk,
        changed_fields=["status"],
    )
    return activity
