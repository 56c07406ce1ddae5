"""Public alerts: publication (with optional approval), the widening of the radius with the time since the
disappearance (run by the background worker), the found notice and withdrawal, and delivery to
subscribers. Every CAP message is kept; each widening and the clearing reference the earlier messages."""

import io
import logging
from datetime import datetime, timedelta
from functools import partial

from django.core import signing
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from PIL import Image, ImageOps

from fanguai.accounts.roles import Role
from fanguai.audit.services import record_event
from fanguai.core.policies import policy_for
from fanguai.files.models import StoredFile
from fanguai.files.policies import may_view_target
from fanguai.files.services import private_storage
from fanguai.notifications.services import notify
from fanguai.org.models import Unit

from . import cap, conf
from .models import Alert, CapMessage, Delivery, MediaRelease, MissingReport, Subscriber
from .services import meet_alert_steps

logger = logging.getLogger(__name__)
OBJECT_TYPE = "missing.alert"
PUBLICITY_UNIT = "341500-publicity"
OFFICE_UNIT = "341500-office"
CITY_POLICE = "341500-police"


def radius_for(elapsed: timedelta) -> int:
    minutes = elapsed.total_seconds() / 60
    for limit, km in conf.radius_schedule():
        if limit is None or minutes < limit:
            return km
    return conf.radius_schedule()[-1][1]


def next_widening_at(alert: Alert, now: datetime) -> datetime | None:
    """When the radius next grows, or None once it is at its widest."""
    elapsed = (now - alert.missing_since).total_seconds() / 60
    for limit, _km in conf.radius_schedule():
        if limit is not None and elapsed < limit:
            return alert.missing_since + timedelta(minutes=limit)
    return None


def public_photo(stored: StoredFile) -> bytes:
    """The published copy of a private photo: re-encoded as a small JPEG, without any metadata."""
    with private_storage().open(stored.storage_name, "rb") as handle:
        image = Image.open(handle)
        image = ImageOps.exif_transpose(image).convert("RGB")
        size = conf.photo_max_pixels()
        image.thumbnail((size, size))
        out = io.BytesIO()
        image.save(out, "JPEG", quality=80, optimize=True)
    return out.getvalue()


def _units(*codes: str) -> list[Unit]:
    return list(Unit.objects.filter(code__in=codes, is_active=True))


def _identifier(alert: Alert) -> str:
    return f"fanguai-{alert.code}-{alert.messages.count() + 1}"


def _issue(alert: Alert, *, msg_type: str, reason: str, now: datetime) -> CapMessage:
    previous = list(alert.messages.order_by("id"))
    message = CapMessage(
        alert=alert,
        identifier=_identifier(alert),
        msg_type=msg_type,
        reason=reason,
        sent=now.replace(microsecond=0),
        radius_km=alert.radius_km,
    )
    message.xml = cap.build_document(alert, message, previous)
    message.save()
    return message


# --- publication ---------------------------------------------------------------------------------------


@transaction.atomic
def request_alert(
    *,
    actor,
    report: MissingReport,
    display_name: str,
    description: str,
    last_seen_place: str,
    latitude,
    longitude,
    age_text: str = "",
    description_en: str = "",
    police_phone: str = "",
    photo: StoredFile | None = None,
    publish_sex: bool = True,
) -> Alert:
    """An investigator publishes an alert from a report. Without required approval it is public at once;
    with it, it waits for a second person."""
    if not policy_for(MissingReport).can(actor, "publish", report):
        raise PermissionDenied
    if report.alerts.filter(status__in=[Alert.Status.PENDING, Alert.Status.ACTIVE]).exists():
        raise ValidationError(_("This report already has an alert."))
    if latitude is None or longitude is None:
        raise ValidationError(_("The alert needs the point where the person was last seen."))
    alert = Alert(
        report=report,
        display_name=display_name,
        sex=report.person.sex if publish_sex and report.person.sex != "unknown" else "",
        age_text=age_text,
        description=description,
        description_en=description_en,
        last_seen_place=last_seen_place,
        missing_since=report.last_seen_at,
        latitude=latitude,
        longitude=longitude,
        police_phone=police_phone or conf.police_phone(),
        created_by=actor,
    )
    if photo is not None:
        if not (photo.is_image and may_view_target(actor, photo.target)):
            raise PermissionDenied
        alert.photo_jpeg = public_photo(photo)
    alert.full_clean(exclude=["photo_jpeg"])
    alert.save()
    record_event(
        "alert.request",
        actor=actor,
        object_type=OBJECT_TYPE,
        object_id=alert.pk,
        changed_fields=["display_name", "description", "last_seen_place", *(["photo"] if photo else [])],
        details={"report": report.pk},
    )
    if conf.approval_required():
        notify(
            units=_units(OFFICE_UNIT, CITY_POLICE),
            roles=[Role.OFFICE_STAFF, Role.INVESTIGATOR],
            kind="missing.alert_approval",
            subject=_("Alert %(code)s awaits approval") % {"code": alert.code},
            link=alert.get_absolute_url(),
        )
        return alert
    return _publish(alert, actor=actor)


