"""Backup and restore behind `fanguai backup DEST` and `fanguai restore SRC`, and the key export behind
`fanguai keys export / import`.

A backup is a folder: the database (SQLite: a copy made with the online backup API; PostgreSQL: `pg_dump -Fc`
taken from the same snapshot as the row counts), the private files exactly as stored (encrypted), the audit
checkpoints, and `manifest.json` with the SHA-256 and size of every file and the row count of every table.
The keys are never in it: without them the backup is unreadable, so they are exported separately and must be
kept apart from it. A restore checks every checksum before it writes anything, refuses a non-empty target
unless forced, and checks the row counts afterwards.
"""

import hashlib
import json
import os
import shutil
import sqlite3
import subprocess
import tempfile
from dataclasses import dataclass, field
from pathlib import Path

from django.conf import settings
from django.db import connection, connections, transaction
from django.utils import timezone

from . import crypto

FORMAT = "fanguai-backup"
VERSION = 1
MANIFEST = "manifest.json"
SQLITE_FILE = "database.sqlite3"
POSTGRES_FILE = "database.dump"
PRIVATE = "private"
CHECKPOINTS = "audit-checkpoints"
KEY_FILES = {"encryption.keys": 0o600, "audit.key": 0o600, "secret_key": 0o600}
KEY_WARNING = (
    "Keep these keys apart from the backups and from the data folder (another machine, a safe, an offline "
    "medium): whoever holds a backup and its keys can read every record, and without the keys a backup "
    "cannot be read at all."
)


class BackupError(Exception):
    """A backup or restore that cannot go ahead; the message says why. Nothing was written."""


@dataclass
class Result:
    path: Path
    files: int = 0
    tables: dict = field(default_factory=dict)
    notes: list = field(default_factory=list)


def sha256_file(path: Path) -> str:
    digest = hashlib.sha256()
    with open(path, "rb") as handle:
        for chunk in iter(lambda: handle.read(1024 * 1024), b""):
            digest.update(chunk)
    return digest.hexdigest()


def _vendor() -> str:
    return connection.vendor


def _inside(path: Path, folder: Path) -> bool:
    path, folder = path.resolve(), folder.resolve()
    return path == folder or folder in path.parents


def _private_root() -> Path:
    from django.core.files.storage import storages

    return Path(storages["private"].location)


def _checkpoint_dir() -> Path | None:
    value = getattr(settings, "AUDIT_CHECKPOINT_DIR", None)
    return Path(value) if value else None


def _walk(root: Path) -> list[Path]:
    if not root.exists():
        return []
    return sorted(p for p in root.rglob("*") if p.is_file() and not p.name.startswith(".rewrite-"))


def _sqlite_path() -> Path:
    return Path(settings.DATABASES["default"]["NAME"])


def _sqlite_copy(source_path: Path, target_path: Path) -> None:
    """Copy a database page by page with SQLite's online backup API: consistent while others write."""
    source, target = sqlite3.connect(source_path), sqlite3.connect(target_path)
    try:
        source.backup(target)
    finally:
        target.close()
        source.close()


def _row_counts_sqlite(path: Path) -> dict[str, int]:
    with sqlite3.connect(path) as db:
        names = [
            row[0]
            for row in db.execute(
                "SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%' ORDER BY name"
            )
        ]
        return {name: db.execute(f'SELECT COUNT(*) FROM "{name}"').fetchone()[0] for name in names}  # noqa: S608


def row_counts() -> dict[str, int]:
    """The row count of every table of the configured database."""
    quote = connection.ops.quote_name
    counts = {}
    with connection.cursor() as cursor:
        for name in sorted(connection.introspection.table_names(cursor)):
            cursor.execute(f"SELECT COUNT(*) FROM {quote(name)}")  # noqa: S608
            counts[name] = cursor.fetchone()[0]
    return counts


def _pg_command(program: str) -> tuple[list[str], dict]:
    db = settings.DATABASES["default"]
    args = [program, "--no-password"]
    if db.get("HOST"):
        args += ["--host", str(db["HOST"])]
    if db.get("PORT"):
        args += ["--port", str(db["PORT"])]
    if db.get("USER"):
        args += ["--username", str(db["USER"])]
    env = {**os.environ}
    if db.get("PASSWORD"):
        env["PGPASSWORD"] = str(db["PASSWORD"])
    return args, env


