from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class PlansConfig(AppConfig):
    name = "fanguai.plans"
    verbose_name = _("Action plan")
