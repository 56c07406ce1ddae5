from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.db import connection
from django.http import JsonResponse
from django.shortcuts import render

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
