"""The attacks of the security test on the audit trail (issue 11, item 11), each of which `fanguai audit
verify` used to report as "intact": the newest 200 events deleted, the oldest 1,000 deleted, an event removed
and the following hashes recomputed with the public hash function. The attacker here has direct database
access (a raw connection; they drop the append-only triggers first) but not the audit key, which is held
apart from the database. Also: the database itself refuses UPDATE and DELETE, the retention purge is the
one audited way to delete, and production refuses to run without the audit key."""

import json
import os
import re
import stat
from contextlib import contextmanager
from datetime import timedelta
from types import SimpleNamespace
from unittest import mock

import pytest
from django.apps import apps
from django.core.management import CommandError, call_command
from django.core.management.base import SystemCheckError
from django.db import DatabaseError, IntegrityError, connection, transaction
from django.utils import timezone

from fanguai.audit import checkpoints, triggers
from fanguai.audit.chain import GENESIS_HASH, REKEY_ACTION, keyed_hash, legacy_hash
from fanguai.audit.checks import audit_key_check
from fanguai.audit.keys import AuditKeyMissing, audit_key
from fanguai.audit.models import AuditEvent, PurgePermit
from fanguai.audit.selectors import _FIELDS, verify_chain
from fanguai.audit.services import purge_expired, record_event

from .permissions import Row, check_row


def make_events(count: int) -> list[int]:
    return [record_event("test.bulk", object_type="test.thing", object_id=i).pk for i in range(count)]


def event_values(action: str, **details) -> dict:
    return {
        "created_at": timezone.now(),
        "actor_id": None,
        "actor_username": "",
        "unit_code": "",
        "ip_address": None,
        "action": action,
        "object_type": "",
        "object_id": "",
        "outcome": "success",
        "changed_fields": [],
        "details": details,
    }


@contextmanager
def rolled_back():
    """Try an attack and undo it afterwards, so that one test can try several on the same chain."""
    with transaction.atomic():
        yield
        transaction.set_rollback(True)


@pytest.fixture
def events(db):
    """1,200 events on top of whatever the test database already holds, appended in one go: the same rows,
    links and keyed hashes as `record_event` writes one by one (which takes seconds for 1,200)."""
    key = audit_key()
    with transaction.atomic():
        previous = AuditEvent.objects.order_by("-id").values_list("hash", flat=True).first() or GENESIS_HASH
        rows = []
        for i in range(1200):
            values = {**event_values("test.bulk"), "object_type": "test.thing", "object_id": str(i)}
            rows.append(AuditEvent(previous_hash=previous, hash=keyed_hash(previous, values, key), **values))
            previous = rows[-1].hash
        created = AuditEvent.objects.bulk_create(rows)
    ids = [event.pk for event in created]
    assert verify_chain().ok and ids == sorted(ids)
    return ids


@contextmanager
def attacker():
    """Direct database access: drop the triggers, tamper, and put the triggers back so that nothing but the
    chain and the checkpoints can tell."""
    triggers.remove(connection)
    try:
        with connection.cursor() as cursor:
            yield cursor
    finally:
        triggers.install(connection)


def verify_fails(*args) -> str:
    with pytest.raises(CommandError) as failure:
        call_command("audit", "verify", *args)
    return str(failure.value)


def recompute(cursor, from_id: int, hash_function) -> None:
    """Rewrite the hashes of every event from `from_id` on, as the attacker can: with `hash_function`."""
    previous = (
        AuditEvent.objects.filter(id__lt=from_id).order_by("-id").values_list("hash", flat=True).first()
    )
    previous = previous or GENESIS_HASH
    for row in AuditEvent.objects.filter(id__gte=from_id).order_by("id").values(*_FIELDS):
        new_hash = hash_function(previous, row)
        cursor.execute(
            "UPDATE audit_auditevent SET previous_hash = %s, hash = %s WHERE id = %s",
            [previous, new_hash, row["id"]],
        )
        previous = new_hash


# --- the three attacks of the report ----------------------------------------------------------------------


