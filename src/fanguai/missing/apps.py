from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class MissingConfig(AppConfig):
    name = "fanguai.missing"
    verbose_name = _("Missing persons and alerts")

    def ready(self) -> None:
        from django.conf import settings

        from fanguai.accounts.roles import Role
        from fanguai.core.demo import add_demo
        from fanguai.core.periodic import add_periodic
        from fanguai.core.registry import add_home_panel, add_nav
        from fanguai.people.policies import add_scope
        from fanguai.people.related import add_related

        from . import deadline_kinds, indicators, policies  # noqa: F401  registers kinds, indicators, policies
        from .models import MissingReport, Screening, UnidentifiedPerson
        from .views import home_panel_context

        add_nav(_("Missing persons"), "missing:report_list", policies.STAFF_ROLES, order=25, group="cases")
        add_nav(_("Alerts"), "missing:alert_list", policies.STAFF_ROLES, order=26, group="cases")
        add_nav(_("Unidentified"), "missing:unidentified_list", policies.STAFF_ROLES, order=27, group="cases")
        add_nav(
            _("Media release"),
            "missing:release_queue",
            [Role.LIAISON],
            order=28,
            template="missing/partials/nav_release.html",
        )
        add_nav(_("Sample requests"), "missing:sample_list", [Role.DNA_ANALYST], order=29)
        add_home_panel(
            "missing/partials/home_panel.html",
            home_panel_context,
            roles=[Role.INVESTIGATOR, Role.OFFICE_STAFF],
            order=5,
        )
        add_scope(policies.persons_of_visible_reports)
        add_periodic("fanguai.missing.tasks.alert_sweep", every_seconds=settings.PERIODIC_INTERVAL)
        add_demo("fanguai.missing.demo.create_demo_missing", order=50)
        add_related(MissingReport)
        add_related(UnidentifiedPerson)
        add_related(Screening, "child")
