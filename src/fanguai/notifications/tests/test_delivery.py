"""notify() end to end: the inbox, e-mail through a real local SMTP server, webhooks to a real local HTTP
receiver with the signature checked."""

import email
import hashlib
import hmac
import json
from email.header import decode_header, make_header

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import connection, transaction
from django.test import override_settings

from fanguai.audit.models import AuditEvent
from fanguai.notifications.delivery import verify_signature
from fanguai.notifications.models import Notification, Webhook, WebhookDelivery
from fanguai.notifications.services import add_webhook, notify, set_webhook_active

from .cast import make_user
from .servers import free_port, http_receiver, smtp_server

PERSONAL = "王某某 身份证 34152219900101002X"


def smtp_settings(port: int):
    return override_settings(
        EMAIL_BACKEND="django.core.mail.backends.smtp.EmailBackend",
        EMAIL_HOST="127.0.0.1",
        EMAIL_PORT=port,
        EMAIL_HOST_USER="",
        EMAIL_HOST_PASSWORD="",
        EMAIL_USE_TLS=False,
        EMAIL_USE_SSL=False,
        DEFAULT_FROM_EMAIL="fanguai@test.invalid",
        SITE_URL="https://fanguai.test",
    )


def subject_of(envelope) -> str:
    message = email.message_from_bytes(envelope.content)
    return str(make_header(decode_header(message["Subject"])))


@pytest.mark.django_db
def test_units_expand_to_their_active_users_filtered_by_role(places, alice, dave, bob, charlie):
    retired = make_user("t_retired", "investigator", places["police_a"])
    retired.is_active = False
    retired.save()
    rows = notify(units=[places["police_a"]], subject="Hello", kind="test")
    assert {n.recipient for n in rows} == {alice, dave}
    rows = notify(units=[places["police_a"]], roles=["leader"], subject="Leaders only")
    assert [n.recipient for n in rows] == [dave]
    rows = notify(recipients=[alice, bob, retired], units=[places["police_a"]], subject="No duplicates")
    assert sorted(n.recipient.username for n in rows) == ["t_alice", "t_bob", "t_dave"]
    assert len({n.event_id for n in rows}) == 1
    assert not Notification.objects.filter(recipient=charlie).exists()


@pytest.mark.django_db
def test_notify_is_audited_without_personal_data(alice):
    [row] = notify(recipients=[alice], subject="Case update", body=PERSONAL, kind="case")
    event = AuditEvent.objects.get(action="notification.send", object_id=str(row.event_id))
    assert event.details["recipients"] == 1 and event.details["kind"] == "case"
    assert "王某某" not in json.dumps(event.details, ensure_ascii=False)


@pytest.mark.django_db
def test_subjects_are_one_line():
    from fanguai.notifications.services import _one_line

    assert _one_line("a\r\nBcc: x@evil\n b", 200) == "a Bcc: x@evil b"


@pytest.mark.django_db
def test_email_goes_through_a_real_smtp_server(places, alice, dave, django_capture_on_commit_callbacks):
    no_address = make_user("t_noaddress", "investigator", places["police_a"], email="")
    with smtp_server() as (port, received), smtp_settings(port):
        with django_capture_on_commit_callbacks(execute=True):
            rows = notify(
                units=[places["police_a"]],
                subject="线索移交 Clue transferred",
                body="Please check.",
                link="/clues/7/",
                kind="clue",
            )
        assert len(rows) == 3
        assert sorted(rcpt for env in received for rcpt in env.rcpt_tos) == [
            "t_alice@example.invalid",
            "t_dave@example.invalid",
        ]
        envelope = received[0]
        assert envelope.mail_from == "fanguai@test.invalid"
        assert subject_of(envelope) == "线索移交 Clue transferred"
        text = email.message_from_bytes(envelope.content).get_payload(decode=True).decode()
        assert "Please check." in text and "https://fanguai.test/clues/7/" in text
    emailed = {n.recipient_id: n.emailed_at for n in Notification.objects.filter(event_id=rows[0].event_id)}
    assert emailed[alice.pk] and emailed[dave.pk] and emailed[no_address.pk] is None


@pytest.mark.django_db
def test_a_down_mail_server_does_not_lose_the_inbox(alice, django_capture_on_commit_callbacks):
    with smtp_settings(free_port()), django_capture_on_commit_callbacks(execute=True):
        [row] = notify(recipients=[alice], subject="Still in the inbox")
    row.refresh_from_db()
    assert row.emailed_at is None
    assert Notification.objects.filter(recipient=alice, subject="Still in the inbox").exists()


@pytest.mark.django_db
def test_nothing_is_sent_for_a_rolled_back_change(alice, django_capture_on_commit_callbacks):
    with smtp_server() as (port, received), smtp_settings(port):
        with django_capture_on_commit_callbacks(execute=True) as callbacks:
            with pytest.raises(RuntimeError), transaction.atomic():
                notify(recipients=[alice], subject="Never")
                raise RuntimeError
        assert callbacks == [] and received == []
    assert not Notification.objects.filter(subject="Never").exists()


