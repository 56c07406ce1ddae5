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
        "rematch": "Re-run every comparison on an engine: local (as rerun --now) or spark (a Spark job, "
        "local[2] or a cluster --master); --export/--import a job folder for spark-submit on a cluster.",
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

    def add_rematch_arguments(self, parser):
        parser.add_argument("--user", required=True)
        parser.add_argument("--engine", choices=["local", "spark"], default="local")
        parser.add_argument("--master", default="local[2]", help="Spark master URL (engine spark)")
        parser.add_argument("--partitions", type=int, default=None, help="reference partitions (spark)")
        parser.add_argument("--query-blocks", type=int, default=1, help="query blocks per partition (spark)")
        parser.add_argument("--workdir", default=None, help="job folder (spark; default: a temporary one)")
        group = parser.add_mutually_exclusive_group()
        group.add_argument("--export", metavar="DIR", help="only write the job folder for spark-submit")
        group.add_argument("--import", dest="import_dir", metavar="DIR", help="store a job folder's results")

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

    def handle_rematch(
        self, user, engine, master, partitions, query_blocks, workdir, export, import_dir, **options
    ):
        import tempfile

        from django.conf import settings

        from fanguai.dna import rematch

        analyst = self._analyst(user)
        if export:
            job = rematch.export_for(actor=analyst, directory=Path(export))
            self.stdout.write(f"wrote {export}: {len(job.queries)} queries; submit distributed.py on it")
            return
        if import_dir:
            try:
                rematch.check_import(Path(import_dir))
            except ValueError as exc:
                raise CommandError(str(exc)) from exc
            run = services.start_full_run(actor=analyst, enqueue=False)
            run = services.execute_run(run.pk, compare=rematch.imported_compare(Path(import_dir)))
            self.stdout.write(f"comparison run {run.pk}: {run.status}, {run.candidates} candidate(s)")
            return
        run = services.start_full_run(actor=analyst, enqueue=False)
        if engine == "local":
            run = services.execute_run(run.pk)
            self.stdout.write(f"comparison run {run.pk}: {run.status}, {run.candidates} candidate(s)")
            return
        base = Path(settings.DATA_DIR) / "rematch"
        base.mkdir(parents=True, exist_ok=True)
        base.chmod(0o700)
        with tempfile.TemporaryDirectory(dir=base) as scratch:
            directory = Path(workdir) if workdir else Path(scratch)
            compare = rematch.spark_compare(
                directory=directory, master=master, partitions=partitions, query_blocks=query_blocks
            )
            run = services.execute_run(run.pk, compare=compare)
        result = compare.result
        self.stdout.write(f"comparison run {run.pk}: {run.status}, {run.candidates} candidate(s)")
        if result is not None and result.seconds:
            self.stdout.write(
                f"spark: {result.comparisons} comparisons in {result.seconds:.1f} s "
                f"({result.comparisons / result.seconds:,.0f}/s), {len(result.leads)} pair(s) above the lead "
                "threshold"
            )
