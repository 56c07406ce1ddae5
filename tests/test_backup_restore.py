"""The restore drill, end to end through the `fanguai` command on SQLite (issue 11 items 12, 13 and 18).

One instance is built in a temporary data folder by subprocesses (migrate, reference data, a person with
encrypted fields and an uploaded file, an audit checkpoint). The tests then check that its data folder is
owner-only and its files encrypted, that `fanguai check` refuses to pass without the key, and the drill:
back up, export the keys, restore into a fresh data folder after importing the keys, and compare every
table (row count and a content hash), the files and `fanguai audit verify`.
"""

import hashlib
import json
import os
import shutil
import sqlite3
import stat
import subprocess
import sys
from pathlib import Path

import pytest
from cryptography.fernet import Fernet, MultiFernet

FANGUAI = str(Path(sys.executable).with_name("fanguai"))
PDF = b"%PDF-1.4\n1 0 obj<</Type/Catalog/Pages 2 0 R>>endobj\ntrailer<</Root 1 0 R>>\n%%EOF\n% drill\n"
NAME = "\u5f20\u6f14\u7ec3"  # 张演练

SEED = f"""
from pathlib import Path
from django.conf import settings
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import call_command
from fanguai.audit.context import acting
from fanguai.files.services import store_upload
from fanguai.org.models import Unit
from fanguai.org.services import load_regions, load_units
from fanguai.people.services import register_person

with acting(ip_address="127.0.0.1"):
    load_regions(Path(settings.REFERENCE_DATA_DIR) / "regions/liuan.csv")
    load_units(Path(settings.REFERENCE_DATA_DIR) / "units/liuan.csv")
    unit = Unit.objects.order_by("pk").first()
    person = register_person(actor=None, unit=unit, full_name="{NAME}", id_card_number="341502199001010025")
    store_upload(actor=None, upload=SimpleUploadedFile("drill.pdf", {PDF!r}), attach_to=person)
call_command("audit", "checkpoint")
"""


def fanguai(
    data_dir: Path, *args: str, check: bool = True, database_url: str = ""
) -> subprocess.CompletedProcess:
    env = {
        k: v
        for k, v in os.environ.items()
        if not k.startswith("FANGUAI_") and k not in {"DATABASE_URL", "SECRET_KEY"}
    }
    env.update(
        FANGUAI_DATA_DIR=str(data_dir), FANGUAI_REQUIRE_2FA="0", DJANGO_SETTINGS_MODULE="fanguai.settings"
    )
    if database_url:
        env["DATABASE_URL"] = database_url
    done = subprocess.run(  # noqa: S603 - our own console script
        [FANGUAI, *args], env=env, capture_output=True, text=True, timeout=300, check=False
    )
    if check:
        assert done.returncode == 0, f"fanguai {' '.join(args)} failed:\n{done.stdout}\n{done.stderr}"
    return done


@pytest.fixture(scope="module")
def instance(tmp_path_factory) -> Path:
    data_dir = tmp_path_factory.mktemp("drill") / "source"
    fanguai(data_dir, "migrate", "--verbosity", "0")
    fanguai(data_dir, "shell", "--command", SEED)
    return data_dir


def key_ring(data_dir: Path) -> MultiFernet:
    lines = (data_dir / "encryption.keys").read_text().splitlines()
    return MultiFernet([Fernet(k) for k in lines if k and not k.startswith(("#", "index:"))])


def private_files(data_dir: Path) -> dict[str, bytes]:
    root = data_dir / "private"
    return {p.relative_to(root).as_posix(): p.read_bytes() for p in sorted(root.rglob("*")) if p.is_file()}


def table_digests(database: Path) -> dict[str, tuple[int, str]]:
    """Every table's row count and a hash of its rows in primary-key order."""
    digests = {}
    tables = rows(database, "SELECT name FROM sqlite_master WHERE type='table' AND name NOT LIKE 'sqlite_%'")
    for (table,) in tables:
        columns = rows(database, f'PRAGMA table_info("{table}")')
        keys = [c[1] for c in sorted(columns, key=lambda c: c[5]) if c[5]] or [c[1] for c in columns]
        order = ", ".join(f'"{k}"' for k in keys)
        content = rows(database, f'SELECT * FROM "{table}" ORDER BY {order}')  # noqa: S608
        digests[table] = (len(content), hashlib.sha256(repr(content).encode()).hexdigest())
    return digests


def rows(database: Path, query: str) -> list:
    db = sqlite3.connect(database)
    try:
        return db.execute(query).fetchall()
    finally:
        db.close()


def test_the_data_folder_is_owner_only(instance):
    assert stat.S_IMODE(instance.stat().st_mode) == 0o700
    for path in instance.rglob("*"):
        mode = stat.S_IMODE(path.stat().st_mode)
        assert mode == (0o700 if path.is_dir() else 0o600), f"{path.relative_to(instance)}: {oct(mode)}"
    assert (instance / "fanguai.sqlite3").exists() and (instance / "encryption.keys").exists()


def test_the_stored_file_is_encrypted_with_the_key_ring(instance):
    [raw] = private_files(instance).values()
    assert raw != PDF and b"%PDF" not in raw
    assert key_ring(instance).decrypt(raw) == PDF


def test_check_fails_without_the_key_file_and_makes_no_new_one(instance):
    key_file = instance / "encryption.keys"
    aside = instance.parent / "keys-aside"
    shutil.move(key_file, aside)
    try:
        done = fanguai(instance, "check", check=False)
        assert done.returncode != 0
        assert "fanguai.E002" in done.stderr and "missing" in done.stderr
        assert not key_file.exists()
    finally:
        shutil.move(aside, key_file)


