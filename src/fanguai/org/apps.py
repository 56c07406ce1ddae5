from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class OrgConfig(AppConfig):
    name = "fanguai.org"
    verbose_name = _("Regions and units")
