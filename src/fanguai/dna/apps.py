from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class DnaConfig(AppConfig):
    name = "fanguai.dna"
    verbose_name = _("DNA database")
