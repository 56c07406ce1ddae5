from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class PeopleConfig(AppConfig):
    name = "fanguai.people"
    verbose_name = _("People")

    def ready(self) -> None:
        from fanguai.core.registry import add_home_panel, add_nav

        from . import deadline_kinds, policies  # noqa: F401  registers the deadline kind and the policy
        from .panels import recent_people

        add_nav(_("People"), "people:list", policies.CREATOR_ROLES, order=50, group="care")
        add_home_panel(
            "people/partials/recent_panel.html", recent_people, roles=policies.CREATOR_ROLES, order=50
        )
