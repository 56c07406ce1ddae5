from django.conf import settings
from django.db.models import QuerySet
from django_otp.plugins.otp_totp.models import TOTPDevice

from fanguai.core.policies import policy_for

from .models import ApiToken, User


def confirmed_totp_device(user: User) -> TOTPDevice | None:
    return TOTPDevice.objects.filter(user=user, confirmed=True).first()


def needs_second_factor(user: User) -> bool:
    """Everyone needs a second factor when FANGUAI_REQUIRE_2FA is on; a user who enrolled always does."""
    return settings.REQUIRE_2FA or TOTPDevice.objects.filter(user=user, confirmed=True).exists()


def visible_users(viewer: User, query: str = "", role: str = "", unit_code: str = "") -> QuerySet[User]:
    users = policy_for(User).visible(viewer, User.objects.select_related("unit", "unit__region"))
    if query:
        users = users.filter(username__icontains=query) | users.filter(full_name__icontains=query)
    if role:
        users = users.filter(role=role)
    if unit_code:
        users = users.filter(unit__code=unit_code)
    return users.order_by("unit__code", "username")


def api_tokens_of(user: User) -> QuerySet[ApiToken]:
    """A user's API tokens, newest first (for the command line; the digests are never shown)."""
    return ApiToken.objects.filter(user=user).order_by("-created_at", "-pk")
