from django.core.management import call_command
from django.core.management.base import BaseCommand


class Command(BaseCommand):
    help = "Create the demo users and demo data (same as `fanguai setup --demo`)."

    def handle(self, *args, **options):
        call_command("setup", demo=True, stdout=self.stdout)
