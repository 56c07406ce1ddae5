from datetime import timedelta

from django.conf import settings
from django.contrib.auth.models import AbstractUser
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from fanguai.org.models import Region, Unit

from .roles import ADMIN_ROLES, Role


class User(AbstractUser):
    """A member of staff. Each account belongs to one unit and has one role."""

    full_name = models.CharField(_("full name"), max_length=64, blank=True)
    role = models.CharField(_("role"), max_length=32, choices=Role.choices)
    unit = models.ForeignKey(
        Unit, verbose_name=_("unit"), null=True, blank=True, on_delete=models.PROTECT, related_name="users"
    )
    phone = models.CharField(_("office phone"), max_length=32, blank=True)

    class Meta:
        verbose_name = _("user")
        verbose_name_plural = _("users")
        constraints = [
            models.CheckConstraint(
                condition=models.Q(role__in=Role.values),
                name="user_role_is_known",
            ),
        ]

    def __str__(self) -> str:
        return self.full_name or self.username

    @property
    def county(self) -> Region | None:
        """The county whose records the user works on; None for a city-level user."""
        return self.unit.county if self.unit_id else None

    @property
    def is_city_level(self) -> bool:
        return self.unit_id is not None and self.unit.is_city_level

    @property
    def is_administrator(self) -> bool:
        return self.role in ADMIN_ROLES

    def has_role(self, *roles: str) -> bool:
        return self.is_active and self.role in roles


def default_token_expiry():
    return timezone.now() + timedelta(days=settings.API_TOKEN_DAYS)


class ApiToken(models.Model):
    """A bearer token for the API; only its SHA-256 digest is stored. It works until it expires or is
    revoked."""

    user = models.ForeignKey(
        User, verbose_name=_("user"), on_delete=models.CASCADE, related_name="api_tokens"
    )
    name = models.CharField(_("name"), max_length=64)
    digest = models.CharField(max_length=64, unique=True)
    created_at = models.DateTimeField(_("created"), auto_now_add=True)
    last_used_at = models.DateTimeField(_("last used"), null=True, blank=True)
    revoked_at = models.DateTimeField(_("revoked"), null=True, blank=True)
    expires_at = models.DateTimeField(_("expires"), default=default_token_expiry)

    class Meta:
        verbose_name = _("API token")
        verbose_name_plural = _("API tokens")

    def __str__(self) -> str:
        return f"{self.user} / {self.name}"

    @property
    def is_revoked(self) -> bool:
        return self.revoked_at is not None

    @property
    def is_expired(self) -> bool:
        return self.expires_at <= timezone.now()

    @property
    def state(self) -> str:
        """ "revoked", "expired" or "active"; a revoked token stays revoked after its expiry."""
        if self.is_revoked:
            return "revoked"
        return "expired" if self.is_expired else "active"
