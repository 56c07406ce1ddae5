"""Subscribers inside the current circle are told (e-mail, signed webhook), every attempt is recorded and
failures are retried; everyone alerted gets the found notice. The publicity department records media
releases."""

import json
import threading
from datetime import timedelta
from decimal import Decimal
from http.server import BaseHTTPRequestHandler, HTTPServer

import pytest
from django.core import mail
from django.utils import timezone

from fanguai.missing import alerts, delivery, services
from fanguai.missing.cap import haversine_km
from fanguai.missing.models import Delivery, DeliveryAttempt, MediaRelease
from fanguai.missing.tasks import alert_sweep
from fanguai.notifications.delivery import verify_signature
from fanguai.notifications.models import Notification

from ..conftest import make_user

pytestmark = pytest.mark.django_db

# Distances from 霍邱县城 (32.353, 116.278): 六安 ~75 km, 合肥 ~140 km, 南京 ~240 km, 北京 ~840 km.
LU_AN = (Decimal("31.735"), Decimal("116.52"))
HEFEI = (Decimal("31.82"), Decimal("117.23"))
NANJING = (Decimal("32.06"), Decimal("118.80"))
BEIJING = (Decimal("39.90"), Decimal("116.40"))


class Receiver(BaseHTTPRequestHandler):
    received: list = []
    fail_first = 0

    def do_POST(self):
        body = self.rfile.read(int(self.headers["Content-Length"]))
        type(self).received.append((dict(self.headers), body))
        if type(self).fail_first > 0:
            type(self).fail_first -= 1
            self.send_response(503)
        else:
            self.send_response(204)
        self.end_headers()

    def log_message(self, *args):
        pass


@pytest.fixture
def receiver():
    Receiver.received = []
    Receiver.fail_first = 0
    server = HTTPServer(("127.0.0.1", 0), Receiver)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_port}/hook", Receiver
    server.shutdown()


def subscribe(actor, name, point, **channel):
    fields = {"channel": "email", "email": f"{name}@example.invalid"} | channel
    return alerts.add_subscriber(
        actor=actor, name=name, kind="taxi", latitude=point[0], longitude=point[1], **fields
    )


def test_haversine():
    assert 70 < haversine_km(32.353, 116.278, *LU_AN) < 80
    assert 230 < haversine_km(32.353, 116.278, *NANJING) < 250


def test_subscribers_inside_the_circle_are_alerted_and_everyone_alerted_hears_found(
    report, publish, alice, office, receiver, django_capture_on_commit_callbacks
):
    url, handler = receiver
    taxi = subscribe(office, "taxi", LU_AN)
    hospital = subscribe(office, "hospital", HEFEI, channel="webhook", webhook_url=url, email="")
    station = subscribe(office, "station", NANJING)
    far = subscribe(office, "far", BEIJING)
    with django_capture_on_commit_callbacks(execute=True):
        alert = publish(report)
    assert [m.subject for m in mail.outbox if "taxi@" in m.to[0]]
    assert {d.subscriber for d in Delivery.objects.all()} == {taxi}
    assert Delivery.objects.get(subscriber=taxi).status == "delivered"
    # The widening to 200 km reaches the hospital's webhook, signed with its secret.
    with django_capture_on_commit_callbacks(execute=True):
        alerts.widen(alert, now=alert.missing_since + timedelta(minutes=61))
    headers, body = handler.received[-1]
    assert verify_signature(hospital.webhook_secret, body, headers["X-Fanguai-Signature"])
    payload = json.loads(body)
    assert payload["msgType"] == "Update" and payload["radius_km"] == 200
    assert payload["cap"].endswith(".cap")
    with django_capture_on_commit_callbacks(execute=True):
        alerts.widen(alert, now=alert.missing_since + timedelta(minutes=125))
    assert Delivery.objects.filter(subscriber=station).count() == 1
    assert not Delivery.objects.filter(subscriber=far).exists()
    mail.outbox.clear()
    with django_capture_on_commit_callbacks(execute=True):
        services.record_outcome(actor=alice, report=report, outcome="found_safe")
    found = Delivery.objects.filter(message__reason="found")
    assert {d.subscriber for d in found} == {taxi, hospital, station}
    assert all(d.status == "delivered" for d in found)
    assert any("已找到" in m.subject for m in mail.outbox)
    assert json.loads(handler.received[-1][1])["reason"] == "found"


def test_failed_deliveries_are_recorded_and_retried(
    report, publish, office, receiver, django_capture_on_commit_callbacks
):
    url, handler = receiver
    handler.fail_first = 2
    hook = subscribe(office, "school", LU_AN, channel="webhook", webhook_url=url, email="")
    with django_capture_on_commit_callbacks(execute=True):
        publish(report)
    item = Delivery.objects.get(subscriber=hook)
    assert item.status == "pending" and item.attempts == 1 and item.next_attempt_at is not None
    assert DeliveryAttempt.objects.get(delivery=item).status_code == 503
    # The periodic job retries what is due.
    Delivery.objects.filter(pk=item.pk).update(next_attempt_at=timezone.now() - timedelta(seconds=1))
    alert_sweep.enqueue()
    Delivery.objects.filter(pk=item.pk).update(next_attempt_at=timezone.now() - timedelta(seconds=1))
    alert_sweep.enqueue()
    item.refresh_from_db()
    assert item.status == "delivered" and item.attempts == 3
    assert [a.succeeded for a in item.attempt_log.all()] == [False, False, True]
    assert delivery.attempt(item.pk) is None  # delivered: nothing more to do


