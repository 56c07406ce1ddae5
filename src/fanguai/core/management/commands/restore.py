from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from fanguai.audit.context import acting
from fanguai.core.backup import BackupError, restore_backup


class Command(BaseCommand):
    help = (
        "Restore a backup made by `fanguai backup` into the configured database and data folder. Import the "
        "keys first (`fanguai keys import`). Every checksum is checked before anything is written; a "
        "non-empty target is refused unless --force. Stop the server and the worker before restoring."
    )
    requires_system_checks = []  # the key check would stop a restore into an empty or broken instance

    def add_arguments(self, parser):
        parser.add_argument("src", type=Path)
        parser.add_argument("--force", action="store_true", help="replace a database and files that exist")

    def handle(self, *args, src: Path, force: bool, **options):
        with acting(ip_address="127.0.0.1"):
            try:
                result = restore_backup(src, force=force)
            except BackupError as exc:
                raise CommandError(str(exc)) from None
        rows = sum(result.tables.values())
        self.stdout.write(
            f"restored {len(result.tables)} tables ({rows} rows, counts match the manifest) and "
            f"{result.files} files from {src}"
        )
