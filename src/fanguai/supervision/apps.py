from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class SupervisionConfig(AppConfig):
    name = "fanguai.supervision"
    verbose_name = _("Supervision")

    def ready(self) -> None:
        from django.conf import settings

        from fanguai.accounts.roles import ADMIN_ROLES, Role
        from fanguai.core.demo import add_demo
        from fanguai.core.periodic import add_periodic
        from fanguai.core.registry import add_home_panel, add_nav

        from . import deadline_kinds, indicators, policies  # noqa: F401  registers kinds, indicators, policies
        from .views import home_panel_context

        work_roles = [role for role in Role.values if role not in ADMIN_ROLES]
        # One entry: the overview links to listings, inspections and rectifications (the bar is crowded).
        add_nav(_("Supervision"), "supervision:overview", work_roles, order=23, group="plan")
        add_home_panel("supervision/partials/home_panel.html", home_panel_context, roles=work_roles, order=30)
        add_periodic(
            "fanguai.supervision.tasks.check_listing_warnings",
            every_seconds=max(settings.PERIODIC_INTERVAL, 300),
        )
        add_demo("fanguai.supervision.demo.create_demo_supervision", order=20)