@transaction.atomic
def approve_alert(*, actor, alert: Alert) -> Alert:
    alert = Alert.objects.select_for_update().get(pk=alert.pk)
    if not policy_for(Alert).can(actor, "approve", alert):
        raise PermissionDenied
    alert.approved_by = actor
    alert.save(update_fields=["approved_by"])
    record_event(
        "alert.approve",
        actor=actor,
        object_type=OBJECT_TYPE,
        object_id=alert.pk,
        changed_fields=["approved_by"],
    )
    return _publish(alert, actor=actor)


@transaction.atomic
def reject_alert(*, actor, alert: Alert, reason: str = "") -> Alert:
    alert = Alert.objects.select_for_update().get(pk=alert.pk)
    if not policy_for(Alert).can(actor, "approve", alert):
        raise PermissionDenied
    alert.status = Alert.Status.REJECTED
    alert.photo_jpeg = None
    alert.save(update_fields=["status", "photo_jpeg"])
    record_event(
        "alert.reject",
        actor=actor,
        object_type=OBJECT_TYPE,
        object_id=alert.pk,
        changed_fields=["status"],
        details={"reason_given": bool(reason)},
    )
    if alert.created_by_id:
        notify(
            recipients=[alert.created_by],
            kind="missing.alert_rejected",
            subject=_("Alert %(code)s was not approved") % {"code": alert.code},
            body=reason,
            link=alert.get_absolute_url(),
        )
    return alert


def _publish(alert: Alert, *, actor, now: datetime | None = None) -> Alert:
    now = now or timezone.now()
    alert.status = Alert.Status.ACTIVE
    alert.published_at = now
    alert.radius_km = radius_for(now - alert.missing_since)
    alert.save(update_fields=["status", "published_at", "radius_km"])
    message = _issue(alert, msg_type=CapMessage.MsgType.ALERT, reason=CapMessage.Reason.PUBLISH, now=now)
    meet_alert_steps(alert.report, actor=actor)
    fan_out(message)
    record_event(
        "alert.publish",
        actor=actor,
        object_type=OBJECT_TYPE,
        object_id=alert.pk,
        changed_fields=["status", "published_at", "radius_km"],
        details={"identifier": message.identifier, "radius_km": alert.radius_km},
    )
    notify(
        units=_units(PUBLICITY_UNIT),
        roles=[Role.LIAISON],
        kind="missing.alert_published",
        subject=_("New missing-person alert %(code)s to release to the media") % {"code": alert.code},
        link=alert.get_absolute_url(),
    )
    _schedule_widening(alert, now)
    return alert


def _schedule_widening(alert: Alert, now: datetime) -> None:
    """Besides the periodic sweep, ask the worker to widen exactly at the next step when it can defer."""
    from .tasks import widen_alert

    when = next_widening_at(alert, now)
    if when is None or not widen_alert.get_backend().supports_defer:
        return
    transaction.on_commit(partial(widen_alert.using(run_after=when).enqueue, alert.pk))


# --- widening ------------------------------------------------------------------------------------------


@transaction.atomic
def widen(alert: Alert, *, now: datetime | None = None) -> CapMessage | None:
    """Issue a CAP Update with the larger circle when the time since the disappearance calls for one.
    Safe to run any number of times: nothing happens until the radius must grow."""
    now = now or timezone.now()
    alert = Alert.objects.select_for_update().get(pk=alert.pk)
    if alert.status != Alert.Status.ACTIVE:
        return None
    radius = radius_for(now - alert.missing_since)
    if radius <= alert.radius_km:
        return None
    old = alert.radius_km
    alert.radius_km = radius
    alert.save(update_fields=["radius_km"])
    message = _issue(alert, msg_type=CapMessage.MsgType.UPDATE, reason=CapMessage.Reason.WIDEN, now=now)
    fan_out(message)
    record_event(
        "alert.widen",
        object_type=OBJECT_TYPE,
        object_id=alert.pk,
        changed_fields=["radius_km"],
        details={"from_km": old, "to_km": radius, "identifier": message.identifier},
    )
    _schedule_widening(alert, now)
    return message


