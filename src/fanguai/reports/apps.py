from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ReportsConfig(AppConfig):
    name = "fanguai.reports"
    verbose_name = _("Evaluations and assessment")

    def ready(self) -> None:
        from fanguai.core.demo import add_demo
        from fanguai.core.registry import add_home_panel, add_nav

        from . import deadline_kinds, policies  # noqa: F401  registers the deadline kind and the policies
        from .panels import evaluation_panel

        add_nav(_("Evaluations"), "reports:evaluations", policies.VIEWER_ROLES, order=25, group="plan")
        add_nav(_("Dashboard"), "reports:dashboard", policies.VIEWER_ROLES, order=26, group="plan")
        add_home_panel(
            "reports/partials/home_panel.html", evaluation_panel, roles=policies.VIEWER_ROLES, order=30
        )
        add_demo("fanguai.reports.demo.create_demo_reports", order=90)
