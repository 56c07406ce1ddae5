from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class AccountsConfig(AppConfig):
    name = "fanguai.accounts"
    verbose_name = _("Accounts")

    def ready(self) -> None:
        from fanguai.accounts.roles import Role
        from fanguai.core.registry import add_nav

        add_nav(
            _("Staff accounts"), "accounts:staff_list", [Role.SYSTEM_ADMIN, Role.SECURITY_ADMIN], order=90
        )
        from . import policies, signals  # noqa: F401  registers the policy and the audit receivers
