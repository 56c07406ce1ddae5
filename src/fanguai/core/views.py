from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.db import connection
from django.http import JsonResponse
from django.shortcuts import redirect, render
from django.templatetags.static import static
from django.utils.cache import patch_cache_control

from .registry import panels_for


def forbid_unless(allowed: bool) -> None:
    if not allowed:
        raise PermissionDenied


@login_required
def home(request):
    return render(request, "core/home.html", {"panels": panels_for(request.user)})


def healthz(request):
    """For load balancers and the browser tests: the application answers and reaches its database."""
    with connection.cursor() as cursor:
        cursor.execute("SELECT 1")
    return JsonResponse({"status": "ok"})


def favicon(request):
    """Browsers ask for /favicon.ico whatever the page links to: send them to the SVG icon."""
    response = redirect(static("fanguai/favicon.svg"))
    patch_cache_control(response, public=True, max_age=86400)
    return response