def test_deleting_the_newest_200_events_is_caught_by_the_checkpoint(events, tmp_path):
    checkpoint = checkpoints.write()
    assert checkpoint.last_id == events[-1]
    exported = tmp_path / "anchor.json"
    call_command("audit", "checkpoint", "--export", str(exported))
    with attacker() as cursor:
        cursor.execute("DELETE FROM audit_auditevent WHERE id >= %s", [events[-200]])
    record_event("test.after")  # the platform carries on: new events link to the surviving head
    assert verify_chain().ok  # the chain alone cannot see a cut head: this was the hole
    message = verify_fails()
    assert f"event {events[-1]} recorded by the checkpoint" in message
    assert "missing" in message
    with pytest.raises(checkpoints.CheckpointError, match="missing"):  # and the cut is never anchored
        checkpoints.write()
    # The exported copy (e.g. on write-once media) catches it too, even when the folder is wiped.
    for path in checkpoints.latest_path().parent.iterdir():
        path.unlink()
    assert f"event {events[-1]} recorded by the checkpoint" in verify_fails("--checkpoint", str(exported))


def test_deleting_the_oldest_1000_events_is_reported_without_any_checkpoint(events):
    oldest = list(AuditEvent.objects.order_by("id").values_list("id", flat=True)[:1000])
    with attacker() as cursor:
        cursor.execute("DELETE FROM audit_auditevent WHERE id <= %s", [oldest[-1]])
    report = verify_chain()
    assert (report.broken_at, report.reason) == (AuditEvent.objects.order_by("id").first().pk, "start")
    assert "the oldest events were deleted" in verify_fails()
    with pytest.raises(checkpoints.CheckpointError, match="the oldest events were deleted"):
        checkpoints.write()


def test_a_checkpoint_also_counts_the_events_it_covers(events):
    checkpoint = checkpoints.write()
    oldest = list(AuditEvent.objects.order_by("id").values_list("id", flat=True)[:1000])
    with attacker() as cursor:  # besides the chain's start, the count up to the checkpoint tells the cut
        cursor.execute("DELETE FROM audit_auditevent WHERE id <= %s", [oldest[-1]])
    problem = checkpoints.compare(checkpoint, verify_chain())
    assert problem == (
        f"{checkpoint.count - 1000} events up to event {checkpoint.last_id}, where the checkpoint of "
        f"{checkpoint.created_at} (event {checkpoint.last_id}) counted {checkpoint.count}: events were deleted"
    )


def test_removing_an_event_and_recomputing_with_the_public_hash_is_reported(db):
    ids = make_events(20)
    with attacker() as cursor:
        cursor.execute("DELETE FROM audit_auditevent WHERE id = %s", [ids[10]])
        recompute(cursor, ids[11], legacy_hash)  # SHA-256, the hash function the source code shows
    report = verify_chain()
    assert (report.broken_at, report.reason) == (ids[11], "unkeyed")
    assert f"broken at event {ids[11]} (unkeyed event)" in verify_fails()


def test_recomputing_the_whole_chain_with_the_public_hash_is_reported(db):
    make_events(20)
    with attacker() as cursor:
        recompute(cursor, AuditEvent.objects.order_by("id").first().pk, legacy_hash)
    report = verify_chain()
    assert report.reason == "unkeyed"
    assert "no event of the chain is keyed" in report.message


def test_recomputing_with_a_key_of_ones_own_is_reported(db):
    ids = make_events(5)
    with attacker() as cursor:
        cursor.execute("DELETE FROM audit_auditevent WHERE id = %s", [ids[2]])
        recompute(cursor, ids[3], lambda previous, row: keyed_hash(previous, row, b"x" * 64))
    report = verify_chain()
    assert (report.broken_at, report.reason) == (ids[3], "hash")


# --- the database refuses changes ---------------------------------------------------------------------------


def refused(action) -> bool:
    try:
        with transaction.atomic():
            action()
    except (IntegrityError, DatabaseError) as exc:
        assert "append-only" in str(exc)
        return True
    return False


def test_the_database_refuses_update_and_delete_of_events(db):
    event = record_event("test.protected", object_id=1)

    def raw(sql, params=None):
        def run():
            with connection.cursor() as cursor:
                cursor.execute(sql, params)

        return run

    def save_changed():
        event.action = "test.changed"
        event.save()

    attempts = {
        "ORM update": lambda: AuditEvent.objects.filter(pk=event.pk).update(action="test.changed"),
        "ORM save": save_changed,
        "ORM delete": lambda: AuditEvent.objects.filter(pk=event.pk).delete(),
        "instance delete": lambda: AuditEvent.objects.get(pk=event.pk).delete(),
        "SQL update": raw("UPDATE audit_auditevent SET action = 'test.changed' WHERE id = %s", [event.pk]),
        "SQL delete": raw("DELETE FROM audit_auditevent WHERE id = %s", [event.pk]),
        "SQL delete all": raw("DELETE FROM audit_auditevent"),
    }
    if connection.vendor == "postgresql":
        attempts["SQL truncate"] = raw("TRUNCATE audit_auditevent")
    assert [name for name, attempt in attempts.items() if not refused(attempt)] == []
    assert AuditEvent.objects.get(pk=event.pk).action == "test.protected"
    assert verify_chain().ok


