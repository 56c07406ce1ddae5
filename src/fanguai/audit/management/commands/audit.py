import os
from pathlib import Path

from django.conf import settings
from django.core.exceptions import ImproperlyConfigured
from django.core.management.base import CommandError
from django.db import connection

from fanguai.audit import checkpoints, triggers
from fanguai.audit.keys import create_key_file, key_id, key_problem
from fanguai.audit.selectors import verify_chain
from fanguai.audit.services import export_checkpoint, purge_expired
from fanguai.core.management.base import SubcommandCommand


class Command(SubcommandCommand):
    help = (
        "The audit trail: `fanguai audit verify` walks the keyed hash chain and compares it with the latest "
        "checkpoint; `fanguai audit checkpoint` anchors the head; `fanguai audit purge` applies retention."
    )
    subcommands = {
        "verify": "Check every event's keyed hash and link, the chain's start, the latest checkpoint (or "
        "--checkpoint FILE) and the database's append-only triggers; report what does not hold.",
        "purge": "Delete events older than FANGUAI_AUDIT_RETENTION_DAYS (at least 183), recording the boundary.",
        "checkpoint": "Write a signed checkpoint of the chain's head to AUDIT_CHECKPOINT_DIR; --export FILE "
        "also copies it to FILE (audited) to keep elsewhere.",
        "create-key": "Create the audit key file (FANGUAI_AUDIT_KEY_FILE) if it does not exist.",
    }

    def add_verify_arguments(self, parser):
        parser.add_argument("--checkpoint", metavar="FILE", help="compare with this exported checkpoint")

    def add_checkpoint_arguments(self, parser):
        parser.add_argument(
            "--export", metavar="FILE", help="also write the checkpoint to FILE (- for stdout)"
        )
        parser.add_argument("--force", action="store_true", help="write one even if the head has not moved")

    def handle_verify(self, checkpoint=None, **options):
        try:
            report = verify_chain()
        except ImproperlyConfigured as exc:
            raise CommandError(str(exc)) from None
        problems = [] if report.ok else [report.message]
        notes = []
        try:
            anchor = checkpoints.load(Path(checkpoint)) if checkpoint else checkpoints.latest()
        except checkpoints.CheckpointError as exc:
            problems.append(f"checkpoint rejected: {exc}")
        else:
            if anchor is None:
                notes.append(
                    f"no checkpoint in {settings.AUDIT_CHECKPOINT_DIR}: a deletion of the newest events "
                    "cannot be detected (`fanguai audit checkpoint`)"
                )
            elif problem := checkpoints.compare(anchor, report):
                problems.append(f"audit trail does not match its checkpoint: {problem}")
            else:
                notes.append(
                    f"checkpoint of {anchor.created_at} (event {anchor.last_id}, {anchor.count} events) matches"
                )
        if absent := triggers.missing(connection):
            problems.append(
                "the database no longer refuses changes to audit events: trigger(s) "
                f"{', '.join(absent)} missing (`fanguai migrate` puts them back)"
            )
        if problems:
            raise CommandError("\n".join(problems))
        self.stdout.write(report.message)
        for note in notes:
            self.stdout.write(note)

    def handle_purge(self, **options):
        self.stdout.write(f"purged {purge_expired()} events")

    def handle_checkpoint(self, export=None, force=False, **options):
        try:
            written = checkpoints.write(force=force)
            if export:
                written = export_checkpoint()
        except (checkpoints.CheckpointError, ImproperlyConfigured) as exc:
            raise CommandError(str(exc)) from None
        if written is None:
            self.stdout.write("the audit trail is empty: no checkpoint written")
            return
        if export == "-":
            self.stdout.write(written.to_json(), ending="")
            return
        if export:
            try:
                with open(export, "x") as handle:  # never overwrite an exported anchor
                    handle.write(written.to_json())
            except FileExistsError:
                raise CommandError(f"{export} exists: an exported checkpoint is never overwritten") from None
            os.chmod(export, 0o600)
        self.stdout.write(
            f"checkpoint: event {written.last_id}, {written.count} events, {written.created_at}"
            + (f"; exported to {export}" if export else "")
        )

    def handle_create_key(self, **options):
        path = Path(settings.AUDIT_KEY_FILE)
        if not create_key_file(path):
            raise CommandError(f"{path} exists: the audit key is never replaced (the chain depends on it)")
        if problem := key_problem():
            raise CommandError(problem)
        self.stdout.write(f"audit key written to {path} (key id {key_id()}); keep a copy apart from the data")
