from urllib.parse import urlsplit

from django.conf import settings
from django.contrib import messages
from django.contrib.auth import logout
from django.contrib.auth.views import redirect_to_login
from django.http import HttpResponse
from django.shortcuts import redirect
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from fanguai.audit.services import record_event

from .selectors import needs_second_factor

# Before the second factor a signed-in user may reach only these: the verify/enrol page and logout (exact
# paths), static files, the language switch, and the API (which checks the second factor itself, see
# fanguai.api.auth.VerifiedSession). Everything else, the rest of /accounts/ included, waits for the code.
_OPEN_URL_NAMES = ("accounts:second_factor", "accounts:logout")
_OPEN_PREFIXES = ("/i18n/", "/api/")

# A request the page makes by itself (the inbox badge polling every minute) carries this header; it must
# not count as the user's activity, or an open page would never reach the idle timeout.
BACKGROUND_HEADER = "X-Fanguai-Background"
LAST_ACTIVITY_KEY = "_fanguai_last_activity"
# Real activity rewrites the session (and so its expiry) at most once a minute, not on every request; with a
# short timeout at most every tenth of it, so that the session never expires while the user is active.
TOUCH_INTERVAL_SECONDS = 60


def touch_interval() -> float:
    return min(TOUCH_INTERVAL_SECONDS, settings.SESSION_COOKIE_AGE / 10)


def is_background(request) -> bool:
    return request.headers.get(BACKGROUND_HEADER) == "1"


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
            and not self._open_before_second_factor(request.path)
            and needs_second_factor(user)
        ):
            target = reverse("accounts:second_factor") + f"?next={request.path}"
            if is_background(request):
                # The verify page itself shows the polling badge: a redirect here would reload it forever.
                return HttpResponse(status=401)
            if request.headers.get("HX-Request"):
                return _htmx_redirect(target)
            return redirect(target)
        return self.get_response(request)

    @staticmethod
    def _open_before_second_factor(path: str) -> bool:
        static_url = settings.STATIC_URL or "/static/"
        if path.startswith((static_url, *_OPEN_PREFIXES)):
            return True
        return path in {reverse(name) for name in _OPEN_URL_NAMES}


def _htmx_redirect(location: str) -> HttpResponse:
    """htmx follows HX-Redirect with a full page load instead of swapping a login page into a fragment."""
    response = HttpResponse(status=401)
    response["HX-Redirect"] = location
    return response


class IdleTimeoutMiddleware:
    """Signs out a user after SESSION_COOKIE_AGE seconds without activity of their own.

    The session keeps the time of the last activity. Background requests neither update it nor save the
    session (SESSION_SAVE_EVERY_REQUEST is off), so a page left open with a polling badge still times out: the
    session store drops the session at that time, and this middleware signs it out should the session have
    been saved since for another reason. A real request refreshes the time (and so the session's expiry) at
    most once a minute. A background request without a signed-in user comes from a stale page: it gets 401
    (htmx: HX-Redirect to the login page) instead of a login page swapped into a fragment."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        user = getattr(request, "user", None)
        if user is None or not hasattr(request, "session"):
            return self.get_response(request)
        if not user.is_authenticated:
            if is_background(request):
                return _signed_out_answer(request)
            return self.get_response(request)
        now = timezone.now().timestamp()
        last_activity = request.session.get(LAST_ACTIVITY_KEY)
        if last_activity is not None and now - last_activity > settings.SESSION_COOKIE_AGE:
            record_event("user.idle_timeout", actor=user, object_type="accounts.user", object_id=user.pk)
            logout(request)
            if is_background(request) or request.headers.get("HX-Request"):
                return _signed_out_answer(request)
            messages.info(request, _("You were signed out after a period without activity."))
            return redirect_to_login(request.get_full_path())
        if last_activity is None or (not is_background(request) and now - last_activity >= touch_interval()):
            request.session[LAST_ACTIVITY_KEY] = now
        return self.get_response(request)


def _signed_out_answer(request) -> HttpResponse:
    if request.headers.get("HX-Request"):
        # Back to the page the fragment belongs to after signing in again, not to the fragment.
        current = urlsplit(request.headers.get("HX-Current-URL", ""))
        page = (current.path + (f"?{current.query}" if current.query else "")) or "/"
        return _htmx_redirect(redirect_to_login(page)["Location"])
    return HttpResponse(status=401)