def test_verify_reports_missing_triggers(db):
    record_event("test.event")
    triggers.remove(connection)
    assert "trigger(s) audit_auditevent_no_update, audit_auditevent_no_delete" in verify_fails()
    triggers.install(connection)
    call_command("audit", "verify")


def test_deleting_a_user_leaves_their_events_unchanged(alice):
    event = record_event("test.by_alice", actor=alice)
    alice.delete()
    assert AuditEvent.objects.get(pk=event.pk).actor_id == event.actor_id
    assert verify_chain().ok


@pytest.mark.django_db(transaction=True)
def test_flush_between_transactional_tests_still_empties_the_trail():
    record_event("test.transactional")
    call_command("flush", interactive=False, verbosity=0)
    assert not AuditEvent.objects.exists()
    assert not PurgePermit.objects.exists()
    assert triggers.missing(connection) == []
    event = record_event("test.after_flush")
    assert refused(lambda: AuditEvent.objects.filter(pk=event.pk).delete())


# --- the documented purge ---------------------------------------------------------------------------------


def test_the_retention_purge_is_audited_and_verify_accepts_exactly_its_boundary(
    settings, db, django_capture_on_commit_callbacks
):
    settings.AUDIT_RETENTION_DAYS = 183
    start = timezone.now()
    old = make_events(30)
    before = checkpoints.write()
    with mock.patch("django.utils.timezone.now", return_value=start + timedelta(days=100)):
        kept = make_events(5)
    expected_deleted = AuditEvent.objects.filter(id__lte=old[-1]).count()
    with (
        mock.patch("django.utils.timezone.now", return_value=start + timedelta(days=250)),
        django_capture_on_commit_callbacks(execute=True),
    ):
        assert purge_expired() == expected_deleted
    assert not AuditEvent.objects.filter(id__lte=old[-1]).exists()
    assert not PurgePermit.objects.exists()
    purge = AuditEvent.objects.get(action="audit.purge")
    assert purge.details["through_id"] == old[-1]
    assert purge.details["deleted"] == expected_deleted
    assert AuditEvent.objects.get(pk=kept[0]).previous_hash == purge.details["through_hash"]
    # verify: intact, against the checkpoint the purge wrote and against the one from before the purge
    after = checkpoints.latest()
    assert after.last_id == purge.pk and after.first_id == kept[0]
    assert checkpoints.compare(before, verify_chain()) is None
    call_command("audit", "verify")
    # exactly that truncation: one event more deleted at the start is reported
    with attacker() as cursor:
        cursor.execute("DELETE FROM audit_auditevent WHERE id = %s", [kept[0]])
    report = verify_chain()
    assert (report.broken_at, report.reason) == (kept[1], "start")


def test_a_forged_purge_event_does_not_excuse_a_deletion(db):
    ids = make_events(10)
    cut = AuditEvent.objects.get(pk=ids[4])
    with attacker() as cursor:
        cursor.execute("DELETE FROM audit_auditevent WHERE id <= %s", [cut.pk])
    # the attacker appends a purge event that names the cut, but cannot key it
    head = AuditEvent.objects.order_by("-id").first().hash
    values = event_values("audit.purge", deleted=5, through_id=cut.pk, through_hash=cut.hash)
    AuditEvent.objects.create(previous_hash=head, hash=legacy_hash(head, values), **values)
    report = verify_chain()
    assert (report.broken_at, report.reason) == (ids[5], "start")


# --- the key ------------------------------------------------------------------------------------------------


