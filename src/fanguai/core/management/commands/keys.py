from django.core.management.base import CommandError

from fanguai.core import keys
from fanguai.core.management.base import SubcommandCommand


class Command(SubcommandCommand):
    help = "Encryption keys: list, add, promote, rotate (re-encrypt everything under the primary), retire."
    subcommands = {
        "list": "Show key fingerprints (never the keys).",
        "add": "Add a new key (secondary unless --primary).",
        "promote": "Make the key with this fingerprint the primary.",
        "rotate": "Re-encrypt every encrypted value under the primary key (add --new to add and promote a "
        "fresh key first).",
        "retire": "Remove a key that no value uses any more.",
    }

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
        self.stdout.write(f"re-encrypted {keys.rotate_all()} rows under the primary key")

    def handle_retire(self, fingerprint: str, **options):
        try:
            keys.retire_key(fingerprint)
        except ValueError as exc:
            raise CommandError(str(exc)) from None
        self.stdout.write(f"retired key {fingerprint}")
