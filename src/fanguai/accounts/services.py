"""Writes on accounts: creating and changing staff, API tokens, second-factor enrolment and resets."""

import hashlib
import secrets
from datetime import timedelta

from axes.utils import reset as axes_reset
from django.conf import settings
from django.contrib.auth.password_validation import validate_password
from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from django_otp.plugins.otp_totp.models import TOTPDevice

from fanguai.audit.services import record_event
from fanguai.org.models import Unit

from .models import ApiToken, User
from .roles import ADMIN_ROLES, Role

PROFILE_FIELDS = ("full_name", "role", "unit", "email", "phone", "is_active")


def _check_role_and_unit(role: str, unit: Unit | None) -> None:
    if role not in Role.values:
        raise ValidationError({"role": _("Unknown role.")})
    if role not in ADMIN_ROLES and unit is None:
        raise ValidationError({"unit": _("Every staff account belongs to a unit.")})


@transaction.atomic
def create_user(
    *,
    actor,
    username: str,
    password: str,
    role: str,
    unit: Unit | None,
    full_name: str = "",
    email: str = "",
    phone: str = "",
) -> User:
    _check_role_and_unit(role, unit)
    if User.objects.filter(username=username).exists():
        raise ValidationError({"username": _("This user name is taken.")})
    user = User(username=username, role=role, unit=unit, full_name=full_name, email=email, phone=phone)
    _validate_password(password, user)
    user.set_password(password)
    user.full_clean(exclude=["password"])
    user.save()
    record_event(
        "user.create",
        actor=actor,
        object_type="accounts.user",
        object_id=user.pk,
        changed_fields=["username", "role", "unit", "password"],
    )
    return user


@transaction.atomic
def update_user(*, actor, user: User, **changes) -> User:
    unknown = set(changes) - set(PROFILE_FIELDS)
    if unknown:
        raise ValueError(f"not editable: {sorted(unknown)}")
    role, unit = changes.get("role", user.role), changes.get("unit", user.unit)
    _check_role_and_unit(role, unit)
    if (role in ADMIN_ROLES) != (user.role in ADMIN_ROLES):
        raise ValidationError({"role": _("Administrator roles are granted on the command line only.")})
    changed = [name for name, value in changes.items() if getattr(user, name) != value]
    for name in changed:
        setattr(user, name, changes[name])
    user.full_clean(exclude=["password"])
    user.save()
    record_event(
        "user.update", actor=actor, object_type="accounts.user", object_id=user.pk, changed_fields=changed
    )
    return user


def _validate_password(password: str, user: User) -> None:
    """The configured password policy (AUTH_PASSWORD_VALIDATORS); its errors belong to the password field."""
    try:
        validate_password(password, user)
    except ValidationError as exc:
        raise ValidationError({"password": exc.error_list}) from None


@transaction.atomic
def set_password(*, actor, user: User, password: str) -> None:
    _validate_password(password, user)
    user.set_password(password)
    user.save(update_fields=["password"])
    record_event(
        "user.password",
        actor=actor,
        object_type="accounts.user",
        object_id=user.pk,
        changed_fields=["password"],
    )


def start_totp_enrolment(user: User) -> TOTPDevice:
    """An unconfirmed device: the user scans its QR code and proves it with one token."""
    TOTPDevice.objects.filter(user=user, confirmed=False).delete()
    return TOTPDevice.objects.create(user=user, name=_("Authenticator app"), confirmed=False)


@transaction.atomic
def confirm_totp_enrolment(user: User, device: TOTPDevice, token: str) -> bool:
    if device.user_id != user.pk or device.confirmed or not device.verify_token(token):
        record_event(
            "user.2fa_enrol", actor=user, object_type="accounts.user", object_id=user.pk, outcome="failure"
        )
        return False
    TOTPDevice.objects.filter(user=user, confirmed=True).delete()
    device.confirmed = True
    device.save(update_fields=["confirmed"])
    record_event("user.2fa_enrol", actor=user, object_type="accounts.user", object_id=user.pk)
    return True


@transaction.atomic
def reset_security(*, actor, user: User) -> None:
    """Unlock an account and remove its second factor so that the user enrols again."""
    axes_reset(username=user.username)
    TOTPDevice.objects.filter(user=user).delete()
    record_event(
        "user.security_reset",
        actor=actor,
        object_type="accounts.user",
        object_id=user.pk,
        changed_fields=["lockout", "otp_device"],
    )


def token_digest(raw: str) -> str:
    return hashlib.sha256(raw.encode()).hexdigest()


def create_api_token(*, actor, user: User, name: str, days: int | None = None) -> str:
    """Return the raw token once; only its digest is kept. It expires after `days` (API_TOKEN_DAYS)."""
    days = settings.API_TOKEN_DAYS if days is None else days
    if days < 1:
        raise ValidationError({"days": _("A token lives at least one day.")})
    raw = "fg_" + secrets.token_urlsafe(32)
    token = ApiToken.objects.create(
        user=user, name=name, digest=token_digest(raw), expires_at=timezone.now() + timedelta(days=days)
    )
    record_event(
        "api_token.create",
        actor=actor,
        object_type="accounts.apitoken",
        object_id=token.pk,
        details={"user": user.username, "expires_at": token.expires_at.isoformat()},
    )
    return raw


@transaction.atomic
def revoke_api_tokens(*, actor, user: User, token_ids: list[int] | None = None) -> list[ApiToken]:
    """Revoke the given tokens of a user (all of them when token_ids is None); returns those revoked now.
    Tokens already revoked are left as they are; an id that is not the user's raises ValidationError."""
    tokens = ApiToken.objects.select_for_update().filter(user=user)
    if token_ids is not None:
        tokens = tokens.filter(pk__in=token_ids)
        unknown = set(token_ids) - {token.pk for token in tokens}
        if unknown:
            raise ValidationError(
                _("%(user)s has no token with id %(ids)s.")
                % {"user": user.username, "ids": ", ".join(str(pk) for pk in sorted(unknown))}
            )
    revoked = []
    now = timezone.now()
    for token in tokens.filter(revoked_at__isnull=True).order_by("pk"):
        token.revoked_at = now
        token.save(update_fields=["revoked_at"])
        record_event(
            "api_token.revoke",
            actor=actor,
            object_type="accounts.apitoken",
            object_id=token.pk,
            changed_fields=["revoked_at"],
            details={"user": user.username},
        )
        revoked.append(token)
    return revoked


def authenticate_api_token(raw: str) -> User | None:
    """The active user a valid token belongs to, or None. A known token that is revoked or expired, or whose
    user is deactivated, is refused and the attempt is audited (with the token's id and a digest prefix,
    never the token)."""
    digest = token_digest(raw)
    token = (
        ApiToken.objects.select_related("user", "user__unit", "user__unit__region")
        .filter(digest=digest)
        .first()
    )
    if token is None:
        return None
    now = timezone.now()
    reason = (
        "revoked"
        if token.revoked_at is not None
        else "expired"
        if token.expires_at <= now
        else "inactive_user"
        if not token.user.is_active
        else None
    )
    if reason is not None:
        record_event(
            "api_token.use",
            actor=token.user,
            object_type="accounts.apitoken",
            object_id=token.pk,
            outcome="denied",
            details={"reason": reason, "digest_prefix": digest[:8]},
        )
        return None
    ApiToken.objects.filter(pk=token.pk).update(last_used_at=now)
    return token.user
