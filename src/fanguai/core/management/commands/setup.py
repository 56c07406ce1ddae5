from pathlib import Path

from django.conf import settings
from django.core.management import call_command
from django.core.management.base import BaseCommand

from fanguai.audit.context import acting
from fanguai.org.services import load_regions, load_units
from fanguai.plans.loader import load_plan


class Command(BaseCommand):
    help = (
        "Prepare a database: migrate, collect static files, load the reference data (regions, units); "
        "with --demo also demo users and demo data. Safe to run again."
    )

    def add_arguments(self, parser):
        parser.add_argument("--demo", action="store_true", help="create one demo user per role and demo data")
        parser.add_argument("--regions", type=Path, default=settings.REFERENCE_DATA_DIR / "regions/liuan.csv")
        parser.add_argument("--units", type=Path, default=settings.REFERENCE_DATA_DIR / "units/liuan.csv")

    def handle(self, *args, demo: bool, regions: Path, units: Path, **options):
        call_command("migrate", interactive=False, verbosity=0)
        call_command("collectstatic", interactive=False, verbosity=0)
        from fanguai.reports.pdf import prepare_fonts  # decompressed once here, not on a user's first PDF

        self.stdout.write(f"PDF font slices ready: {prepare_fonts()}")
        with acting(ip_address="127.0.0.1"):
            result = load_regions(regions)
            self.stdout.write(f"regions: {result.created} created, {result.updated} updated")
            result = load_units(units)
            self.stdout.write(f"units: {result.created} created, {result.updated} updated")
            self.stdout.write(str(load_plan(settings.REPO_DIR / "plans/liuan-2022.yaml")))
            if demo:
                from fanguai.core.demo import create_demo_data, create_demo_users

                self.stdout.write(f"demo users: {create_demo_users()} created")
                self.stdout.write(f"demo people: {create_demo_data()} created")