def _run(args: list[str], env: dict) -> None:
    done = subprocess.run(args, env=env, capture_output=True, text=True, check=False)  # noqa: S603
    if done.returncode != 0:
        raise BackupError(f"{Path(args[0]).name} failed: {done.stderr.strip()[-2000:]}")


def _is_empty_folder(path: Path) -> bool:
    return not path.exists() or (path.is_dir() and not any(path.iterdir()))


def create_backup(dest: Path) -> Result:
    """Write a backup of the database, the private files and the audit checkpoints into the folder dest
    (new or empty, outside the data folder)."""
    dest = Path(dest).absolute()
    if _inside(dest, Path(settings.DATA_DIR)):
        raise BackupError(
            f"{dest} is inside the data folder {settings.DATA_DIR}: a backup must live elsewhere"
        )
    if not _is_empty_folder(dest):
        raise BackupError(f"{dest} exists and is not empty")
    dest.mkdir(parents=True, exist_ok=True, mode=0o700)
    vendor = _vendor()
    result = Result(dest)
    from fanguai.audit.services import record_event

    # The event goes in first, so that the backup holds the record of its own making.
    record_event("backup.create", object_type="core.backup", details={"vendor": vendor})
    if vendor == "sqlite":
        database_file = dest / SQLITE_FILE
        _sqlite_copy(_sqlite_path(), database_file)
        result.tables = _row_counts_sqlite(database_file)
    elif vendor == "postgresql":
        database_file = dest / POSTGRES_FILE
        with transaction.atomic(), connection.cursor() as cursor:
            # Counts and dump come from one snapshot, so the manifest describes exactly what was dumped.
            cursor.execute("SET TRANSACTION ISOLATION LEVEL REPEATABLE READ")
            cursor.execute("SELECT pg_export_snapshot()")
            snapshot = cursor.fetchone()[0]
            result.tables = row_counts()
            args, env = _pg_command("pg_dump")
            _run(
                [
                    *args,
                    "--format=custom",
                    f"--snapshot={snapshot}",
                    f"--file={database_file}",
                    str(settings.DATABASES["default"]["NAME"]),
                ],
                env,
            )
    else:
        raise BackupError(f"backups of {vendor} databases are not supported")
    files = [_describe(database_file, dest)]
    for source_root, folder in ((_private_root(), PRIVATE), (_checkpoint_dir(), CHECKPOINTS)):
        if source_root is None:
            continue
        for path in _walk(source_root):
            target = dest / folder / path.relative_to(source_root)
            target.parent.mkdir(parents=True, exist_ok=True, mode=0o700)
            shutil.copy2(path, target)
            files.append(_describe(target, dest))
    result.files = len(files) - 1
    manifest = {
        "format": FORMAT,
        "version": VERSION,
        "created": timezone.now().isoformat(timespec="seconds"),
        "database": {"vendor": vendor, "file": database_file.name},
        "files": files,
        "tables": result.tables,
    }
    (dest / MANIFEST).write_text(json.dumps(manifest, indent=2, sort_keys=True) + "\n")
    return result


def _describe(path: Path, root: Path) -> dict:
    return {
        "path": path.relative_to(root).as_posix(),
        "sha256": sha256_file(path),
        "size": path.stat().st_size,
    }


def read_manifest(src: Path) -> dict:
    """The manifest of a backup folder, with every listed file checked against its size and SHA-256."""
    src = Path(src)
    try:
        manifest = json.loads((src / MANIFEST).read_text())
    except (OSError, ValueError) as exc:
        raise BackupError(f"{src} has no readable {MANIFEST}: {exc}") from None
    if manifest.get("format") != FORMAT or manifest.get("version") != VERSION:
        raise BackupError(f"{src} is not a fanguai backup of version {VERSION}")
    problems = []
    for entry in manifest["files"]:
        path = src / entry["path"]
        if ".." in Path(entry["path"]).parts or Path(entry["path"]).is_absolute():
            problems.append(f"{entry['path']}: not a path inside the backup")
        elif not path.is_file():
            problems.append(f"{entry['path']}: missing")
        elif path.stat().st_size != entry["size"] or sha256_file(path) != entry["sha256"]:
            problems.append(f"{entry['path']}: checksum mismatch")
    listed = {entry["path"] for entry in manifest["files"]}
    if manifest["database"]["file"] not in listed:
        problems.append(f"{manifest['database']['file']}: not listed with a checksum")
    if problems:
        raise BackupError("the backup is damaged; nothing was restored:\n" + "\n".join(problems))
    return manifest


