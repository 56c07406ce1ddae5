"""Issue 11, item 3: API tokens expire (90 days by default), `fanguai users tokens` lists them,
`fanguai users revoke-token` revokes them; a revoked or expired token gets 401 and the attempt is audited."""

import os
import sqlite3
import subprocess
import sys
from datetime import UTC, datetime, timedelta
from io import StringIO
from pathlib import Path

import pytest
from django.core.management import CommandError, call_command
from django.test import Client
from django.utils import timezone

from fanguai.accounts import services
from fanguai.accounts.models import ApiToken
from fanguai.audit.models import AuditEvent


def users(*args) -> str:
    out = StringIO()
    call_command("users", *args, stdout=out)
    return out.getvalue()


def api_me(raw: str):
    return Client().get("/api/me", headers={"Authorization": f"Bearer {raw}"})


def test_a_token_expires_after_ninety_days_by_default(alice):
    before = timezone.now()
    services.create_api_token(actor=None, user=alice, name="default")
    token = ApiToken.objects.get(user=alice)
    assert before + timedelta(days=90) <= token.expires_at <= timezone.now() + timedelta(days=90)


def test_the_default_lifetime_is_a_setting(settings, alice):
    settings.API_TOKEN_DAYS = 7
    services.create_api_token(actor=None, user=alice, name="short")
    token = ApiToken.objects.get(user=alice)
    assert token.expires_at - token.created_at < timedelta(days=7, seconds=5)
    assert token.expires_at - token.created_at > timedelta(days=7, seconds=-5)


def test_the_token_command_keeps_its_output_and_takes_days(alice):
    output = users("token", "alice", "--name", "etl", "--days", "30")
    raw = output.strip()
    assert output.count("\n") == 1 and raw.startswith("fg_")  # the contract: the token alone, once
    token = ApiToken.objects.get(user=alice, name="etl")
    assert token.digest == services.token_digest(raw)
    assert (
        timedelta(days=30, seconds=-5) < token.expires_at - token.created_at < timedelta(days=30, seconds=5)
    )
    assert api_me(raw).status_code == 200
    with pytest.raises(CommandError):
        users("token", "alice", "--days", "0")


def test_a_valid_token_works_and_records_its_use(alice):
    raw = services.create_api_token(actor=None, user=alice, name="valid")
    assert api_me(raw).status_code == 200
    assert ApiToken.objects.get(user=alice).last_used_at is not None
    assert not AuditEvent.objects.filter(action="api_token.use").exists()


@pytest.mark.parametrize("state", ["expired", "revoked", "inactive_user"])
def test_a_refused_token_gets_401_and_the_attempt_is_audited(alice, state):
    raw = services.create_api_token(actor=None, user=alice, name=state)
    token = ApiToken.objects.get(user=alice)
    if state == "expired":
        ApiToken.objects.filter(pk=token.pk).update(expires_at=timezone.now() - timedelta(seconds=1))
    elif state == "revoked":
        services.revoke_api_tokens(actor=None, user=alice, token_ids=[token.pk])
    else:
        alice.is_active = False
        alice.save()
    assert api_me(raw).status_code == 401
    event = AuditEvent.objects.get(action="api_token.use")
    assert event.outcome == "denied"
    assert event.object_id == str(token.pk)
    assert event.details["reason"] == state
    # Never the token itself, and of its digest only a prefix.
    recorded = str(event.details) + event.object_id
    assert raw not in recorded and raw[3:] not in recorded and token.digest not in recorded
    assert token.digest.startswith(event.details["digest_prefix"])
    assert ApiToken.objects.get(pk=token.pk).last_used_at is None


def test_an_unknown_token_gets_401(alice):
    assert api_me("fg_unknown").status_code == 401


def test_tokens_lists_a_users_tokens_without_their_secrets(alice, bob):
    raws = [services.create_api_token(actor=None, user=alice, name=name) for name in ("etl", "old", "gone")]
    services.create_api_token(actor=None, user=bob, name="bobs")
    etl, old, gone = (ApiToken.objects.get(user=alice, name=name) for name in ("etl", "old", "gone"))
    ApiToken.objects.filter(pk=old.pk).update(expires_at=timezone.now() - timedelta(days=1))
    services.revoke_api_tokens(actor=None, user=alice, token_ids=[gone.pk])
    api_me(raws[0])

    output = users("tokens", "alice")
    lines = {line.split()[0]: line for line in output.splitlines()[1:]}
    assert set(lines) == {str(etl.pk), str(old.pk), str(gone.pk)}
    assert lines[str(etl.pk)].split()[-1] == "active" and "etl" in lines[str(etl.pk)]
    assert lines[str(old.pk)].split()[-1] == "expired"
    assert lines[str(gone.pk)].split()[-1] == "revoked"
    assert timezone.localtime(etl.expires_at).strftime("%Y-%m-%d %H:%M") in lines[str(etl.pk)]
    # The used token shows when it was last used; the others show "-".
    assert lines[str(old.pk)].count(" - ") == 1 and lines[str(etl.pk)].count(" - ") == 0
    for raw in raws:
        assert raw not in output
    for token in (etl, old, gone):
        assert token.digest[:8] not in output
    assert "bobs" not in output


