"""Caching headers: nothing personal may be kept by a browser's disk cache or a shared proxy.

Everything served to a signed-in user, every API answer and every response that sets a cookie is marked
``Cache-Control: no-store`` (with ``private``), whatever the view said. The public pages that remain cacheable
(the missing-person alerts, their CAP documents and feed) vary by the language, which comes from the
``Accept-Language`` header or the language cookie. The Content-Security-Policy and the Permissions-Policy are
set by django-csp and django-permissions-policy (see settings)."""

from django.utils.cache import add_never_cache_headers, patch_vary_headers

API_PREFIX = "/api/"  # where fanguai.urls mounts the ninja API


def _personal(request, response) -> bool:
    if request.path_info.startswith(API_PREFIX) or response.cookies:
        return True
    # Static files are answered by WhiteNoise before authentication runs: they have no user and stay cacheable.
    user = getattr(request, "user", None)
    return user is not None and user.is_authenticated


class CacheControlMiddleware:
    """Sits above the session, CSRF and locale middleware, so that it sees the cookies they set and the
    Vary headers they add."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        response = self.get_response(request)
        if _personal(request, response):
            add_never_cache_headers(response)
        elif "public" in response.get("Cache-Control", ""):
            patch_vary_headers(response, ("Accept-Language", "Cookie"))
        return response
