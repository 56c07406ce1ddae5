"""Alerts: publication, CAP 1.2 documents valid against the OASIS schema, the Atom feed, the radius that
widens with the time since the disappearance (issued by the worker as CAP Updates referencing the previous
message), approval, and the found notice that wipes the public page."""

from datetime import timedelta

import pytest
from django.utils import timezone
from lxml import etree
from PIL import Image

from fanguai.audit.models import AuditEvent
from fanguai.missing import alerts, services
from fanguai.missing.models import Alert, CapMessage, MissingReport
from fanguai.missing.tasks import alert_sweep
from fanguai.notifications.models import Notification

from .conftest import CAP_NS, SECRET

pytestmark = pytest.mark.django_db
ATOM = {"atom": "http://www.w3.org/2005/Atom"}


def _text(root, path: str) -> list[str]:
    return [e.text for e in root.xpath(path, namespaces=CAP_NS)]


def test_publishing_issues_a_valid_cap_alert(report, publish, valid_cap, alice):
    alert = publish(report)
    assert alert.status == Alert.Status.ACTIVE and alert.radius_km == 100
    message = alert.messages.get()
    root = valid_cap(message.xml)
    assert _text(root, "/cap:alert/cap:msgType") == ["Alert"]
    assert _text(root, "/cap:alert/cap:status") == ["Actual"]
    assert _text(root, "//cap:info/cap:language") == ["zh-CN", "en-US"]
    assert set(_text(root, "//cap:info/cap:category")) == {"Rescue"}
    assert set(_text(root, "//cap:info/cap:urgency")) == {"Immediate"}
    assert set(_text(root, "//cap:info/cap:severity")) == {"Severe"}
    assert set(_text(root, "//cap:info/cap:certainty")) == {"Likely"}
    assert set(_text(root, "//cap:area/cap:circle")) == {"32.353000,116.278000 100"}
    assert SECRET in message.xml
    # Staff fields never reach the public document.
    assert "13800138000" not in message.xml and "张三" not in message.xml
    # Publishing ticks the checklist's alert step.
    assert report.tasks.get(step__code="alert").done_at is not None
    assert AuditEvent.objects.filter(action="alert.publish", object_id=str(alert.pk)).exists()


def test_the_public_pages_feed_and_cap_documents(report, publish, valid_cap, client):
    alert = publish(report)
    message = alert.messages.get()
    listing = client.get("/alerts/")
    assert listing.status_code == 200 and SECRET in listing.content.decode()
    page = client.get(f"/alerts/{alert.code}/").content.decode()
    assert SECRET in page and "0564-110" in page and "霍邱县城关镇人民广场" in page
    assert "穿红色外套，蓝色裤子" not in page  # the report's staff description stays inside
    cap = client.get(f"/alerts/{message.identifier}.cap")
    assert cap["Content-Type"].startswith("application/cap+xml")
    valid_cap(cap.content)
    feed = client.get("/alerts/feed.atom")
    assert feed["Content-Type"].startswith("application/atom+xml")
    root = etree.fromstring(feed.content)
    links = root.xpath("//atom:entry/atom:link[@rel='alternate']/@href", namespaces=ATOM)
    assert links == [f"http://testserver/alerts/{message.identifier}.cap"]
    for link in links:
        valid_cap(client.get(link.replace("http://testserver", "")).content)


def test_the_published_photo_is_a_small_copy_without_metadata(report, publish, client):
    alert = publish(report)
    response = client.get(f"/alerts/{alert.code}/photo.jpg")
    assert response["Content-Type"] == "image/jpeg"
    import io

    image = Image.open(io.BytesIO(response.content))
    assert max(image.size) <= 600
    assert b"SECRET-CAMERA-MAKER" not in response.content


def test_the_worker_widens_the_radius_with_cap_updates(report, publish, valid_cap, settings):
    alert = publish(report)  # missing for 10 minutes: 100 km
    start = alert.missing_since
    assert alerts.widen(alert, now=start + timedelta(minutes=59)) is None
    first = alerts.widen(alert, now=start + timedelta(minutes=61))
    assert first.radius_km == 200 and first.msg_type == "Update"
    assert alerts.widen(alert, now=start + timedelta(minutes=70)) is None  # idempotent
    second = alerts.widen(alert, now=start + timedelta(minutes=150))
    third = alerts.widen(alert, now=start + timedelta(hours=5))
    assert [m.radius_km for m in alert.messages.all()] == [100, 200, 300, 500]
    assert alerts.widen(alert, now=start + timedelta(hours=9)) is None
    messages = list(alert.messages.all())
    for previous, message in zip(messages, messages[1:], strict=False):
        root = valid_cap(message.xml)
        refs = _text(root, "/cap:alert/cap:references")[0].split(" ")
        assert refs[-1].split(",")[1] == previous.identifier
        assert _text(root, "//cap:area/cap:circle")[0].endswith(f" {message.radius_km}")
    assert third.identifier != second.identifier
    # The periodic job does the same from the worker, with the current time.
    other = publish(
        services.file_report(actor=report.created_by, **_older_report(minutes=30)), with_photo=False
    )
    Alert.objects.filter(pk=other.pk).update(missing_since=timezone.now() - timedelta(minutes=125))
    result = alert_sweep.enqueue()
    assert result.return_value["widened"] >= 1
    other.refresh_from_db()
    assert other.radius_km == 300
    assert other.messages.last().msg_type == "Update"


