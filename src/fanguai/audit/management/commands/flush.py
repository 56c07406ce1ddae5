"""Django's `flush` (which the test framework runs between transactional tests), let past the audit table's
append-only triggers outside production: it empties every table, the audit trail included, under a purge
permit that covers every event and disappears with the transaction. In production the triggers refuse it;
a wiped trail would also contradict the last checkpoint (`fanguai audit verify`)."""

from django.conf import settings
from django.core.management.commands import flush
from django.db import connections, transaction

from fanguai.audit import triggers


class Command(flush.Command):
    def handle(self, **options):
        connection = connections[options["database"]]
        if settings.PRODUCTION or triggers.PERMIT_TABLE not in connection.introspection.table_names():
            return super().handle(**options)
        if options["interactive"]:
            confirm = input(
                f'This will IRREVERSIBLY DESTROY all data in the "{connection.settings_dict["NAME"]}" database, '
                "the audit trail included.\nType 'yes' to continue, or 'no' to cancel: "
            )
            if confirm != "yes":
                self.stdout.write("Flush cancelled.")
                return None
        with transaction.atomic(using=connection.alias), connection.cursor() as cursor:
            # The audit table first: Django empties the tables in no set order, the permit's table included
            # (PostgreSQL's one TRUNCATE of every table checks the permit before it empties any).
            cursor.execute("INSERT INTO audit_purgepermit (through_id) VALUES (%s)", [triggers.EVERYTHING])
            cursor.execute("DELETE FROM audit_auditevent")
            result = super().handle(**{**options, "interactive": False})
            cursor.execute("DELETE FROM audit_purgepermit")
            return result
