"""Sign-in events go to the audit trail (recording, not business logic)."""

from django.contrib.auth.signals import user_logged_in, user_logged_out, user_login_failed
from django.dispatch import receiver

from fanguai.audit.middleware import client_ip
from fanguai.audit.services import record_event


@receiver(user_logged_in)
def _logged_in(sender, request, user, **kwargs):
    record_event(
        "user.login",
        actor=user,
        object_type="accounts.user",
        object_id=user.pk,
        ip_address=client_ip(request) if request else None,
    )


@receiver(user_logged_out)
def _logged_out(sender, request, user, **kwargs):
    if user is not None:
        record_event(
            "user.logout",
            actor=user,
            object_type="accounts.user",
            object_id=user.pk,
            ip_address=client_ip(request) if request else None,
        )


@receiver(user_login_failed)
def _login_failed(sender, credentials, request=None, **kwargs):
    # The attempted user name is not personal data of a victim; it is kept to trace guessing attacks.
    record_event(
        "user.login",
        object_type="accounts.user",
        object_id=str(credentials.get("username", ""))[:64],
        outcome="failure",
        ip_address=client_ip(request) if request else None,
    )
