from django.contrib.auth.decorators import login_required
from django.http import HttpResponseRedirect
from django.shortcuts import redirect, render, resolve_url
from django.utils.http import url_has_allowed_host_and_scheme
from django.views.decorators.http import require_GET, require_POST

from fanguai.core.pagination import BoundedPaginator
from fanguai.core.queries import total_of

from . import selectors, services

PAGE_SIZE = 25
CHANGED_EVENT = "notifications-changed"  # htmx event: the badge listens to it and reloads


def _show(request) -> str:
    return "unread" if request.GET.get("show", request.POST.get("show")) == "unread" else "all"


def _list_context(request) -> dict:
    show = _show(request)
    rows = selectors.inbox(request.user, unread_only=show == "unread")
    page = BoundedPaginator(rows, PAGE_SIZE).get_page(request.GET.get("page"))
    return {"page": page, "show": show, "unread_count": selectors.unread_count(request.user)}


@login_required
@require_GET
def inbox(request):
    context = _list_context(request)
    if request.htmx and request.htmx.target == "inbox-list":
        return render(request, "notifications/partials/list.html", context)
    return render(request, "notifications/inbox.html", context)


def _safe(url: str, request) -> bool:
    return bool(url) and url_has_allowed_host_and_scheme(url, {request.get_host()}, request.is_secure())


@login_required
@require_POST
def mark_read(request, pk: int):
    notification = selectors.notification_for(request.user, pk)
    services.mark_read(actor=request.user, notification=notification)
    if request.htmx:
        response = render(
            request, "notifications/partials/row.html", {"n": notification, "show": _show(request)}
        )
        response["HX-Trigger"] = CHANGED_EVENT
        return response
    next_url = request.POST.get("next", "")
    return HttpResponseRedirect(next_url if _safe(next_url, request) else resolve_url("notifications:inbox"))


@login_required
@require_POST
def open_notification(request, pk: int):
    """Mark as read and go to what the notification is about."""
    notification = selectors.notification_for(request.user, pk)
    services.mark_read(actor=request.user, notification=notification)
    if _safe(notification.link, request):
        return HttpResponseRedirect(notification.link)
    return redirect("notifications:inbox")


@login_required
@require_POST
def mark_all_read(request):
    services.mark_all_read(actor=request.user)
    if request.htmx:
        response = render(request, "notifications/partials/list.html", _list_context(request))
        response["HX-Trigger"] = CHANGED_EVENT
        return response
    return redirect(
        resolve_url("notifications:inbox") + ("?show=unread" if _show(request) == "unread" else "")
    )


@login_required
@require_GET
def badge(request):
    return render(
        request, "notifications/partials/badge.html", {"unread_count": selectors.unread_count(request.user)}
    )


def home_panel_context(user) -> dict | None:
    """The home-page panel: the newest unread notifications, hidden when there are none."""
    # One query: the newest five unread, each carrying the number of all unread.
    unread = selectors.inbox(user, unread_only=True)
    latest = list(unread.annotate(unread_total=total_of(unread))[:5])
    selectors.remember_unread_count(user, latest[0].unread_total if latest else 0)
    if not latest:
        return None
    return {"unread_count": latest[0].unread_total, "latest": latest}
