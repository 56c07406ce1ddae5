"""The first middleware of the chain: what must be decided before anything reads the request body.

- A body larger than the limit for its kind is answered 413 from its Content-Length header alone, so a
  300 MB upload costs nothing: multipart forms (uploads) may carry ``MAX_UPLOAD_REQUEST_BYTES``, every other
  body ``MAX_REQUEST_BYTES``. A body without Content-Length is never read by Django's WSGI request.
- A view marked with `before_body(check)` runs its check before the other middleware parse the body
  (CSRF reads the form): the public pages answer 429 to a blocked address without parsing its upload.
- The header that tells Django the original scheme (``SECURE_PROXY_SSL_HEADER``) is dropped unless the
  direct peer is a trusted proxy (`fanguai.core.net`), so a client cannot claim HTTPS.
"""

from collections.abc import Callable

from django.conf import settings
from django.http import HttpResponse
from django.utils.translation import gettext as _

from . import net

MULTIPART = "multipart/form-data"


def body_limit(request) -> int:
    """The largest body accepted for this request, in bytes."""
    content_type = request.META.get("CONTENT_TYPE", "").split(";", 1)[0].strip().lower()
    if content_type == MULTIPART:
        return settings.MAX_UPLOAD_REQUEST_BYTES
    return settings.MAX_REQUEST_BYTES


def declared_length(request) -> int | None:
    value = request.META.get("CONTENT_LENGTH") or ""
    try:
        return int(value)
    except ValueError:
        return None  # Django reads nothing of a body whose length it cannot parse


def before_body(check: Callable):
    """Mark a view: `check(request)` runs before any middleware reads the body of a POST; a response it
    returns is sent instead of the view's. Put it outermost, above the other decorators."""

    def decorate(view):
        view.before_body = check
        return view

    return decorate


def too_large() -> HttpResponse:
    response = HttpResponse(
        _("The request is too large."), status=413, content_type="text/plain; charset=utf-8"
    )
    response["X-Content-Type-Options"] = "nosniff"
    return response


class RequestLimitsMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        length = declared_length(request)
        if length is not None and length > body_limit(request):
            return too_large()
        proto_header = getattr(settings, "SECURE_PROXY_SSL_HEADER", None)
        if proto_header and proto_header[0] in request.META and not net.peer_is_trusted(request):
            del request.META[proto_header[0]]
        return self.get_response(request)

    def process_view(self, request, view_func, view_args, view_kwargs):
        check = getattr(view_func, "before_body", None)
        if check is not None and request.method == "POST":
            return check(request)
        return None