def test_restore_drill(instance, tmp_path):
    backup, keys, target = tmp_path / "backup", tmp_path / "keys", tmp_path / "restored"
    fanguai(instance, "backup", str(backup))
    manifest = json.loads((backup / "manifest.json").read_text())
    assert manifest["database"]["vendor"] == "sqlite" and manifest["tables"]["people_person"] == 1
    assert not list(backup.rglob("*.key*")) and not (backup / "secret_key").exists()

    from fanguai.core.backup import BackupError, export_keys

    with pytest.raises(BackupError, match="beside the data"):
        export_keys(backup / "keys")
    assert not (backup / "keys").exists()
    exported = fanguai(instance, "keys", "export", str(keys))
    assert "apart from the backups" in exported.stdout
    assert sorted(p.name for p in keys.iterdir()) == ["audit.key", "encryption.keys", "secret_key"]

    without_keys = fanguai(target, "restore", str(backup), check=False)
    assert without_keys.returncode != 0 and "keys import" in without_keys.stderr
    fanguai(target, "keys", "import", str(keys))
    fanguai(target, "restore", str(backup))
    again = fanguai(target, "restore", str(backup), check=False)
    assert again.returncode != 0 and "--force" in again.stderr
    fanguai(target, "check")
    fanguai(target, "audit", "verify")

    before = table_digests(backup / "database.sqlite3")
    after = table_digests(target / "fanguai.sqlite3")
    events = "audit_auditevent"
    assert after.pop(events)[0] == before.pop(events)[0] + 1  # the restore's own audit event
    assert after == before
    in_order = f"SELECT * FROM {events} ORDER BY id"  # noqa: S608
    restored_events = rows(target / "fanguai.sqlite3", in_order)
    assert restored_events[:-1] == rows(backup / "database.sqlite3", in_order)
    assert "backup.restore" in restored_events[-1]

    assert private_files(target) == private_files(instance)
    [raw] = private_files(target).values()
    assert key_ring(target).decrypt(raw) == PDF
    for path in target.rglob("*"):
        assert stat.S_IMODE(path.stat().st_mode) == (0o700 if path.is_dir() else 0o600)


def test_a_damaged_backup_is_refused_before_anything_is_written(instance, tmp_path):
    from fanguai.core.backup import BackupError, read_manifest

    backup = tmp_path / "backup"
    fanguai(instance, "backup", str(backup))
    read_manifest(backup)
    [stored] = (p for p in (backup / "private").rglob("*") if p.is_file())
    data = stored.read_bytes()
    stored.write_bytes(
        data[:-1] + bytes([data[-1] ^ 1])
    )  # always a change (the last byte may already be "x")
    with pytest.raises(BackupError, match="checksum mismatch"):
        read_manifest(backup)  # restore_backup reads the manifest before it touches the target


POSTGRES_URL = os.environ.get("DATABASE_URL", "")


def psql(url: str, sql: str) -> str:
    done = subprocess.run(["psql", url, "-Atc", sql], capture_output=True, text=True, check=True)  # noqa: S603 S607
    return done.stdout


@pytest.mark.skipif(not POSTGRES_URL.startswith("postgres"), reason="the suite runs on SQLite")
def test_restore_drill_on_postgresql(tmp_path):
    """pg_dump of one database, pg_restore into a second one; every table compared, then both dropped."""
    server = POSTGRES_URL.rsplit("/", 1)[0]
    suffix = os.getpid()
    source_url, target_url = (
        f"{server}/fanguai_backup_drill_{suffix}",
        f"{server}/fanguai_restore_drill_{suffix}",
    )
    for url in (source_url, target_url):
        psql(POSTGRES_URL, f"CREATE DATABASE {url.rsplit('/', 1)[1]}")
    try:
        source, target, backup, keys = (tmp_path / n for n in ("source", "target", "backup", "keys"))
        fanguai(source, "migrate", "--verbosity", "0", database_url=source_url)
        fanguai(source, "shell", "--command", SEED, database_url=source_url)
        fanguai(source, "backup", str(backup), database_url=source_url)
        assert (backup / "database.dump").read_bytes().startswith(b"PGDMP")  # pg_dump's custom format
        fanguai(source, "keys", "export", str(keys), database_url=source_url)
        fanguai(target, "keys", "import", str(keys), database_url=target_url)
        fanguai(target, "restore", str(backup), database_url=target_url)
        fanguai(target, "check", database_url=target_url)
        fanguai(target, "audit", "verify", database_url=target_url)
        tables = psql(source_url, "SELECT tablename FROM pg_tables WHERE schemaname = 'public'").split()
        digest = "SELECT count(*), md5(coalesce(string_agg(x::text, '|' ORDER BY x::text), '')) FROM {} x"
        differing = [
            t for t in tables if psql(source_url, digest.format(t)) != psql(target_url, digest.format(t))
        ]
        # The source has since recorded the key export, the target its restore: one event each.
        assert differing == ["audit_auditevent"]
        count = "SELECT count(*) FROM audit_auditevent"
        assert psql(source_url, count) == psql(target_url, count)
        assert private_files(target) == private_files(source)
    finally:
        for url in (source_url, target_url):
            psql(POSTGRES_URL, f"DROP DATABASE IF EXISTS {url.rsplit('/', 1)[1]} WITH (FORCE)")
