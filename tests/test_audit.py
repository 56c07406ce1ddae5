import csv
import io

import pytest
from django.core.management import CommandError, call_command
from django.db import connection

from fanguai.audit import triggers
from fanguai.audit.models import AuditEvent
from fanguai.audit.selectors import verify_chain
from fanguai.audit.services import record_event


@pytest.fixture
def chain(db):
    return [
        record_event(f"test.event{i}", object_type="test.thing", object_id=i, changed_fields=["b", "a"])
        for i in range(5)
    ]


def test_events_link_to_their_predecessor(chain):
    assert all(later.previous_hash == earlier.hash for earlier, later in zip(chain, chain[1:], strict=False))
    assert chain[1].changed_fields == ["a", "b"]
    report = verify_chain()
    assert report.ok
    assert report.checked >= 5


def test_verify_reports_the_first_row_changed_in_sql(chain):
    triggers.remove(connection)  # someone with database access drops the append-only triggers first
    with connection.cursor() as cursor:
        cursor.execute("UPDATE audit_auditevent SET object_id = %s WHERE id = %s", ["tampered", chain[2].pk])
    triggers.install(connection)
    report = verify_chain()
    assert not report.ok
    assert report.broken_at == chain[2].pk
    assert report.reason == "hash"
    with pytest.raises(CommandError, match=f"broken at event {chain[2].pk}"):
        call_command("audit", "verify")


def test_verify_reports_a_deleted_row_as_a_broken_link(chain):
    triggers.remove(connection)
    with connection.cursor() as cursor:
        cursor.execute("DELETE FROM audit_auditevent WHERE id = %s", [chain[3].pk])
    triggers.install(connection)
    report = verify_chain()
    assert report.broken_at == chain[4].pk
    assert report.reason == "link"


def test_verify_command_succeeds_on_an_intact_chain(chain):
    out = io.StringIO()
    call_command("audit", "verify", stdout=out)
    assert "audit chain intact" in out.getvalue()


def test_event_records_actor_unit_and_address(alice, login):
    client = login(alice)
    client.get("/")  # any request through the middleware
    event = record_event("test.ctx", actor=alice, object_type="x", object_id=1, ip_address="10.1.2.3")
    assert (event.actor_username, event.unit_code, event.ip_address) == ("alice", "341522-police", "10.1.2.3")


def test_only_the_audit_administrator_browses_and_exports(chain, alice, office, sysadmin, auditor, login):
    for user in (alice, office, sysadmin):
        assert login(user).get("/audit/").status_code == 403
        assert login(user).get("/audit/export.csv").status_code == 403
    client = login(auditor)
    page = client.get("/audit/", {"action": "test.event"})
    assert page.status_code == 200
    assert b"test.event3" in page.content
    export = client.get("/audit/export.csv", {"object_type": "test.thing"})
    rows = list(csv.reader(io.StringIO(b"".join(export.streaming_content).decode("utf-8-sig"))))
    assert len(rows) == 6  # header + 5 events
    assert AuditEvent.objects.filter(action="audit.export", actor=auditor).exists()


def test_the_application_has_no_way_to_change_events(auditor, login, chain):
    client = login(auditor)
    for path in (f"/audit/{chain[0].pk}/", f"/audit/{chain[0].pk}/delete/"):
        assert client.post(path).status_code in (404, 405)
    assert verify_chain().ok


def test_purge_keeps_at_least_six_months(settings, db):
    from datetime import timedelta
    from unittest import mock

    from django.utils import timezone

    from fanguai.audit.services import purge_expired

    settings.AUDIT_RETENTION_DAYS = 183
    start = timezone.now()
    old = record_event("test.old")
    with mock.patch("django.utils.timezone.now", return_value=start + timedelta(days=30)):
        kept = record_event("test.kept")
    with mock.patch("django.utils.timezone.now", return_value=start + timedelta(days=200)):  # 170 days later
        assert purge_expired() >= 1
    assert not AuditEvent.objects.filter(pk=old.pk).exists()
    assert AuditEvent.objects.filter(pk=kept.pk).exists()
    assert verify_chain().ok
