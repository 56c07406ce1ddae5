from django.core.management.base import CommandError

from fanguai.audit.selectors import verify_chain
from fanguai.audit.services import purge_expired
from fanguai.core.management.base import SubcommandCommand


class Command(SubcommandCommand):
    help = "The audit trail: `fanguai audit verify` walks the hash chain; `fanguai audit purge` applies retention."
    subcommands = {
        "verify": "Check every event's hash and link; report the first broken one.",
        "purge": "Delete events older than FANGUAI_AUDIT_RETENTION_DAYS (at least 183).",
    }

    def handle_verify(self, **options):
        report = verify_chain()
        if not report.ok:
            raise CommandError(
                f"audit chain broken at event {report.broken_at} ({report.reason} mismatch) "
                f"after {report.checked} valid events"
            )
        self.stdout.write(f"audit chain intact: {report.checked} events")

    def handle_purge(self, **options):
        self.stdout.write(f"purged {purge_expired()} events")
