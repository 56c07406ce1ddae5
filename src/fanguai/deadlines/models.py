from django.conf import settings
from django.contrib.contenttypes.fields import GenericForeignKey
from django.contrib.contenttypes.models import ContentType
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from fanguai.org.models import Unit


class Deadline(models.Model):
    """Something a unit must do about an object by a given time (acknowledge a referral, send a report,
    identify a person...). The kind names the rule (see registry.register_kind); the periodic sweep warns the
    responsible unit at warn_at and tells it, and whoever the kind escalates to, at due_at."""

    class Status(models.TextChoices):
        OPEN = "open", _("Open")
        MET = "met", _("Met")
        CANCELLED = "cancelled", _("Cancelled")

    content_type = models.ForeignKey(
        ContentType, verbose_name=_("object type"), on_delete=models.PROTECT, related_name="+"
    )
    object_id = models.CharField(_("object id"), max_length=64)
    target = GenericForeignKey("content_type", "object_id")
    kind = models.CharField(_("kind"), max_length=64, db_index=True)
    responsible_unit = models.ForeignKey(
        Unit, verbose_name=_("responsible unit"), on_delete=models.PROTECT, related_name="deadlines"
    )
    due_at = models.DateTimeField(_("due"))
    warn_at = models.DateTimeField(_("warning"), null=True, blank=True)
    status = models.CharField(_("status"), max_length=16, choices=Status.choices, default=Status.OPEN)
    met_at = models.DateTimeField(_("met"), null=True, blank=True)
    cancelled_at = models.DateTimeField(_("cancelled"), null=True, blank=True)
    warned_at = models.DateTimeField(_("warned"), null=True, blank=True)
    late_notified_at = models.DateTimeField(_("late notice sent"), null=True, blank=True)
    created_at = models.DateTimeField(_("created"), auto_now_add=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("created by"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )

    class Meta:
        ordering = ["due_at", "id"]
        verbose_name = _("deadline")
        verbose_name_plural = _("deadlines")
        indexes = [
            models.Index(fields=["content_type", "object_id", "kind"], name="deadline_target_idx"),
            models.Index(fields=["status", "warn_at"], name="deadline_warn_idx"),
            models.Index(fields=["status", "due_at"], name="deadline_due_idx"),
            models.Index(fields=["responsible_unit", "status", "due_at"], name="deadline_unit_idx"),
        ]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(warn_at__isnull=True) | models.Q(warn_at__lte=models.F("due_at")),
                name="deadline_warn_before_due",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.kind_label} ({self.due_at:%Y-%m-%d})"

    @property
    def kind_label(self) -> str:
        from .registry import label_for

        return str(label_for(self.kind))

    @property
    def is_late(self) -> bool:
        """Open and past due, or met after the due time."""
        if self.status == self.Status.OPEN:
            return self.due_at <= timezone.now()
        if self.status == self.Status.MET and self.met_at:
            return self.met_at > self.due_at
        return False

    @property
    def target_url(self) -> str:
        from .registry import link_for

        return link_for(self)
