import uuid

from django.conf import settings
from django.contrib.contenttypes.fields import GenericForeignKey
from django.contrib.contenttypes.models import ContentType
from django.db import models
from django.utils.translation import gettext_lazy as _

from fanguai.org.models import Unit


class StoredFile(models.Model):
    """An uploaded file kept in the private storage (outside the web root) under a random name.

    The id is a UUID so that download addresses cannot be guessed or counted. `content_type` is the MIME type
    found by sniffing the bytes (never the browser's claim). The object the file belongs to is a generic link
    (`target_type`/`target_id`, named so to leave `content_type` for the MIME type); the id is text so any
    primary key type fits, and whoever may view that object may download the file.
    """

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    owner_unit = models.ForeignKey(
        Unit, verbose_name=_("unit"), null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    uploaded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("uploaded by"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    original_name = models.CharField(_("file name"), max_length=255)
    content_type = models.CharField(_("type"), max_length=128)
    size = models.PositiveBigIntegerField(_("size"))
    sha256 = models.CharField(_("SHA-256"), max_length=64, db_index=True)
    storage_name = models.CharField(max_length=255, unique=True, editable=False)
    created_at = models.DateTimeField(_("uploaded"), auto_now_add=True)

    target_type = models.ForeignKey(
        ContentType,
        verbose_name=_("attached to type"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    target_id = models.CharField(_("attached to id"), max_length=64, blank=True, default="")
    target = GenericForeignKey("target_type", "target_id")

    class Meta:
        ordering = ["-created_at"]
        verbose_name = _("stored file")
        verbose_name_plural = _("stored files")
        indexes = [models.Index(fields=["target_type", "target_id"], name="files_target_idx")]

    def __str__(self) -> str:
        return self.original_name

    @property
    def is_attached(self) -> bool:
        return self.target_type_id is not None and self.target_id != ""

    @property
    def is_image(self) -> bool:
        return self.content_type.startswith("image/")
