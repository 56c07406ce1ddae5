import json
from pathlib import Path

from django.core.management.base import CommandError

from fanguai.core.management.base import SubcommandCommand
from fanguai.plans.loader import export_plan, load_plan
from fanguai.plans.models import Plan


class Command(SubcommandCommand):
    help = "The action plan: `fanguai plan load FILE` (YAML, see plans/README.md), `fanguai plan export`."
    subcommands = {
        "load": "Load or update a plan from its YAML file (idempotent; a file with errors writes nothing).",
        "export": "Print a loaded plan as a JSON tree.",
    }

    def add_load_arguments(self, parser):
        parser.add_argument("file", type=Path)

    def add_export_arguments(self, parser):
        parser.add_argument("--format", choices=["json"], default="json")
        parser.add_argument("--code", help="the plan's code (default: the most recently issued plan)")

    def handle_load(self, file: Path, **options):
        self.stdout.write(str(load_plan(file)))

    def handle_export(self, code: str | None = None, **options):
        plan = Plan.objects.filter(code=code).first() if code else Plan.objects.first()
        if plan is None:
            raise CommandError("no such plan" if code else "no plan is loaded")
        self.stdout.write(json.dumps(export_plan(plan), ensure_ascii=False, indent=2))
