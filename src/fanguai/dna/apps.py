from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class DnaConfig(AppConfig):
    name = "fanguai.dna"
    verbose_name = _("DNA database")

    def ready(self) -> None:
        from fanguai.accounts.roles import Role
        from fanguai.core.demo import add_demo
        from fanguai.core.registry import add_home_panel, add_nav
        from fanguai.deadlines.registry import register_kind
        from fanguai.people.policies import add_scope

        from . import indicators, policies  # noqa: F401  registers the indicators and the policies
        from .panels import case_panel, lab_panel
        from .services import SAMPLING_DEADLINE

        add_scope(policies.sampled_persons_scope)
        add_scope(policies.reunion_persons_scope)
        register_kind(
            SAMPLING_DEADLINE,
            label=_("Collect a requested DNA sample"),
            notify_roles=[Role.INVESTIGATOR],
            link=lambda deadline: "/dna/samples/",
        )
        add_nav(_("DNA laboratory"), "dna:lab", [Role.DNA_ANALYST], order=30, group="cases")
        add_nav(_("DNA samples"), "dna:samples", [Role.INVESTIGATOR], order=35, group="cases")
        add_nav(
            _("DNA statistics"), "dna:statistics", [Role.OFFICE_STAFF, Role.LEADER], order=36, group="cases"
        )
        add_home_panel("dna/partials/lab_panel.html", lab_panel, roles=[Role.DNA_ANALYST], order=20)
        add_home_panel("dna/partials/case_panel.html", case_panel, roles=[Role.INVESTIGATOR], order=40)
        add_demo("fanguai.dna.demo.create_demo_dna", order=70)
