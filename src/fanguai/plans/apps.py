from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class PlansConfig(AppConfig):
    name = "fanguai.plans"
    verbose_name = _("Action plan")

    def ready(self) -> None:
        from fanguai.core.demo import add_demo
        from fanguai.core.registry import add_home_panel, add_nav

        from . import deadline_kinds, indicators, policies  # noqa: F401  registers kinds, indicators, policies
        from .panels import plan_panel

        add_nav(_("Action plan"), "plans:tree_current", policies.STAFF_ROLES, order=20, group="plan")
        add_nav(_("Work plans"), "plans:workplan_list", policies.STAFF_ROLES, order=21, group="plan")
        add_nav(_("Progress overview"), "plans:overview", policies.OVERVIEW_ROLES, order=22, group="plan")
        add_home_panel(
            "plans/partials/home_panel.html",
            plan_panel,
            roles=(*policies.EDITOR_ROLES, *policies.CITY_WIDE_ROLES),
            order=20,
        )
        add_demo("fanguai.plans.demo.create_demo_plans", order=10)
