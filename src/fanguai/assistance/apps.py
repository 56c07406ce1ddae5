from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class AssistanceConfig(AppConfig):
    name = "fanguai.assistance"
    verbose_name = _("Care of rescued persons")

    def ready(self) -> None:
        from fanguai.accounts.roles import Role
        from fanguai.core.demo import add_demo
        from fanguai.core.registry import add_home_panel, add_nav
        from fanguai.people.policies import add_scope
        from fanguai.people.related import add_related

        from . import deadline_kinds, indicators, policies  # noqa: F401  registers kinds, indicators, policies
        from .models import AssistanceCase, CareRegistration
        from .views import home_panel_context

        add_nav(
            _("Assistance"),
            "assistance:case_list",
            [Role.CASEWORKER, Role.LIAISON, Role.OFFICE_STAFF],
            order=40,
            group="care",
        )
        add_nav(_("Referrals"), "assistance:referral_list", policies.RECEIVER_ROLES, order=41, group="care")
        add_nav(
            _("Care register"),
            "assistance:registration_list",
            [Role.CASEWORKER, Role.LIAISON, Role.OFFICE_STAFF, Role.COUNTY_COORDINATOR],
            order=42,
            group="care",
        )
        add_home_panel(
            "assistance/partials/home_panel.html", home_panel_context, roles=policies.RECEIVER_ROLES, order=40
        )
        add_scope(policies.persons_of_referrals)
        add_demo("fanguai.assistance.demo.create_demo_assistance", order=60)
        add_related(AssistanceCase)
        add_related(CareRegistration)
