from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class FilesConfig(AppConfig):
    name = "fanguai.files"
    verbose_name = _("Private files")

    def ready(self) -> None:
        from . import policies  # noqa: F401  registers the StoredFile policy
