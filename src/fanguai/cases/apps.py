from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class CasesConfig(AppConfig):
    name = "fanguai.cases"
    verbose_name = _("Trafficking cases")

    def ready(self) -> None:
        from fanguai.accounts.roles import Role
        from fanguai.clues.related import add_clue_action, add_clue_form, add_linked_records
        from fanguai.core.demo import add_demo
        from fanguai.core.registry import add_home_panel, add_nav
        from fanguai.people.policies import add_scope
        from fanguai.people.related import add_related

        from . import indicators, policies  # noqa: F401  registers the indicators and the policies
        from .models import Case
        from .views import case_from_clue_action, home_panel_context, link_to_case_form, linked_cases_for_clue

        add_nav(_("Cases"), "cases:list", policies.NAV_ROLES, order=30, group="cases")
        add_nav(
            _("Clearance rate"),
            "cases:clearance",
            [Role.LEADER, Role.COUNTY_COORDINATOR],
            order=31,
            group="cases",
        )
        add_home_panel(
            "cases/partials/home_panel.html",
            home_panel_context,
            roles=policies.RESPONSIBLE_ROLES,
            order=15,
        )
        add_scope(policies.persons_of_visible_cases)
        add_demo("fanguai.cases.demo.create_demo_cases", order=40)
        add_related(Case, "parties__person")
        add_linked_records(linked_cases_for_clue)
        add_clue_action(case_from_clue_action)
        add_clue_form(link_to_case_form)
