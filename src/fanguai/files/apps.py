from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class FilesConfig(AppConfig):
    name = "fanguai.files"
    verbose_name = _("Private files")

    def ready(self) -> None:
        from fanguai.core import checks  # noqa: F401  registers the key check (it samples stored files too)
        from fanguai.core.periodic import add_periodic

        from . import policies  # noqa: F401  registers the StoredFile policy

        add_periodic("fanguai.files.tasks.purge_orphan_files", every_seconds=24 * 3600)