def widen_due_alerts(now: datetime | None = None) -> int:
    """The periodic job: widen every active alert whose time has come."""
    widened = 0
    for pk in Alert.objects.filter(status=Alert.Status.ACTIVE).values_list("pk", flat=True):
        try:
            widened += widen(Alert(pk=pk), now=now) is not None
        except Exception:
            logger.exception("could not widen alert %s", pk)
    return widened


# --- found and withdrawn --------------------------------------------------------------------------------


@transaction.atomic
def clear_alert(*, actor, alert: Alert, reason: str) -> Alert:
    """Found: a CAP Update saying "found"; withdrawn: a CAP Cancel. Either way the public fields and the
    photo are wiped, earlier CAP documents keep only their envelope, and every subscriber who was alerted
    gets the notice."""
    if reason not in ("found", "withdraw"):
        raise ValueError(reason)
    alert = Alert.objects.select_for_update().get(pk=alert.pk)
    if actor is not None and not policy_for(Alert).can(actor, "manage", alert):
        raise PermissionDenied
    if alert.is_cleared or alert.status == Alert.Status.REJECTED:
        return alert
    now = timezone.now()
    was_public = alert.status == Alert.Status.ACTIVE
    alert.status = Alert.Status.FOUND if reason == "found" else Alert.Status.WITHDRAWN
    alert.cleared_at = now
    for name in ("display_name", "age_text", "description", "description_en", "last_seen_place", "sex"):
        setattr(alert, name, "")
    alert.photo_jpeg = None
    alert.save()
    if not was_public:  # a pending alert was never published: nothing to announce
        record_event(
            "alert.cancel_pending",
            actor=actor,
            object_type=OBJECT_TYPE,
            object_id=alert.pk,
            changed_fields=["status"],
        )
        return alert
    note = "已找到 / Found" if reason == "found" else "已撤销 / Withdrawn"
    for earlier in alert.messages.all():
        earlier.xml = cap.redacted_document(earlier, note)
        earlier.redacted = True
        earlier.save(update_fields=["xml", "redacted"])
    message = _issue(
        alert,
        msg_type=CapMessage.MsgType.UPDATE if reason == "found" else CapMessage.MsgType.CANCEL,
        reason=CapMessage.Reason.FOUND if reason == "found" else CapMessage.Reason.WITHDRAW,
        now=now,
    )
    alerted = Subscriber.objects.filter(deliveries__message__alert=alert).distinct()
    fan_out(message, subscribers=alerted)
    record_event(
        "alert.found" if reason == "found" else "alert.withdraw",
        actor=actor,
        object_type=OBJECT_TYPE,
        object_id=alert.pk,
        changed_fields=["status", "cleared_at", "display_name", "description", "photo"],
        details={"identifier": message.identifier, "notified": alerted.count()},
    )
    notify(
        units=_units(PUBLICITY_UNIT),
        roles=[Role.LIAISON],
        kind="missing.alert_cleared",
        subject=(
            _("Alert %(code)s: the person was found")
            if reason == "found"
            else _("Alert %(code)s was withdrawn")
        )
        % {"code": alert.code},
        link=alert.get_absolute_url(),
    )
    return alert


# --- subscribers ---------------------------------------------------------------------------------------


def subscribers_inside(alert: Alert, radius_km: int):
    """Active subscribers whose location lies inside the circle (great-circle distance)."""
    return [
        s
        for s in Subscriber.objects.filter(is_active=True)
        if cap.haversine_km(alert.latitude, alert.longitude, s.latitude, s.longitude) <= radius_km
    ]


def fan_out(message: CapMessage, subscribers=None) -> list[Delivery]:
    """One delivery per subscriber (inside the message's circle unless given), sent by the worker after
    commit. A subscriber gets each message once."""
    from .tasks import deliver_alert

    if subscribers is None:
        subscribers = subscribers_inside(message.alert, message.radius_km)
    deliveries = []
    for subscriber in subscribers:
        delivery, created = Delivery.objects.get_or_create(message=message, subscriber=subscriber)
        if created:
            deliveries.append(delivery)
            transaction.on_commit(partial(deliver_alert.enqueue, delivery.pk))
    return deliveries


@transaction.atomic
def add_subscriber(*, actor, **fields) -> Subscriber:
    if not policy_for(Subscriber).can(actor, "manage"):
        raise PermissionDenied
    subscriber = Subscriber(created_by=actor, **fields)
    if subscriber.channel == Subscriber.Channel.EMAIL and not subscriber.email:
        raise ValidationError(_("An e-mail subscriber needs an address."))
    if subscriber.channel == Subscriber.Channel.WEBHOOK and not subscriber.webhook_url:
        raise ValidationError(_("A webhook subscriber needs an address."))
    if subscriber.channel == Subscriber.Channel.WEBHOOK and not subscriber.webhook_secret:
        from fanguai.notifications.models import new_webhook_secret

        subscriber.webhook_secret = new_webhook_secret()
    subscriber.full_clean()
    subscriber.save()
    record_event(
        "subscriber.create",
        actor=actor,
        object_type="missing.subscriber",
        object_id=subscriber.pk,
        changed_fields=[k for k, v in fields.items() if v not in ("", None)],
    )
    return subscriber


