from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class AuditConfig(AppConfig):
    name = "fanguai.audit"
    verbose_name = _("Audit trail")

    def ready(self) -> None:
        from fanguai.accounts.roles import Role
        from fanguai.core.registry import add_nav

        add_nav(_("Audit trail"), "audit:event_list", [Role.AUDIT_ADMIN], order=90)
        from fanguai.core.periodic import add_periodic

        from . import policies  # noqa: F401

        add_periodic("fanguai.audit.tasks.purge_audit_events", every_seconds=24 * 3600)
