from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class CluesConfig(AppConfig):
    name = "fanguai.clues"
    verbose_name = _("Clues")

    def ready(self) -> None:
        from fanguai.accounts.roles import Role
        from fanguai.core.demo import add_demo
        from fanguai.core.periodic import add_periodic
        from fanguai.core.registry import add_home_panel, add_nav
        from fanguai.people.policies import add_scope

        from . import deadline_kinds, indicators, policies  # noqa: F401  registers kinds, indicators, policies
        from .panels import clue_queue

        add_nav(_("Clues"), "clues:list", policies.WORKER_ROLES, order=20, group="cases")
        add_nav(_("Clue statistics"), "clues:statistics", [Role.LEADER], order=20, group="cases")
        add_home_panel("clues/partials/queue_panel.html", clue_queue, roles=policies.WORKER_ROLES, order=20)
        add_scope(policies.reporter_person_scope)
        add_periodic("fanguai.clues.tasks.purge_abuse_counters", every_seconds=3600)
        add_demo("fanguai.clues.demo.create_demo_clues", order=30)