@pytest.mark.django_db
def test_webhooks_are_signed_and_carry_no_personal_data(
    places, sysadmin, alice, django_capture_on_commit_callbacks
):
    with http_receiver() as receiver, override_settings(SITE_URL="https://fanguai.test"):
        hook = add_webhook(actor=sysadmin, unit=places["police_a"], url=receiver.url)
        with django_capture_on_commit_callbacks(execute=True):
            [row] = notify(
                units=[places["police_a"]],
                roles=["investigator"],
                subject="New referral",
                body=PERSONAL,
                link="/referrals/3/",
                kind="referral",
            )
        [request] = receiver.requests
    payload = json.loads(request.body)
    assert set(payload) == {"id", "kind", "subject", "link", "created_at", "unit"}
    assert payload == {
        **payload,
        "id": str(row.event_id),
        "kind": "referral",
        "subject": "New referral",
        "link": "https://fanguai.test/referrals/3/",
        "unit": "T-police-a",
    }
    assert "王某某".encode() not in request.body and b"34152219900101002X" not in request.body
    expected = "sha256=" + hmac.new(hook.secret.encode(), request.body, hashlib.sha256).hexdigest()
    assert request.headers["X-Fanguai-Signature"] == expected
    assert verify_signature(hook.secret, request.body, request.headers["X-Fanguai-Signature"])
    assert not verify_signature("another secret", request.body, request.headers["X-Fanguai-Signature"])
    assert request.headers["X-Fanguai-Timestamp"].isdigit()
    assert request.headers["Content-Type"].startswith("application/json")
    delivery = WebhookDelivery.objects.get(webhook=hook)
    assert (delivery.status, delivery.status_code, delivery.attempts) == ("delivered", 200, 1)
    assert delivery.delivered_at is not None


@pytest.mark.django_db
def test_a_refusing_or_unreachable_receiver_is_recorded(places, sysadmin, django_capture_on_commit_callbacks):
    with http_receiver(status=500) as receiver:
        failing = add_webhook(actor=sysadmin, unit=places["police_a"], url=receiver.url)
        unreachable = add_webhook(
            actor=sysadmin, unit=places["police_a"], url=f"http://127.0.0.1:{free_port()}/hook"
        )
        with django_capture_on_commit_callbacks(execute=True):
            notify(units=[places["police_a"]], subject="Will fail")
        assert len(receiver.requests) == 1
    refused = WebhookDelivery.objects.get(webhook=failing)
    assert (refused.status, refused.status_code, refused.attempts) == ("failed", 500, 1)
    assert refused.error == "HTTP 500"
    lost = WebhookDelivery.objects.get(webhook=unreachable)
    assert lost.status == "failed" and lost.status_code is None and lost.error


@pytest.mark.django_db
def test_only_matching_active_webhooks_of_the_named_units_fire(
    places, sysadmin, alice, django_capture_on_commit_callbacks
):
    with http_receiver() as receiver:
        wants_clues = add_webhook(actor=sysadmin, unit=places["police_a"], url=receiver.url, kinds=["clue"])
        inactive = add_webhook(actor=sysadmin, unit=places["police_a"], url=receiver.url)
        set_webhook_active(actor=sysadmin, webhook=inactive, active=False)
        add_webhook(actor=sysadmin, unit=places["police_b"], url=receiver.url)
        with django_capture_on_commit_callbacks(execute=True):
            notify(units=[places["police_a"]], subject="A case", kind="case")
            notify(units=[places["police_a"]], subject="A clue", kind="clue")
            notify(recipients=[alice], subject="Personal", kind="clue")
        assert [json.loads(r.body)["subject"] for r in receiver.requests] == ["A clue"]
    assert WebhookDelivery.objects.get().webhook == wants_clues


@pytest.mark.django_db
def test_webhook_management_is_for_the_system_administrator(places, alice, sysadmin):
    with pytest.raises(PermissionDenied):
        add_webhook(actor=alice, unit=places["police_a"], url="https://example.invalid/hook")
    with pytest.raises(ValidationError):
        add_webhook(actor=sysadmin, unit=places["police_a"], url="ftp://example.invalid/hook")
    hook = add_webhook(actor=sysadmin, unit=places["police_a"], url="https://example.invalid/hook")
    assert len(hook.secret) == 64
    assert AuditEvent.objects.filter(action="webhook.create", object_id=str(hook.pk)).exists()
    with pytest.raises(PermissionDenied):
        set_webhook_active(actor=alice, webhook=hook, active=False)


@pytest.mark.django_db
def test_webhook_secrets_are_encrypted_at_rest(places, sysadmin):
    hook = add_webhook(
        actor=sysadmin, unit=places["police_a"], url="https://example.invalid/hook", secret="s3cret"
    )
    with connection.cursor() as cursor:
        cursor.execute("SELECT secret FROM notifications_webhook WHERE id = %s", [hook.pk])
        [raw] = cursor.fetchone()
    assert "s3cret" not in raw
    assert Webhook.objects.get(pk=hook.pk).secret == "s3cret"
