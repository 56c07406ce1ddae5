from django.core.management.base import BaseCommand, CommandError

from fanguai.deadlines.services import sweep


class Command(BaseCommand):
    help = (
        "Deadlines: `deadlines sweep` sends the due warnings and late notices now (the worker does it "
        "periodically)."
    )

    def add_arguments(self, parser) -> None:
        actions = parser.add_subparsers(dest="action", metavar="ACTION")
        actions.required = True
        actions.add_parser("sweep", help="warn about deadlines coming due and report late ones, once each")

    def handle(self, *args, action: str | None = None, **options) -> None:
        if action == "sweep":
            result = sweep()
            self.stdout.write(f"deadlines sweep: {result.warned} warned, {result.late} late")
            return
        raise CommandError(f"unknown action {action!r}")
