from pathlib import Path

from django.core.management.base import CommandError

from fanguai.core import keys
from fanguai.core.backup import KEY_WARNING, BackupError, export_keys, import_keys
from fanguai.core.management.base import SubcommandCommand


class Command(SubcommandCommand):
    help = (
        "Encryption keys: list, add, promote, rotate (re-encrypt everything under the primary), retire; "
        "export and import (the key backup, kept apart from the data backups)."
    )
    requires_system_checks = []  # importing the keys is how a failed key check is repaired
    subcommands = {
        "list": "Show key fingerprints (never the keys).",
        "add": "Add a new key (secondary unless --primary).",
        "promote": "Make the key with this fingerprint the primary.",
        "rotate": "Re-encrypt every encrypted value under the primary key (add --new to add and promote a "
        "fresh key first).",
        "retire": "Remove a key that no value uses any more.",
        "export": "Write the encryption key file, the audit key and the secret key into a new folder DEST, "
        "outside the data folder and any backup.",
        "import": "Install the key files of an exported folder SRC (before `fanguai restore`).",
    }

    def add_export_arguments(self, parser):
        parser.add_argument("dest", type=Path)

    def add_import_arguments(self, parser):
        parser.add_argument("src", type=Path)
        parser.add_argument("--force", action="store_true", help="replace existing, different keys")

    def add_add_arguments(self, parser):
        parser.add_argument("--primary", action="store_true")

    def add_promote_arguments(self, parser):
        parser.add_argument("fingerprint")

    def add_rotate_arguments(self, parser):
        parser.add_argument("--new", action="store_true", help="add a fresh primary key before re-encrypting")

    def add_retire_arguments(self, parser):
        parser.add_argument("fingerprint")

    def handle_list(self, **options):
        for fp, primary in keys.list_keys():
            self.stdout.write(f"{fp}{'  primary' if primary else ''}")

    def handle_add(self, primary: bool, **options):
        self.stdout.write(f"added key {keys.add_key(primary=primary)}")

    def handle_promote(self, fingerprint: str, **options):
        try:
            keys.promote_key(fingerprint)
        except ValueError as exc:
            raise CommandError(str(exc)) from None
        self.stdout.write(f"{fingerprint} is now the primary key")

    def handle_rotate(self, new: bool, **options):
        if new:
            self.stdout.write(f"added primary key {keys.add_key(primary=True)}")
        rotation = keys.rotate_all()
        self.stdout.write(
            f"re-encrypted {rotation.rows} rows and {rotation.files} files under the primary key"
        )

    def handle_retire(self, fingerprint: str, **options):
        try:
            keys.retire_key(fingerprint)
        except ValueError as exc:
            raise CommandError(str(exc)) from None
        self.stdout.write(f"retired key {fingerprint}")

    def handle_export(self, dest: Path, **options):
        try:
            written = export_keys(dest)
        except BackupError as exc:
            raise CommandError(str(exc)) from None
        keys.record_key_transfer("keys.export", written)
        self.stdout.write(f"exported {', '.join(written)} to {dest}")
        self.stdout.write(self.style.WARNING(KEY_WARNING))

    def handle_import(self, src: Path, force: bool, **options):
        try:
            installed = import_keys(src, force=force)
        except BackupError as exc:
            raise CommandError(str(exc)) from None
        keys.record_key_transfer("keys.import", installed)
        self.stdout.write(f"imported {', '.join(installed)}")
