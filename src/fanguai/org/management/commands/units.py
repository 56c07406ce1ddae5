from pathlib import Path

from fanguai.core.management.base import SubcommandCommand
from fanguai.org.services import load_units


class Command(SubcommandCommand):
    help = "Units: `fanguai units load FILE` (code,name,kind,sector,region_code,parent_code)."
    subcommands = {"load": "Load or update units from a CSV file (idempotent)."}

    def add_load_arguments(self, parser):
        parser.add_argument("file", type=Path)

    def handle_load(self, file: Path, **options):
        result = load_units(file)
        self.stdout.write(f"units: {result.created} created, {result.updated} updated")