def _target_problems() -> list[str]:
    problems = []
    with connection.cursor() as cursor:
        tables = connection.introspection.table_names(cursor)
        if "django_migrations" in tables:
            cursor.execute("SELECT COUNT(*) FROM django_migrations")
            if cursor.fetchone()[0]:
                problems.append("the database is not empty")
    if _walk(_private_root()):
        problems.append(f"the private files folder {_private_root()} is not empty")
    return problems


def _check_keys(src: Path, manifest: dict) -> None:
    """Refuse before writing anything when the keys to read the backup are not installed."""
    from fanguai.audit.keys import key_problem

    if problem := key_problem():
        raise BackupError(f"{problem} Import the keys first: `fanguai keys import FOLDER`.")
    if not settings.ENCRYPTION_KEYS and not Path(settings.ENCRYPTION_KEY_FILE).exists():
        raise BackupError(
            f"the encryption key file {settings.ENCRYPTION_KEY_FILE} is missing: import the keys first "
            "(`fanguai keys import FOLDER`)"
        )
    for entry in manifest["files"]:
        if entry["path"].startswith(PRIVATE + "/"):
            raw = (src / entry["path"]).read_bytes()
            if crypto.is_token(raw):
                try:
                    crypto.decrypt_bytes(raw)
                except crypto.DecryptionError:
                    raise BackupError(
                        "the installed encryption keys cannot decrypt the backup's files: import the keys "
                        "exported with this instance"
                    ) from None
                break


def restore_backup(src: Path, *, force: bool = False) -> Result:
    src = Path(src).absolute()
    manifest = read_manifest(src)
    vendor = manifest["database"]["vendor"]
    if vendor != _vendor():
        raise BackupError(f"the backup is of a {vendor} database but {_vendor()} is configured")
    _check_keys(src, manifest)
    if not force and (problems := _target_problems()):
        raise BackupError("; ".join(problems) + ": restore with --force to replace it")
    database_file = src / manifest["database"]["file"]
    connections.close_all()
    if vendor == "sqlite":
        target_path = _sqlite_path()
        target_path.parent.mkdir(parents=True, exist_ok=True)
        _sqlite_copy(database_file, target_path)
    else:
        args, env = _pg_command("pg_restore")
        _run(
            [
                *args,
                "--clean",
                "--if-exists",
                "--no-owner",
                "--single-transaction",
                f"--dbname={settings.DATABASES['default']['NAME']}",
                str(database_file),
            ],
            env,
        )
    result = Result(src)
    for folder, target_root in ((PRIVATE, _private_root()), (CHECKPOINTS, _checkpoint_dir())):
        entries = [e for e in manifest["files"] if e["path"].startswith(folder + "/")]
        if target_root is None or (not entries and folder == CHECKPOINTS):
            continue
        if force and target_root.exists():
            shutil.rmtree(target_root)
        target_root.mkdir(parents=True, exist_ok=True, mode=0o700)
        for entry in entries:
            target = target_root / Path(entry["path"]).relative_to(folder)
            target.parent.mkdir(parents=True, exist_ok=True, mode=0o700)
            _copy_private(src / entry["path"], target)
            result.files += 1
    result.tables = row_counts()
    differing = sorted(name for name, count in manifest["tables"].items() if result.tables.get(name) != count)
    if differing:
        raise BackupError(f"restored, but the row counts differ from the manifest in: {', '.join(differing)}")
    from fanguai.audit.services import record_event

    record_event(
        "backup.restore",
        object_type="core.backup",
        details={"created": manifest["created"], "vendor": vendor, "files": result.files},
    )
    return result


