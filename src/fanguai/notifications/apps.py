from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class NotificationsConfig(AppConfig):
    name = "fanguai.notifications"
    verbose_name = _("Notifications")

    def ready(self) -> None:
        from fanguai.accounts.roles import Role
        from fanguai.core.registry import add_home_panel, add_nav

        from . import policies  # noqa: F401  registers the policies
        from .views import home_panel_context

        add_nav(
            _("Inbox"),
            "notifications:inbox",
            Role.values,
            order=90,
            template="notifications/partials/nav_badge.html",
        )
        add_home_panel("notifications/partials/home_panel.html", home_panel_context, order=10)
