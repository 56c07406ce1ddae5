"""The `fanguai` console script: every Django management command (`fanguai serve`, `fanguai audit verify`,
…) plus `fanguai kinship …`, which runs the kinship engine without Django."""

import os
import sys
from pathlib import Path

# Everything the platform writes into its data folder (the SQLite database and its journal, keys, uploads,
# collected static files, the task queue) is for its own user only: files 0600, folders 0700.
OWNER_ONLY_UMASK = 0o077


def restrict_data_dir() -> None:
    """Set the owner-only mask for this process and tighten what an older version left readable: the data
    folder itself, the SQLite database and its journal files, the key and secret files."""
    os.umask(OWNER_ONLY_UMASK)
    from django.conf import settings

    try:
        data_dir = Path(settings.DATA_DIR)
    except Exception:  # a settings error is reported by the command itself
        return
    candidates = [(data_dir, 0o700)]
    sqlite_path = Path(getattr(settings, "SQLITE_PATH", data_dir / "fanguai.sqlite3"))
    for suffix in ("", "-wal", "-shm", "-journal"):
        candidates.append((sqlite_path.with_name(sqlite_path.name + suffix), 0o600))
    candidates += [(data_dir / "secret_key", 0o600), (Path(settings.ENCRYPTION_KEY_FILE), 0o600)]
    audit_key = getattr(settings, "AUDIT_KEY_FILE", None)
    if audit_key:
        candidates.append((Path(audit_key), 0o600))
    for path, mode in candidates:
        try:
            if path.exists() and path.stat().st_uid == os.getuid() and path.stat().st_mode & 0o077:
                path.chmod(mode)
        except OSError:
            pass  # a file of another owner (a mounted key file): leave it to the operator


def main(argv: list[str] | None = None) -> int:
    argv = list(sys.argv if argv is None else argv)
    os.umask(OWNER_ONLY_UMASK)  # before the settings create the data folder
    if len(argv) > 1 and argv[1] == "kinship":
        from fanguai.kinship.cli import main as kinship_main

        return kinship_main(argv[2:])
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "fanguai.settings")
    restrict_data_dir()
    from django.core.management import execute_from_command_line

    execute_from_command_line(argv)
    return 0


if __name__ == "__main__":
    sys.exit(main())