@transaction.atomic
def set_subscriber_active(*, actor, subscriber: Subscriber, active: bool) -> Subscriber:
    if not policy_for(Subscriber).can(actor, "manage", subscriber):
        raise PermissionDenied
    subscriber.is_active = active
    subscriber.save(update_fields=["is_active"])
    record_event(
        "subscriber.update",
        actor=actor,
        object_type="missing.subscriber",
        object_id=subscriber.pk,
        changed_fields=["is_active"],
    )
    return subscriber


# --- media release -------------------------------------------------------------------------------------


@transaction.atomic
def record_release(
    *, actor, alert: Alert, outlet: str, medium: str, released_at, url: str = "", notes: str = ""
) -> MediaRelease:
    if not policy_for(Alert).can(actor, "release", alert):
        raise PermissionDenied
    release = MediaRelease(
        alert=alert,
        outlet=outlet,
        medium=medium,
        released_at=released_at,
        url=url,
        notes=notes,
        unit=actor.unit,
        created_by=actor,
    )
    release.full_clean()
    release.save()
    record_event(
        "alert.media_release",
        actor=actor,
        object_type=OBJECT_TYPE,
        object_id=alert.pk,
        changed_fields=["releases"],
        details={"medium": medium},
    )
    return release


# --- self-registration of e-mail subscribers (double opt-in) -------------------------------------------

CONFIRM_SALT = "fanguai.missing.subscribe"
UNSUBSCRIBE_SALT = "fanguai.missing.unsubscribe"
CONFIRM_MAX_AGE = 2 * 24 * 3600


def confirm_token(subscriber: Subscriber) -> str:
    return signing.dumps(subscriber.pk, salt=CONFIRM_SALT)


def unsubscribe_token(subscriber: Subscriber) -> str:
    return signing.dumps(subscriber.pk, salt=UNSUBSCRIBE_SALT)


@transaction.atomic
def subscribe_by_email(*, name: str, kind: str, latitude, longitude, email: str) -> Subscriber:
    """A member of the public or an organisation subscribes; nothing is sent to the address until the
    link in the confirmation e-mail is opened (so nobody can subscribe someone else)."""
    from .tasks import send_subscription_confirmation

    subscriber = Subscriber(
        name=name,
        kind=kind,
        latitude=latitude,
        longitude=longitude,
        channel=Subscriber.Channel.EMAIL,
        email=email,
        is_active=False,
    )
    subscriber.full_clean(exclude=["created_by"])
    subscriber.save()
    record_event(
        "subscriber.self_register",
        object_type="missing.subscriber",
        object_id=subscriber.pk,
        changed_fields=["name", "kind", "latitude", "longitude", "email"],
    )
    transaction.on_commit(partial(send_subscription_confirmation.enqueue, subscriber.pk))
    return subscriber


def _from_token(token: str, salt: str, max_age: int | None) -> Subscriber | None:
    try:
        pk = signing.loads(token, salt=salt, max_age=max_age)
    except signing.BadSignature:
        return None
    return Subscriber.objects.filter(pk=pk).first()


@transaction.atomic
def confirm_subscription(token: str) -> Subscriber | None:
    subscriber = _from_token(token, CONFIRM_SALT, CONFIRM_MAX_AGE)
    if subscriber is None or subscriber.confirmed_at is not None:
        return subscriber
    subscriber.confirmed_at = timezone.now()
    subscriber.is_active = True
    subscriber.save(update_fields=["confirmed_at", "is_active"])
    record_event(
        "subscriber.confirm",
        object_type="missing.subscriber",
        object_id=subscriber.pk,
        changed_fields=["confirmed_at", "is_active"],
    )
    return subscriber


@transaction.atomic
def unsubscribe(token: str) -> Subscriber | None:
    subscriber = _from_token(token, UNSUBSCRIBE_SALT, None)
    if subscriber is not None and subscriber.is_active:
        subscriber.is_active = False
        subscriber.save(update_fields=["is_active"])
        record_event(
            "subscriber.unsubscribe",
            object_type="missing.subscriber",
            object_id=subscriber.pk,
            changed_fields=["is_active"],
        )
    return subscriber
