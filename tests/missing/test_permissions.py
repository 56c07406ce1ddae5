"""The permission matrix of missing-person work: every page and API endpoint for the whole cast. The
records belong to alice's unit (霍邱县公安局): alice works on them, the office reads them (and approves
alerts), bob (same county, a shelter), charlie (another county) and dave (a leader) see nothing. Public
pages are open to everyone but show only published alerts."""

import pytest
from django.utils import timezone

from fanguai.missing import alerts, services
from fanguai.missing.models import Alert

from ..permissions import Row, check_row
from .conftest import SECRET, alert_fields, photo_upload, report_fields

pytestmark = pytest.mark.django_db
EVERYONE = frozenset({"alice", "bob", "charlie", "dave", "office"})
PUBLIC = EVERYONE | {"anonymous"}
STAFF = frozenset({"alice", "charlie", "office"})
READERS = frozenset({"alice", "office"})
INVESTIGATORS = frozenset({"alice", "charlie"})
ALICE = frozenset({"alice"})
OFFICE = frozenset({"office"})
NOBODY = frozenset()


@pytest.fixture
def scenario(alice, office, settings):
    report = services.file_report(actor=alice, photo=photo_upload(), **report_fields())
    unpublished = services.file_report(actor=alice, **report_fields(full_name="另一个"))
    from fanguai.files.selectors import files_for

    photo = files_for(alice, report).first()
    alert = alerts.request_alert(actor=alice, report=report, photo=photo, **alert_fields(report))
    settings.ALERT_APPROVAL_REQUIRED = True
    pending = alerts.request_alert(
        actor=alice, report=unpublished, **alert_fields(unpublished, display_name=SECRET + "-P")
    )
    settings.ALERT_APPROVAL_REQUIRED = False
    record = services.record_unidentified(
        actor=alice, kind="body", found_at=timezone.now(), found_place="河边", description=SECRET
    )
    screening = services.record_screening(
        actor=alice, reason="adoption", screened_on=timezone.localdate(), full_name=SECRET, notes=SECRET
    )
    sample = services.request_blood_sample(actor=alice, screening=screening)
    subscriber = alerts.add_subscriber(
        actor=office,
        name="taxi",
        kind="taxi",
        latitude=32,
        longitude=116,
        channel="email",
        email="t@example.invalid",
    )
    return {
        "report": report,
        "task": report.tasks.get(step__code="video"),
        "alert": alert,
        "pending": pending,
        "message": alert.messages.get(),
        "record": record,
        "screening": screening,
        "sample": sample,
        "subscriber": subscriber,
        "step": report.tasks.first().step,
    }


def now_local() -> str:
    return timezone.localtime().strftime("%Y-%m-%dT%H:%M")


