from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class OutreachConfig(AppConfig):
    name = "fanguai.outreach"
    verbose_name = _("Activities")

    def ready(self) -> None:
        from fanguai.core.demo import add_demo
        from fanguai.core.registry import add_nav

        from . import deadline_kinds, indicators, policies  # noqa: F401  registers kinds, indicators, policy

        add_nav(_("Activities"), "outreach:list", policies.VIEWER_ROLES, order=24, group="plan")
        add_demo("fanguai.outreach.demo.create_demo_outreach", order=80)
