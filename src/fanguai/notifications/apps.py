from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class NotificationsConfig(AppConfig):
    name = "fanguai.notifications"
    verbose_name = _("Notifications")

    def ready(self) -> None:
        from fanguai.accounts.roles import Role
        from fanguai.core.registry import add_nav

        from . import policies  # noqa: F401  registers the policies

        add_nav(_("Inbox"), "notifications:inbox", Role.values, order=90)
