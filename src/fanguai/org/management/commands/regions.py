from pathlib import Path

from fanguai.core.management.base import SubcommandCommand
from fanguai.org.services import load_regions


class Command(SubcommandCommand):
    help = "Administrative divisions: `fanguai regions load FILE` (code,name,level,parent_code)."
    subcommands = {"load": "Load or update regions from a CSV file (idempotent)."}

    def add_load_arguments(self, parser):
        parser.add_argument("file", type=Path)

    def handle_load(self, file: Path, **options):
        result = load_regions(file)
        self.stdout.write(f"regions: {result.created} created, {result.updated} updated")