def _copy_private(source: Path, target: Path) -> None:
    descriptor, tmp_name = tempfile.mkstemp(dir=target.parent, prefix=".rewrite-")
    with os.fdopen(descriptor, "wb") as handle, open(source, "rb") as reader:
        shutil.copyfileobj(reader, handle)
    os.replace(tmp_name, target)


# Keys: exported and imported apart from the backups.


def _key_sources() -> dict[str, tuple[Path | None, str | None]]:
    """For each exported key file: where it lives, or its text when it comes from the environment."""
    sources: dict[str, tuple[Path | None, str | None]] = {}
    if settings.ENCRYPTION_KEYS:
        keys, index_key = crypto._keys()
        text = "".join(f"{k}\n" for k in keys) + f"{crypto.INDEX_PREFIX}{index_key.decode()}\n"
        sources["encryption.keys"] = (None, text)
    else:
        sources["encryption.keys"] = (Path(settings.ENCRYPTION_KEY_FILE), None)
    if getattr(settings, "AUDIT_KEY", ""):
        sources["audit.key"] = (None, settings.AUDIT_KEY + "\n")
    elif getattr(settings, "AUDIT_KEY_FILE", None):
        sources["audit.key"] = (Path(settings.AUDIT_KEY_FILE), None)
    if not os.environ.get("SECRET_KEY"):
        sources["secret_key"] = (Path(settings.DATA_DIR) / "secret_key", None)
    return sources


def _in_a_backup(path: Path) -> bool:
    for folder in (path, *path.parents):
        manifest = folder / MANIFEST
        if manifest.is_file():
            try:
                if json.loads(manifest.read_text()).get("format") == FORMAT:
                    return True
            except (OSError, ValueError):
                continue
    return False


def export_keys(dest: Path) -> list[str]:
    """Write the encryption key file, the audit key and the secret key into the new folder dest, which must
    be neither in the data folder nor in a backup. Returns the names written."""
    dest = Path(dest).absolute()
    if _inside(dest, Path(settings.DATA_DIR)):
        raise BackupError(f"{dest} is inside the data folder: keys must never be kept beside the data")
    if _in_a_backup(dest):
        raise BackupError(f"{dest} is inside a backup: keys must never be kept beside the data")
    if not _is_empty_folder(dest):
        raise BackupError(f"{dest} exists and is not empty")
    dest.mkdir(parents=True, exist_ok=True, mode=0o700)
    written = []
    for name, (path, text) in _key_sources().items():
        if path is not None:
            if not path.exists():
                continue
            text = path.read_text()
        descriptor = os.open(dest / name, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        with os.fdopen(descriptor, "w") as handle:
            handle.write(text)
        written.append(name)
    if "encryption.keys" not in written:
        raise BackupError("no encryption key is configured: nothing to export")
    return written


def _import_target(name: str) -> Path | None:
    return {
        "encryption.keys": Path(settings.ENCRYPTION_KEY_FILE),
        "audit.key": Path(settings.AUDIT_KEY_FILE) if getattr(settings, "AUDIT_KEY_FILE", None) else None,
        "secret_key": Path(settings.DATA_DIR) / "secret_key",
    }[name]


def import_keys(src: Path, *, force: bool = False) -> list[str]:
    """Install exported key files. An existing, different encryption or audit key is never replaced unless
    forced (data written under it would become unreadable); the secret key is replaced (it signs sessions
    and links, it encrypts nothing)."""
    src = Path(src)
    present = [name for name in KEY_FILES if (src / name).is_file()]
    if "encryption.keys" not in present:
        raise BackupError(f"{src} holds no encryption.keys file")
    plan = []
    for name in present:
        target = _import_target(name)
        if target is None:
            continue
        text = (src / name).read_text()
        if name != "secret_key" and target.exists() and target.read_text() != text and not force:
            raise BackupError(f"{target} exists with another key: import with --force to replace it")
        plan.append((name, target, text))
    for _name, target, text in plan:
        target.parent.mkdir(parents=True, exist_ok=True, mode=0o700)
        descriptor, tmp_name = tempfile.mkstemp(dir=target.parent, prefix=".keys-")
        with os.fdopen(descriptor, "w") as handle:
            handle.write(text)
        os.replace(tmp_name, target)
    crypto.reset_key_cache()
    return [name for name, _, _ in plan]
