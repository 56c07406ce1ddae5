from django.apps import AppConfig
from django.conf import settings
from django.db.models.signals import post_migrate
from django.utils.translation import gettext_lazy as _

TRIGGERS_MIGRATION = "0003_append_only_triggers"


def _install_triggers(sender, using="default", **kwargs) -> None:
    """A SQLite table rebuild (a later AlterField) drops the table's triggers: put them back after every
    migrate (unless the migrations were taken back to before the triggers). Idempotent."""
    from django.db import connections
    from django.db.migrations.recorder import MigrationRecorder

    from . import triggers

    connection = connections[using]
    if ("audit", TRIGGERS_MIGRATION) in MigrationRecorder(connection).applied_migrations():
        triggers.install(connection)


class AuditConfig(AppConfig):
    name = "fanguai.audit"
    verbose_name = _("Audit trail")

    def ready(self) -> None:
        from fanguai.accounts.roles import Role
        from fanguai.core.registry import add_nav

        add_nav(_("Audit trail"), "audit:event_list", [Role.AUDIT_ADMIN], order=90)
        from fanguai.core.periodic import add_periodic

        from . import checks, policies  # noqa: F401

        add_periodic("fanguai.audit.tasks.purge_audit_events", every_seconds=24 * 3600)
        add_periodic(
            "fanguai.audit.tasks.write_audit_checkpoint", every_seconds=settings.AUDIT_CHECKPOINT_SECONDS
        )
        post_migrate.connect(_install_triggers, sender=self, dispatch_uid="fanguai.audit.triggers")
