from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class CoreConfig(AppConfig):
    name = "fanguai.core"
    verbose_name = _("Core")

    def ready(self):
        from . import queries  # noqa: F401 - registers the `any` lookup used by the visibility policies
