from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class AssistanceConfig(AppConfig):
    name = "fanguai.assistance"
    verbose_name = _("Care of rescued persons")
