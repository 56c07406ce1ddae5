from django.shortcuts import redirect
from django.urls import reverse

from .selectors import needs_second_factor

# Paths a signed-in user may reach before passing the second factor.
_OPEN_PREFIXES = ("/accounts/", "/static/", "/i18n/", "/api/")


class SecondFactorMiddleware:
    """Sends a signed-in user who has not passed the second factor to the verification or enrolment page."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        user = getattr(request, "user", None)
        if (
            user is not None
            and user.is_authenticated
            and not user.is_verified()
            and not request.path.startswith(_OPEN_PREFIXES)
            and needs_second_factor(user)
        ):
            return redirect(reverse("accounts:second_factor") + f"?next={request.path}")
        return self.get_response(request)
