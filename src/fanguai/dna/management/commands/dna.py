from pathlib import Path

from django.core.management.base import CommandError

from fanguai.accounts.models import User
from fanguai.core.management.base import SubcommandCommand
from fanguai.dna import selectors, services


class Command(SubcommandCommand):
    help = "The DNA database: import laboratory files, re-run every comparison, export profiles."
    subcommands = {
        "import": "Import a laboratory file (long CSV or GeneMapper ID-X) as a DNA analyst; the whole file is "
        "checked first and nothing is written if a row is wrong.",
        "rerun": "Re-run every comparison with the active settings (as a DNA analyst).",
        "export": "Write every profile to a long CSV file (as a DNA analyst; audited).",
    }

    def _analyst(self, username: str) -> User:
        user = User.objects.filter(username=username, is_active=True).first()
        if user is None or user.role != "dna_analyst":
            raise CommandError(f"{username} is not an active DNA analyst")
        return user

    def add_import_arguments(self, parser):
        parser.add_argument("file")
        parser.add_argument("--user", required=True, help="the analyst who imports")
        parser.add_argument("--kit", default="globalfiler", choices=services.KIT_CHOICES)

    def add_rerun_arguments(self, parser):
        parser.add_argument("--user", required=True)
        parser.add_argument("--now", action="store_true", help="run here instead of in the worker")

    def add_export_arguments(self, parser):
        parser.add_argument("file")
        parser.add_argument("--user", required=True)

    def handle_import(self, file, user, kit, **options):
        analyst = self._analyst(user)
        path = Path(file)
        report = services.import_profiles(
            actor=analyst, text=path.read_text(encoding="utf-8-sig"), kit=kit, file_name=path.name
        )
        self.stdout.write(
            f"imported {len(report.created)} new, {len(report.replaced)} replaced, "
            f"{len(report.duplicates)} duplicate(s) skipped"
        )
        for warning in report.warnings:
            self.stdout.write(f"warning: {warning}")

    def handle_rerun(self, user, now, **options):
        run = services.start_full_run(actor=self._analyst(user))
        if now:
            run = services.execute_run(run.pk)
        self.stdout.write(f"comparison run {run.pk}: {run.status}")

    def handle_export(self, file, user, **options):
        Path(file).write_text(selectors.export_profiles(self._analyst(user)), encoding="utf-8")
        self.stdout.write(f"wrote {file}")
