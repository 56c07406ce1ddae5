"""The permission matrix of missing-person work: every page and API endpoint for the whole cast. The
records belong to alice's unit (霍邱县公安局): alice works on them, the office reads them (and approves
alerts), bob (same county, a shelter), charlie (another county) and dave (a leader) see nothing. Public
pages are open to everyone but show only published alerts."""

import pytest
from django.utils import timezone

from fanguai.missing import alerts, services
from fanguai.missing.models import Alert, BloodSampleRequest, MediaRelease

from ..permissions import SIGNED_IN, Row, check_matrix, field_of, files_of
from .conftest import SECRET, alert_fields, photo_upload, report_fields

pytestmark = pytest.mark.django_db
EVERYONE = frozenset({"alice", "bob", "charlie", "dave", "office"})
PUBLIC = SIGNED_IN | {"anonymous"}
STAFF = frozenset({"alice", "charlie", "office"})
READERS = frozenset({"alice", "office"})
INVESTIGATORS = frozenset({"alice", "charlie"})
ALICE = frozenset({"alice"})
OFFICE = frozenset({"office"})
PUBLICITY = frozenset({"publicity"})
LAB = frozenset({"analyst"})


def samples_of(field, key):
    """An effect: the blood-sample requests of a record."""
    return lambda s: BloodSampleRequest.objects.filter(**{field: s[key]}).count()


@pytest.fixture
def scenario(cast, settings):
    alice, office = cast["alice"], cast["office"]
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
    fresh = services.file_report(actor=alice, **report_fields(full_name="第三个"))
    record = services.record_unidentified(
        actor=alice, kind="body", found_at=timezone.now(), found_place="河边", description=SECRET
    )
    screening = services.record_screening(
        actor=alice, reason="adoption", screened_on=timezone.localdate(), full_name=SECRET, notes=SECRET
    )
    sample = services.request_blood_sample(actor=alice, screening=screening)
    unsampled = services.record_screening(
        actor=alice, reason="adoption", screened_on=timezone.localdate(), full_name="待采血", notes=""
    )
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
        "fresh": fresh,
        "task": report.tasks.get(step__code="video"),
        "alert": alert,
        "pending": pending,
        "message": alert.messages.get(),
        "record": record,
        "screening": screening,
        "unsampled": unsampled,
        "sample": sample,
        "subscriber": subscriber,
        "step": report.tasks.first().step,
        "users": cast,
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
        effect=files_of("report"),
    ),
    Row(
        "task done",
        lambda s: f"/missing/tasks/{s['task'].pk}/done/",
        ALICE,
        method="post",
        data=lambda s: {"notes": "已调取监控"},
        effect=field_of("task", "done_at"),
    ),
    Row(
        "report outcome",
        lambda s: f"/missing/reports/{s['report'].pk}/outcome/",
        ALICE,
        method="post",
        data=lambda s: {"outcome": "found_safe"},
        effect=field_of("report", "status", "outcome"),
    ),
    # a report without a live alert (the others have one: one live alert per report)
    Row("alert create page", lambda s: f"/missing/reports/{s['fresh'].pk}/alert/", ALICE),
    # the publicity department sees published alerts, to release them to the media
    Row("alert list", lambda s: "/missing/alerts/", STAFF | PUBLICITY),
    Row(
        "alert detail",
        lambda s: f"/missing/alerts/{s['alert'].pk}/",
        READERS | PUBLICITY,
        secret=lambda s: s["report"].number,
        secret_readers=READERS,
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
        effect=field_of("pending", "status"),
    ),
    Row(
        "alert withdraw",
        lambda s: f"/missing/alerts/{s['alert'].pk}/withdraw/",
        ALICE,
        method="post",
        effect=field_of("alert", "status"),
    ),
    Row(
        "alert release",
        lambda s: f"/missing/alerts/{s['alert'].pk}/release/",
        PUBLICITY,
        method="post",
        data=lambda s: {
            "outlet": "六安电视台",
            "medium": "tv",
            "released_at": now_local(),
            "url": "",
            "notes": "",
        },
        effect=lambda s: MediaRelease.objects.filter(alert=s["alert"]).count(),
    ),
    Row("media queue", lambda s: "/missing/media/", PUBLICITY),
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
        effect=field_of("subscriber", "is_active"),
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
        effect=field_of("record", "status"),
    ),
    Row(
        "unidentified sample",
        lambda s: f"/missing/unidentified/{s['record'].pk}/sample/",
        ALICE,
        method="post",
        effect=samples_of("unidentified", "record"),
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
        effect=field_of("screening", "result"),
    ),
    Row(
        "screening sample",
        lambda s: f"/missing/screenings/{s['unsampled'].pk}/sample/",
        ALICE,
        method="post",
        effect=samples_of("screening", "unsampled"),
    ),
    # the DNA laboratory takes the blood-sample requests over
    Row("sample list", lambda s: "/missing/samples/", STAFF | LAB),
    Row(
        "sample hand over",
        lambda s: f"/missing/samples/{s['sample'].pk}/hand-over/",
        LAB,
        method="post",
        data=lambda s: {"dna_reference": "DNA-2026-0001"},
        effect=field_of("sample", "status"),
    ),
    Row("public list", lambda s: "/alerts/", PUBLIC),
    Row("public detail", lambda s: f"/alerts/{s['alert'].code}/", PUBLIC),
    Row("public photo", lambda s: f"/alerts/{s['alert'].code}/photo.jpg", PUBLIC),
    Row("public feed", lambda s: "/alerts/feed.atom", PUBLIC),
    Row("public subscribe", lambda s: "/alerts/subscribe/", PUBLIC),
    Row("public cap", lambda s: f"/alerts/{s['message'].identifier}.cap", PUBLIC),
    # a link from a subscription e-mail: the page answers everyone (an unknown token says so)
    Row("public confirm", lambda s: "/alerts/subscribe/confirm/unknown-token/", PUBLIC),
    Row("public unsubscribe", lambda s: "/alerts/unsubscribe/unknown-token/", PUBLIC),
    # API lists answer everyone signed in (empty when nothing is visible)
    Row(
        "api reports",
        lambda s: "/api/missing/reports",
        SIGNED_IN,
        secret=lambda s: s["report"].number,
        secret_readers=READERS,
    ),
    Row(
        "api report",
        lambda s: f"/api/missing/reports/{s['report'].pk}",
        READERS,
        secret=lambda s: s["report"].number,
    ),
    Row("api alerts", lambda s: "/api/missing/alerts", SIGNED_IN),
    Row(
        "api alert",
        lambda s: f"/api/missing/alerts/{s['alert'].pk}",
        READERS | PUBLICITY,
        secret=lambda s: s["alert"].code,
    ),
]


def test_permission_matrix(scenario):
    """One scenario serves every row (each request is rolled back)."""
    check_matrix(ROWS, scenario, scenario["users"])


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