def _older_report(minutes: int) -> dict:
    from .conftest import report_fields

    return report_fields(full_name="李四", last_seen_at=timezone.now() - timedelta(minutes=minutes))


def test_the_schedule_is_configurable(report, publish, settings):
    settings.ALERT_RADIUS_SCHEDULE = "30:50,*:80"
    alert = publish(report)
    assert alert.radius_km == 50
    assert alerts.widen(alert, now=alert.missing_since + timedelta(minutes=31)).radius_km == 80


def test_a_late_publication_starts_with_the_wider_circle(file_report, publish):
    report = file_report(last_seen_at=timezone.now() - timedelta(hours=2, minutes=30))
    assert publish(report, with_photo=False).radius_km == 300


def test_found_clears_the_public_page_and_issues_a_found_update(report, publish, valid_cap, client, alice):
    alert = publish(report)
    alerts.widen(alert, now=alert.missing_since + timedelta(minutes=65))
    services.record_outcome(actor=alice, report=report, outcome="found_safe")
    alert.refresh_from_db()
    assert alert.status == Alert.Status.FOUND and alert.display_name == "" and not alert.has_photo
    found = alert.messages.last()
    root = valid_cap(found.xml)
    assert _text(root, "/cap:alert/cap:msgType") == ["Update"]
    assert "已找到" in _text(root, "//cap:info/cap:headline")
    assert len(_text(root, "/cap:alert/cap:references")[0].split(" ")) == 2
    for message in alert.messages.all():
        assert SECRET not in message.xml
        valid_cap(message.xml)
        assert client.get(message.get_public_url()).status_code == 200
    page = client.get(f"/alerts/{alert.code}/").content.decode()
    assert "已找到" in page and SECRET not in page and "0564-110" not in page and "人民广场" not in page
    assert SECRET not in client.get("/alerts/").content.decode()
    assert client.get(f"/alerts/{alert.code}/photo.jpg").status_code == 404
    feed = client.get("/alerts/feed.atom").content.decode()
    assert SECRET not in feed and found.identifier in feed


def test_withdrawal_issues_a_cap_cancel(report, publish, valid_cap, alice, login):
    alert = publish(report)
    assert login(alice).post(f"/missing/alerts/{alert.pk}/withdraw/").status_code == 302
    alert.refresh_from_db()
    cancel = alert.messages.last()
    assert alert.status == Alert.Status.WITHDRAWN and cancel.msg_type == "Cancel"
    valid_cap(cancel.xml)


def test_a_false_report_withdraws_the_alert(report, publish, alice):
    alert = publish(report)
    services.record_outcome(actor=alice, report=report, outcome="false_report")
    alert.refresh_from_db()
    assert alert.status == Alert.Status.WITHDRAWN


def test_approval_when_configured(report, publish, settings, alice, office, charlie, client, login):
    settings.ALERT_APPROVAL_REQUIRED = True
    alert = publish(report)
    assert alert.status == Alert.Status.PENDING and not alert.messages.exists()
    assert client.get(f"/alerts/{alert.code}/").status_code == 404
    assert Notification.objects.filter(kind="missing.alert_approval", recipient=office).exists()
    assert (
        login(alice).post(f"/missing/alerts/{alert.pk}/approve/", {"decision": "approve"}).status_code == 403
    )
    assert (
        login(charlie).post(f"/missing/alerts/{alert.pk}/approve/", {"decision": "approve"}).status_code
        == 404
    )
    assert (
        login(office).post(f"/missing/alerts/{alert.pk}/approve/", {"decision": "approve"}).status_code == 302
    )
    alert.refresh_from_db()
    assert alert.status == Alert.Status.ACTIVE and alert.approved_by == office
    assert client.get(f"/alerts/{alert.code}/").status_code == 200


def test_publishing_through_the_pages(report, alice, login, client):
    page = login(alice).get(f"/missing/reports/{report.pk}/alert/")
    assert page.status_code == 200
    form = page.context["form"]
    data = {name: value for name, value in form.initial.items() if value is not None}
    data.update(description="身高一米二", age_text="7岁")
    response = login(alice).post(f"/missing/reports/{report.pk}/alert/", data)
    assert response.status_code == 302, response.content.decode()[:3000]
    alert = Alert.objects.get(report=report)
    assert alert.is_active and alert.has_photo
    assert login(alice).get(f"/missing/reports/{report.pk}/alert/").status_code == 403  # one alert per report


def test_only_published_alerts_are_public(report, client):
    assert client.get("/alerts/nonexistent/").status_code == 404
    assert client.get("/alerts/fanguai-XXXX-1.cap").status_code == 404
    assert MissingReport.objects.count() == 1
    assert CapMessage.objects.count() == 0