def test_gives_up_after_the_maximum_attempts(
    report, publish, office, settings, django_capture_on_commit_callbacks
):
    settings.ALERT_DELIVERY_MAX_ATTEMPTS = 2
    dead = subscribe(
        office, "dead", LU_AN, channel="webhook", webhook_url="http://127.0.0.1:9/nothing", email=""
    )
    with django_capture_on_commit_callbacks(execute=True):
        publish(report)
    item = Delivery.objects.get(subscriber=dead)
    Delivery.objects.filter(pk=item.pk).update(next_attempt_at=timezone.now())
    delivery.attempt(item.pk)
    item.refresh_from_db()
    assert item.status == "failed" and item.attempts == 2 and item.attempt_log.count() == 2


def test_subscriber_pages(office, alice, login, bob):
    response = login(alice).post(
        "/missing/subscribers/new/",
        {
            "name": "六安火车站",
            "kind": "station",
            "latitude": "31.73",
            "longitude": "116.50",
            "channel": "email",
            "email": "station@example.invalid",
        },
    )
    assert response.status_code == 302
    assert "六安火车站" in login(office).get("/missing/subscribers/").content.decode()
    bad = login(alice).post(
        "/missing/subscribers/new/",
        {"name": "x", "kind": "other", "latitude": "1", "longitude": "1", "channel": "webhook"},
    )
    assert bad.status_code == 200 and "webhook" in bad.content.decode().lower()
    assert login(bob).get("/missing/subscribers/").status_code == 403


def test_the_publicity_department_is_told_and_records_releases(report, publish, login):
    publicity = make_user("xuan", "liaison", "341500-publicity")
    civil = make_user("min", "liaison", "341500-civil_affairs")
    alert = publish(report)
    assert Notification.objects.filter(recipient=publicity, kind="missing.alert_published").exists()
    client = login(publicity)
    assert "missing/media/" in client.get("/").content.decode()
    queue = client.get("/missing/media/").content.decode()
    assert alert.code in queue
    detail = client.get(f"/missing/alerts/{alert.pk}/").content.decode()
    assert report.number not in detail  # staff fields stay with the police
    response = client.post(
        f"/missing/alerts/{alert.pk}/release/",
        {
            "outlet": "六安电视台",
            "medium": "tv",
            "released_at": timezone.localtime().strftime("%Y-%m-%dT%H:%M"),
        },
    )
    assert response.status_code == 302
    assert MediaRelease.objects.get(alert=alert).unit.code == "341500-publicity"
    assert login(civil).get("/missing/media/").status_code == 403
    assert login(civil).get(f"/missing/alerts/{alert.pk}/").status_code == 404


def test_the_public_subscribes_by_email_with_confirmation_and_can_unsubscribe(
    report, publish, client, django_capture_on_commit_callbacks
):
    import re
    from urllib.parse import urlparse

    from fanguai.missing.models import Subscriber

    data = {
        "name": "志愿者",
        "kind": "volunteer",
        "email": "v@example.invalid",
        "latitude": "32.35",
        "longitude": "116.28",
    }
    assert client.post("/alerts/subscribe/", data | {"website": "http://spam"}).status_code == 200
    assert not Subscriber.objects.exists()
    with django_capture_on_commit_callbacks(execute=True):
        assert client.post("/alerts/subscribe/", data).status_code == 302
    subscriber = Subscriber.objects.get()
    assert not subscriber.is_active
    with django_capture_on_commit_callbacks(execute=True):
        publish(report)
    assert not Delivery.objects.exists()  # unconfirmed: nothing is sent
    link = re.search(r"https?://\S+/alerts/subscribe/confirm/\S+/", mail.outbox[0].body).group(0)
    assert "subscription-confirmed" in client.get(urlparse(link).path).content.decode()
    subscriber.refresh_from_db()
    assert subscriber.is_active and subscriber.confirmed_at
    assert client.get("/alerts/subscribe/confirm/forged/").content.decode().count("alert-warning") == 1
    with django_capture_on_commit_callbacks(execute=True):
        alerts.widen(report.alerts.get(), now=report.last_seen_at + timedelta(minutes=61))
    body = mail.outbox[-1].body
    unsubscribe = urlparse(re.search(r"https?://\S+/alerts/unsubscribe/\S+/", body).group(0)).path
    assert client.get(unsubscribe).status_code == 200
    assert client.post(unsubscribe).status_code == 200
    subscriber.refresh_from_db()
    assert not subscriber.is_active