def test_production_without_the_audit_key_is_a_clear_error(settings, tmp_path, db):
    settings.PRODUCTION = True
    settings.AUDIT_KEY = ""
    settings.AUDIT_KEY_FILE = tmp_path / "audit.key"
    with pytest.raises(AuditKeyMissing, match="The audit key is missing: set FANGUAI_AUDIT_KEY or create"):
        record_event("test.no_key")
    assert not settings.AUDIT_KEY_FILE.exists()
    with pytest.raises(SystemCheckError, match="fanguai.audit.E001"):
        call_command("check")
    with pytest.raises(CommandError, match="The audit key is missing"):
        call_command("audit", "verify")
    settings.AUDIT_KEY = "too-short"
    with pytest.raises(SystemCheckError, match="shorter than 32"):
        call_command("check")


def test_production_with_the_key_passes_the_check(settings, tmp_path):
    settings.PRODUCTION = True
    settings.AUDIT_KEY = ""
    settings.AUDIT_KEY_FILE = tmp_path / "audit.key"
    call_command("audit", "create-key")
    assert stat.S_IMODE(os.stat(settings.AUDIT_KEY_FILE).st_mode) == 0o600
    assert audit_key_check() == []
    with pytest.raises(CommandError, match="never replaced"):
        call_command("audit", "create-key")


def test_outside_production_a_missing_key_file_is_created_owner_only(settings, tmp_path):
    settings.PRODUCTION = False
    settings.AUDIT_KEY = ""
    settings.AUDIT_KEY_FILE = tmp_path / "keys" / "audit.key"
    key = audit_key()
    assert settings.AUDIT_KEY_FILE.read_text().strip().encode() == key
    assert stat.S_IMODE(os.stat(settings.AUDIT_KEY_FILE).st_mode) == 0o600
    settings.AUDIT_KEY = "k" * 40
    assert audit_key() == b"k" * 40  # the environment's key takes precedence


# --- an existing, unkeyed chain ---------------------------------------------------------------------------


def test_an_unkeyed_chain_is_closed_by_a_rekey_event_and_cannot_be_downgraded(db):
    from importlib import import_module

    with attacker() as cursor:  # start from an installation of the old version: unkeyed events only
        cursor.execute("DELETE FROM audit_auditevent")
    previous = GENESIS_HASH
    legacy = []
    for i in range(5):
        values = event_values("old.event", number=i)
        legacy.append(
            AuditEvent.objects.create(previous_hash=previous, hash=legacy_hash(previous, values), **values)
        )
        previous = legacy[-1].hash
    import_module("fanguai.audit.migrations.0004_rekey_chain").rekey(
        apps, SimpleNamespace(connection=connection)
    )
    rekey = AuditEvent.objects.get(action=REKEY_ACTION)
    assert rekey.previous_hash == legacy[-1].hash
    assert rekey.details["unkeyed_events"] == 5
    new = make_events(3)
    report = verify_chain()
    assert (report.ok, report.checked) == (True, 9)
    with rolled_back():  # a downgrade: the newest events recomputed with the public hash
        with attacker() as cursor:
            recompute(cursor, new[1], legacy_hash)
        assert (verify_chain().broken_at, verify_chain().reason) == (new[1], "unkeyed")
    with rolled_back():  # cut back to the unkeyed part: no keyed event is left
        with attacker() as cursor:
            cursor.execute("DELETE FROM audit_auditevent WHERE id >= %s", [rekey.pk])
        assert "no event of the chain is keyed" in verify_chain().message
    with rolled_back():  # an unkeyed event appended after the re-key event
        values = event_values("old.event")
        AuditEvent.objects.create(previous_hash=str(new[-1]), hash="0", **values)
        head = AuditEvent.objects.get(pk=new[-1]).hash
        with attacker() as cursor:
            cursor.execute(
                "UPDATE audit_auditevent SET previous_hash = %s, hash = %s WHERE action = 'old.event' AND hash = '0'",
                [head, legacy_hash(head, values)],
            )
        assert verify_chain().reason == "unkeyed"
    with rolled_back():  # the oldest unkeyed event deleted
        with attacker() as cursor:
            cursor.execute("DELETE FROM audit_auditevent WHERE id = %s", [legacy[0].pk])
        assert (verify_chain().broken_at, verify_chain().reason) == (legacy[1].pk, "start")
    with rolled_back():  # an unkeyed event changed
        with attacker() as cursor:
            cursor.execute("UPDATE audit_auditevent SET object_id = 'x' WHERE id = %s", [legacy[2].pk])
        assert (verify_chain().broken_at, verify_chain().reason) == (legacy[2].pk, "hash")
    assert verify_chain().ok


