from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class DeadlinesConfig(AppConfig):
    name = "fanguai.deadlines"
    verbose_name = _("Deadlines")

    def ready(self) -> None:
        from django.conf import settings

        from fanguai.accounts.roles import ADMIN_ROLES, Role
        from fanguai.core.periodic import add_periodic
        from fanguai.core.registry import add_home_panel, add_nav

        from . import policies  # noqa: F401  registers the Deadline policy
        from .views import home_panel_context

        work_roles = [role for role in Role.values if role not in ADMIN_ROLES]
        add_nav(_("Deadlines"), "deadlines:list", work_roles, order=80)
        add_home_panel("deadlines/partials/home_panel.html", home_panel_context, roles=work_roles, order=20)
        add_periodic("fanguai.deadlines.tasks.sweep_deadlines", every_seconds=settings.PERIODIC_INTERVAL)
