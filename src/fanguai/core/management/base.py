"""Helpers for commands that take subcommands (`fanguai audit verify`, `fanguai keys rotate`)."""

from django.core.management.base import BaseCommand, CommandError

from fanguai.audit.context import acting
from fanguai.core.errors import ValidationFailed


class SubcommandCommand(BaseCommand):
    """Subclasses define `subcommands = {name: help}` and a method `handle_<name>(**options)`; each may add
    arguments in `add_<name>_arguments(parser)`. Input errors are printed row by row and exit non-zero."""

    subcommands: dict[str, str] = {}

    def add_arguments(self, parser):
        sub = parser.add_subparsers(dest="subcommand", required=True)
        for name, help_text in self.subcommands.items():
            subparser = sub.add_parser(name, help=help_text)
            extra = getattr(self, f"add_{name.replace('-', '_')}_arguments", None)
            if extra:
                extra(subparser)

    def handle(self, *args, **options):
        name = options.pop("subcommand").replace("-", "_")
        with acting(ip_address="127.0.0.1"):
            try:
                return getattr(self, f"handle_{name}")(**options)
            except ValidationFailed as exc:
                for error in exc.errors:
                    self.stderr.write(str(error))
                raise CommandError(f"{len(exc.errors)} error(s); nothing was written") from None
