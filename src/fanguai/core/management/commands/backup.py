from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from fanguai.audit.context import acting
from fanguai.core.backup import BackupError, create_backup


class Command(BaseCommand):
    help = (
        "Back up the database, the private files and the audit checkpoints into the new folder DEST, with a "
        "manifest of checksums. The keys are not in it: export them with `fanguai keys export` and keep them "
        "apart."
    )
    requires_system_checks = []  # a backup of what is there is worth taking even when a check fails

    def add_arguments(self, parser):
        parser.add_argument("dest", type=Path)

    def handle(self, *args, dest: Path, **options):
        with acting(ip_address="127.0.0.1"):
            try:
                result = create_backup(dest)
            except BackupError as exc:
                raise CommandError(str(exc)) from None
        rows = sum(result.tables.values())
        self.stdout.write(
            f"backup written to {result.path}: {len(result.tables)} tables, {rows} rows, {result.files} files"
        )
        self.stdout.write("The keys are not in the backup: `fanguai keys export FOLDER`, kept elsewhere.")