ROWS = [
    Row("report list", lambda s: "/missing/", STAFF),
    Row("report create page", lambda s: "/missing/reports/new/", INVESTIGATORS),
    Row("report detail", lambda s: f"/missing/reports/{s['report'].pk}/", READERS, secret=lambda s: SECRET),
    Row(
        "report attach",
        lambda s: f"/missing/reports/{s['report'].pk}/attach/",
        ALICE,
        method="post",
        data=lambda s: {"file": photo_upload()},
    ),
    Row("task done", lambda s: f"/missing/tasks/{s['task'].pk}/done/", ALICE, method="post"),
    Row(
        "report outcome",
        lambda s: f"/missing/reports/{s['report'].pk}/outcome/",
        ALICE,
        method="post",
        data=lambda s: {"outcome": "found_safe"},
    ),
    Row("alert create page", lambda s: f"/missing/reports/{s['report'].pk}/alert/", NOBODY),
    Row("alert list", lambda s: "/missing/alerts/", STAFF),
    Row(
        "alert detail",
        lambda s: f"/missing/alerts/{s['alert'].pk}/",
        READERS,
        secret=lambda s: s["report"].number,
    ),
    Row(
        "pending alert detail",
        lambda s: f"/missing/alerts/{s['pending'].pk}/",
        READERS,
        secret=lambda s: SECRET + "-P",
    ),
    Row(
        "alert approve",
        lambda s: f"/missing/alerts/{s['pending'].pk}/approve/",
        OFFICE,
        method="post",
        data=lambda s: {"decision": "approve"},
    ),
    Row("alert withdraw", lambda s: f"/missing/alerts/{s['alert'].pk}/withdraw/", ALICE, method="post"),
    Row(
        "alert release",
        lambda s: f"/missing/alerts/{s['alert'].pk}/release/",
        NOBODY,
        method="post",
        data=lambda s: {"outlet": "tv", "medium": "tv", "released_at": now_local()},
    ),
    Row("media queue", lambda s: "/missing/media/", NOBODY),
    Row("steps", lambda s: "/missing/steps/", STAFF),
    Row("step create", lambda s: "/missing/steps/new/", OFFICE),
    Row("step edit", lambda s: f"/missing/steps/{s['step'].pk}/", OFFICE),
    Row("subscribers", lambda s: "/missing/subscribers/", STAFF),
    Row("subscriber create", lambda s: "/missing/subscribers/new/", STAFF),
    Row(
        "subscriber toggle",
        lambda s: f"/missing/subscribers/{s['subscriber'].pk}/toggle/",
        STAFF,
        method="post",
    ),
    Row("unidentified list", lambda s: "/missing/unidentified/", STAFF),
    Row("unidentified create", lambda s: "/missing/unidentified/new/", INVESTIGATORS),
    Row(
        "unidentified detail",
        lambda s: f"/missing/unidentified/{s['record'].pk}/",
        READERS,
        secret=lambda s: SECRET,
    ),
    Row(
        "unidentified status",
        lambda s: f"/missing/unidentified/{s['record'].pk}/status/",
        ALICE,
        method="post",
        data=lambda s: {"status": "closed"},
    ),
    Row(
        "unidentified sample",
        lambda s: f"/missing/unidentified/{s['record'].pk}/sample/",
        ALICE,
        method="post",
    ),
    Row("screening list", lambda s: "/missing/screenings/", STAFF),
    Row("screening create", lambda s: "/missing/screenings/new/", INVESTIGATORS),
    Row(
        "screening detail",
        lambda s: f"/missing/screenings/{s['screening'].pk}/",
        READERS,
        secret=lambda s: SECRET,
    ),
    Row(
        "screening result",
        lambda s: f"/missing/screenings/{s['screening'].pk}/result/",
        ALICE,
        method="post",
        data=lambda s: {"result": "cleared"},
    ),
    Row(
        "screening sample", lambda s: f"/missing/screenings/{s['screening'].pk}/sample/", ALICE, method="post"
    ),
    Row("sample list", lambda s: "/missing/samples/", STAFF),
    Row(
        "sample hand over",
        lambda s: f"/missing/samples/{s['sample'].pk}/hand-over/",
        NOBODY,
        method="post",
        data=lambda s: {"dna_reference": "x"},
    ),
    Row("public list", lambda s: "/alerts/", PUBLIC),
    Row("public detail", lambda s: f"/alerts/{s['alert'].code}/", PUBLIC),
    Row("public photo", lambda s: f"/alerts/{s['alert'].code}/photo.jpg", PUBLIC),
    Row("public feed", lambda s: "/alerts/feed.atom", PUBLIC),
    Row("public subscribe", lambda s: "/alerts/subscribe/", PUBLIC),
    Row("public cap", lambda s: f"/alerts/{s['message'].identifier}.cap", PUBLIC),
    Row("api reports", lambda s: "/api/missing/reports", EVERYONE),
    Row(
        "api report",
        lambda s: f"/api/missing/reports/{s['report'].pk}",
        READERS,
        secret=lambda s: s["report"].number,
    ),
    Row("api alerts", lambda s: "/api/missing/alerts", EVERYONE),
    Row(
        "api alert",
        lambda s: f"/api/missing/alerts/{s['alert'].pk}",
        READERS,
        secret=lambda s: s["alert"].code,
    ),
]


@pytest.mark.parametrize("row", ROWS, ids=[row.name for row in ROWS])
def test_permission_matrix(row, scenario, alice, bob, charlie, dave, office):
    check_row(row, scenario, {"alice": alice, "bob": bob, "charlie": charlie, "dave": dave, "office": office})


def test_lists_and_api_lists_show_only_visible_records(scenario, charlie, bob, login):
    for user in (charlie, bob):
        client = login(user)
        assert SECRET not in client.get("/missing/").content.decode()
        assert client.get("/api/missing/reports").json()["items"] == []
        assert client.get("/api/missing/alerts").json()["items"] == []
    assert SECRET not in login(charlie).get("/missing/unidentified/").content.decode()
    assert SECRET not in login(charlie).get("/missing/screenings/").content.decode()


def test_pending_alerts_are_not_public(scenario, client):
    pending = scenario["pending"]
    assert pending.status == Alert.Status.PENDING
    assert client.get(f"/alerts/{pending.code}/").status_code == 404
    assert SECRET + "-P" not in client.get("/alerts/").content.decode()
    assert SECRET + "-P" not in client.get("/alerts/feed.atom").content.decode()
