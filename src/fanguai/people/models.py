import secrets

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from fanguai.core.crypto import EncryptedTextField
from fanguai.org.models import Region, Unit


def new_person_number() -> str:
    """A random, non-sequential record number that reveals nothing about the person or the count."""
    return "P" + "".join(secrets.choice("0123456789ABCDEFGHJKLMNPQRSTUVWXYZ") for _ in range(9))


class Person(models.Model):
    """One record per human being across every module (missing person, rescued person, DNA donor, suspect,
    reporter who left contact details). Identity fields are encrypted; their blind indexes allow exact-match
    search and duplicate detection without decrypting."""

    class Sex(models.TextChoices):
        UNKNOWN = "unknown", _("Unknown")
        FEMALE = "female", _("Female")
        MALE = "male", _("Male")

    class IdentityStatus(models.TextChoices):
        KNOWN = "known", _("Identity known")
        UNKNOWN = "unknown", _("Identity unknown")

    number = models.CharField(
        _("record number"), max_length=16, unique=True, default=new_person_number, editable=False
    )
    full_name = EncryptedTextField(_("name"), blank=True)
    id_card_number = EncryptedTextField(_("ID card number"), blank=True)
    phone = EncryptedTextField(_("phone"), blank=True)
    address = EncryptedTextField(_("address"), blank=True)
    notes = EncryptedTextField(_("description and notes"), blank=True)
    full_name_index = models.CharField(max_length=64, blank=True, db_index=True, editable=False)
    id_card_index = models.CharField(max_length=64, blank=True, db_index=True, editable=False)
    phone_index = models.CharField(max_length=64, blank=True, db_index=True, editable=False)

    sex = models.CharField(_("sex"), max_length=8, choices=Sex.choices, default=Sex.UNKNOWN)
    birth_date = models.DateField(_("date of birth"), null=True, blank=True)
    identity_status = models.CharField(
        _("identity"), max_length=8, choices=IdentityStatus.choices, default=IdentityStatus.KNOWN
    )
    region = models.ForeignKey(
        Region,
        verbose_name=_("township or county"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    county = models.ForeignKey(
        Region,
        verbose_name=_("county"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
        editable=False,
    )
    registered_by_unit = models.ForeignKey(
        Unit, verbose_name=_("registered by"), on_delete=models.PROTECT, related_name="+"
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("created by"),
        null=True,
        blank=True,  # public intake (a reporter who leaves contact details) has no staff author
        on_delete=models.SET_NULL,
        related_name="+",
    )
    created_at = models.DateTimeField(_("created"), auto_now_add=True)
    updated_at = models.DateTimeField(_("updated"), auto_now=True)
    merged_into = models.ForeignKey(
        "self",
        verbose_name=_("merged into"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="merged_from",
    )

    class Meta:
        ordering = ["-created_at"]
        verbose_name = _("person")
        verbose_name_plural = _("people")
        indexes = [
            models.Index(fields=["-created_at", "-id"], name="person_created_idx"),
            models.Index(fields=["county", "-created_at"], name="person_county_created_idx"),
            models.Index(fields=["registered_by_unit", "-created_at"], name="person_unit_created_idx"),
            models.Index(fields=["identity_status", "-created_at"], name="person_identity_created_idx"),
        ]

    def __str__(self) -> str:
        return self.number

    @property
    def is_minor(self) -> bool | None:
        from datetime import date

        if self.birth_date is None:
            return None
        today = date.today()  # noqa: DTZ011 - an age in whole years does not need the time zone
        years = (
            today.year
            - self.birth_date.year
            - ((today.month, today.day) < (self.birth_date.month, self.birth_date.day))
        )
        return years < 18