def test_revoke_token_by_id_and_all(alice, bob):
    raws = [services.create_api_token(actor=None, user=alice, name=f"t{i}") for i in range(3)]
    bobs_raw = services.create_api_token(actor=None, user=bob, name="bobs")
    first, second, third = ApiToken.objects.filter(user=alice).order_by("pk")

    assert f"revoked 1 token(s) of alice: {first.pk}" in users("revoke-token", "alice", str(first.pk))
    assert api_me(raws[0]).status_code == 401
    assert api_me(raws[1]).status_code == 200
    assert AuditEvent.objects.filter(action="api_token.revoke", object_id=str(first.pk)).count() == 1

    output = users("revoke-token", "alice", "--all")
    assert f"revoked 2 token(s) of alice: {second.pk}, {third.pk}" in output
    assert all(api_me(raw).status_code == 401 for raw in raws)
    assert api_me(bobs_raw).status_code == 200
    assert ApiToken.objects.filter(user=alice, revoked_at__isnull=True).count() == 0


def test_revoke_token_refuses_bad_arguments_and_changes_nothing(alice, bob, english):
    services.create_api_token(actor=None, user=alice, name="alices")
    services.create_api_token(actor=None, user=bob, name="bobs")
    alices = ApiToken.objects.get(user=alice)
    bobs = ApiToken.objects.get(user=bob)
    with pytest.raises(CommandError, match="has no token"):
        users("revoke-token", "alice", str(alices.pk), str(bobs.pk))  # one of them is bob's
    with pytest.raises(CommandError):
        users("revoke-token", "alice")  # neither ids nor --all
    with pytest.raises(CommandError):
        users("revoke-token", "alice", str(alices.pk), "--all")
    with pytest.raises(CommandError):
        users("revoke-token", "nobody", "--all")
    assert ApiToken.objects.filter(revoked_at__isnull=False).count() == 0


def test_existing_tokens_get_an_expiry_from_the_data_migration(tmp_path):
    """Migrate a fresh SQLite database to the schema before expiries, add a token as it was then, migrate on:
    the token expires 90 days after it was created."""
    env = {
        key: value
        for key, value in os.environ.items()
        if key
        not in {"DATABASE_URL", "DJANGO_SETTINGS_MODULE", "FANGUAI_KEY_FILE", "FANGUAI_ENCRYPTION_KEYS"}
    }
    env["FANGUAI_DATA_DIR"] = str(tmp_path)
    command = [sys.executable, "-m", "django", "migrate", "--settings", "fanguai.settings", "-v", "0"]

    def migrate(*target):
        subprocess.run([*command, *target], env=env, check=True, capture_output=True, timeout=300)

    migrate("accounts", "0002")
    database = Path(tmp_path) / "fanguai.sqlite3"
    created = datetime(2026, 1, 10, 8, 30, tzinfo=UTC)
    with sqlite3.connect(database) as db:
        db.execute(
            "INSERT INTO accounts_user (password, is_superuser, username, first_name, last_name, email, is_staff,"
            " is_active, date_joined, full_name, role, phone) VALUES ('!', 0, 'old', '', '', '', 0, 1, ?, '',"
            " 'investigator', '')",
            (created.isoformat(),),
        )
        user_id = db.execute("SELECT id FROM accounts_user WHERE username = 'old'").fetchone()[0]
        db.execute(
            "INSERT INTO accounts_apitoken (user_id, name, digest, created_at, expires_at)"
            " VALUES (?, 'legacy', 'abc', ?, NULL)",
            (user_id, created.strftime("%Y-%m-%d %H:%M:%S")),
        )
    migrate()
    with sqlite3.connect(database) as db:
        (expires_at,) = db.execute(
            "SELECT expires_at FROM accounts_apitoken WHERE name = 'legacy'"
        ).fetchone()
    assert datetime.fromisoformat(expires_at).replace(tzinfo=UTC) == created + timedelta(days=90)
