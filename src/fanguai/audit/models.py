from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _


class AuditEvent(models.Model):
    """One append-only entry of the audit trail. Each event stores the keyed hash of the one before it, so
    that a row changed or removed in the database breaks the chain (`fanguai audit verify`); database
    triggers refuse UPDATE and DELETE (see `triggers`). Sensitive values are never stored here: only the
    names of the changed fields."""

    class Outcome(models.TextChoices):
        SUCCESS = "success", _("Success")
        DENIED = "denied", _("Denied")
        FAILURE = "failure", _("Failure")

    created_at = models.DateTimeField(_("time"), db_index=True)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("actor"),
        null=True,
        blank=True,
        # The database never changes an event: deleting a user leaves the id (and the user name) as it was.
        on_delete=models.DO_NOTHING,
        related_name="+",
        db_constraint=False,
    )
    actor_username = models.CharField(_("user name"), max_length=150, blank=True)
    unit_code = models.CharField(_("unit"), max_length=32, blank=True)
    ip_address = models.GenericIPAddressField(_("IP address"), null=True, blank=True)
    action = models.CharField(_("action"), max_length=64, db_index=True)
    object_type = models.CharField(_("object type"), max_length=64, blank=True, db_index=True)
    object_id = models.CharField(_("object id"), max_length=64, blank=True, db_index=True)
    outcome = models.CharField(_("outcome"), max_length=16, choices=Outcome.choices, default=Outcome.SUCCESS)
    changed_fields = models.JSONField(_("changed fields"), default=list, blank=True)
    details = models.JSONField(_("details"), default=dict, blank=True)
    previous_hash = models.CharField(max_length=64)
    hash = models.CharField(max_length=64, unique=True)

    class Meta:
        ordering = ["-id"]
        verbose_name = _("audit event")
        verbose_name_plural = _("audit events")
        indexes = [
            models.Index(fields=["object_type", "object_id"], name="audit_object_idx"),
        ]

    def __str__(self) -> str:
        return f"{self.created_at:%Y-%m-%d %H:%M:%S} {self.action} {self.object_type}#{self.object_id}"


class PurgePermit(models.Model):
    """While a row exists here, the database lets events with an id up to `through_id` be deleted. Only the
    retention purge (`services.purge_expired`) inserts one, and removes it in the same transaction, so no
    other connection ever sees it."""

    through_id = models.BigIntegerField()

    class Meta:
        verbose_name = _("audit purge permit")
        verbose_name_plural = _("audit purge permits")

    def __str__(self) -> str:
        return f"purge permit through event {self.through_id}"