def test_the_rekey_event_records_where_an_unkeyed_chain_that_was_purged_starts(db):
    from importlib import import_module

    with attacker() as cursor:
        cursor.execute("DELETE FROM audit_auditevent")
    previous = "f" * 64  # the old version's purge had deleted the oldest events, leaving no trace of where
    legacy = []
    for i in range(3):
        values = event_values("old.event", number=i)
        legacy.append(
            AuditEvent.objects.create(previous_hash=previous, hash=legacy_hash(previous, values), **values)
        )
        previous = legacy[-1].hash
    assert verify_chain().reason == "start"
    import_module("fanguai.audit.migrations.0004_rekey_chain").rekey(
        apps, SimpleNamespace(connection=connection)
    )
    assert verify_chain().ok
    with attacker() as cursor:
        cursor.execute("DELETE FROM audit_auditevent WHERE id = %s", [legacy[0].pk])
    assert (verify_chain().broken_at, verify_chain().reason) == (legacy[1].pk, "start")


# --- checkpoints ------------------------------------------------------------------------------------------


def test_checkpoints_are_signed_owner_only_files_and_a_tampered_one_is_rejected(db, settings):
    make_events(3)
    first = checkpoints.write()
    path = checkpoints.latest_path()
    assert stat.S_IMODE(path.stat().st_mode) == 0o600
    assert stat.S_IMODE(path.parent.stat().st_mode) == 0o700
    assert checkpoints.write() == first  # the head has not moved: no second file
    make_events(1)
    assert checkpoints.write().last_id > first.last_id
    assert len(list(path.parent.iterdir())) == 2
    latest = checkpoints.latest_path()
    data = json.loads(latest.read_text())
    data["count"] += 1
    latest.write_text(json.dumps(data))
    assert "bad signature" in verify_fails()


def test_a_checkpoint_is_never_written_over_a_broken_chain(db):
    ids = make_events(5)
    checkpoints.write()
    make_events(2)
    with attacker() as cursor:
        cursor.execute("UPDATE audit_auditevent SET action = 'x' WHERE id = %s", [ids[-1] + 1])
    with pytest.raises(checkpoints.CheckpointError, match="no checkpoint written: audit chain broken"):
        checkpoints.write()


def test_the_worker_writes_checkpoints_periodically(db, settings):
    from fanguai.audit.tasks import write_audit_checkpoint
    from fanguai.core.periodic import jobs

    assert any(job.task_path == "fanguai.audit.tasks.write_audit_checkpoint" for job in jobs())
    make_events(2)
    result = write_audit_checkpoint.enqueue()
    assert (
        result.return_value == AuditEvent.objects.order_by("-id").first().pk == checkpoints.latest().last_id
    )


CHECKPOINT_EXPORT = Row("audit checkpoint export", lambda s: "/audit/checkpoint.json", frozenset({"auditor"}))


@pytest.fixture
def scenario(cast):
    record_event("secret.action", actor=cast["alice"], object_type="x", object_id=1)
    return {"users": cast}


def test_only_the_audit_administrator_exports_a_checkpoint(scenario, client):
    client.force_login(scenario["users"]["auditor"])
    head = AuditEvent.objects.order_by("-id").first()
    response = client.get("/audit/checkpoint.json")
    exported = checkpoints.parse(response.content.decode())
    assert (exported.last_id, exported.last_hash) == (head.pk, head.hash)
    assert response["Content-Disposition"] == f'attachment; filename="{exported.file_name}"'
    event = AuditEvent.objects.get(action="audit.checkpoint.export")
    assert (event.actor_username, event.details["last_id"]) == ("auditor", exported.last_id)
    page = client.get("/audit/").content.decode()
    summary = re.search(r'<p [^>]*id="audit-checkpoint">(.*?)</p>', page, re.S).group(1)
    assert str(exported.last_id) in summary and exported.created_at in summary
    check_row(CHECKPOINT_EXPORT, scenario, scenario["users"])


def test_a_broken_chain_is_not_exported_as_a_checkpoint(auditor, client):
    ids = make_events(3)
    with attacker() as cursor:
        cursor.execute("UPDATE audit_auditevent SET object_id = 'x' WHERE id = %s", [ids[1]])
    client.force_login(auditor)
    response = client.get("/audit/checkpoint.json")
    assert response.status_code == 302 and response["Location"] == "/audit/"
    assert checkpoints.latest_path() is None
    assert not AuditEvent.objects.filter(action="audit.checkpoint.export").exists()
