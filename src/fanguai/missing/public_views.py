"""The public side of alerts: no login, no staff fields. Only published alerts are shown; a found or
withdrawn alert keeps only its status. The CAP documents and the Atom feed are what other systems read."""

from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import feedgenerator
from django.utils.translation import gettext as _
from django.views.decorators.cache import cache_control
from django.views.decorators.http import require_GET, require_http_methods

from . import alerts, conf, selectors
from .forms import PublicSubscribeForm

CAP_CONTENT_TYPE = "application/cap+xml; charset=utf-8"


@require_GET
@cache_control(public=True, max_age=60)
def alert_list(request):
    alerts = list(selectors.public_alerts()[:100])
    return render(
        request,
        "missing/public/alert_list.html",
        {
            "active": [a for a in alerts if a.is_active],
            "cleared": [a for a in alerts if a.is_cleared][:20],
            "police_phone": conf.police_phone(),
        },
    )


@require_GET
@cache_control(public=True, max_age=60)
def alert_detail(request, code: str):
    alert = selectors.public_alert(code)
    latest = alert.messages.order_by("-id").first()
    return render(request, "missing/public/alert_detail.html", {"alert": alert, "latest": latest})


@require_GET
@cache_control(public=True, max_age=60)
def alert_photo(request, code: str):
    alert = selectors.public_alert(code)
    if not alert.is_active or not alert.photo_jpeg:
        raise Http404
    response = HttpResponse(bytes(alert.photo_jpeg), content_type="image/jpeg")
    response["X-Content-Type-Options"] = "nosniff"
    return response


@require_GET
@cache_control(public=True, max_age=60)
def cap_document(request, identifier: str):
    message = selectors.public_message(identifier)
    return HttpResponse(message.xml, content_type=CAP_CONTENT_TYPE)


class CapAtomFeed(feedgenerator.Atom1Feed):
    """Atom whose entries link to their CAP document (rel alternate, type application/cap+xml) and to the
    public page (rel related), as CAP aggregators expect."""

    def add_item_elements(self, handler, item):
        super().add_item_elements(handler, item)
        if item.get("page"):
            handler.addQuickElement("link", "", {"href": item["page"], "rel": "related", "type": "text/html"})


@require_GET
@cache_control(public=True, max_age=60)
def atom_feed(request):
    feed = CapAtomFeed(
        title="六安市儿童失踪信息发布 / Lu'an missing-child alerts",
        link=request.build_absolute_uri(reverse("public_alerts:list")),
        feed_url=request.build_absolute_uri(reverse("public_alerts:feed")),
        description=_("Missing-person alerts"),
        language="zh-CN",
        author_name=conf.sender_name(),
    )
    for message in selectors.feed_messages():
        alert = message.alert
        if alert.is_active:
            title = f"紧急寻人：{alert.display_name} / Missing: {alert.display_name} ({message.radius_km} km)"
        elif alert.status == alert.Status.FOUND:
            title = f"已找到 / Found ({alert.code})"
        else:
            title = f"已撤销 / Withdrawn ({alert.code})"
        feed.add_item(
            title=title,
            link=request.build_absolute_uri(message.get_public_url()),
            page=request.build_absolute_uri(alert.get_public_url()),
            description=f"{message.get_msg_type_display()}：{message.get_reason_display()}",
            unique_id=f"urn:fanguai:cap:{message.identifier}",
            updateddate=message.sent,
            pubdate=message.sent,
        )
    response = HttpResponse(content_type="application/atom+xml; charset=utf-8")
    feed.write(response, "utf-8")
    return response


@require_http_methods(["GET", "POST"])
def subscribe(request):
    """Anyone may subscribe an e-mail address with a location; it takes effect once confirmed by e-mail."""
    form = PublicSubscribeForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        data = {k: v for k, v in form.cleaned_data.items() if k != "website"}
        alerts.subscribe_by_email(**data)
        return redirect(reverse("public_alerts:subscribe") + "?sent=1")
    return render(
        request, "missing/public/subscribe.html", {"form": form, "sent": request.GET.get("sent") == "1"}
    )


@require_GET
def confirm(request, token: str):
    subscriber = alerts.confirm_subscription(token)
    return render(
        request, "missing/public/subscription_done.html", {"ok": subscriber is not None, "action": "confirm"}
    )


@require_http_methods(["GET", "POST"])
def unsubscribe(request, token: str):
    """GET shows a button (mail scanners follow links); POST unsubscribes."""
    if request.method == "POST":
        subscriber = alerts.unsubscribe(token)
        return render(
            request,
            "missing/public/subscription_done.html",
            {"ok": subscriber is not None, "action": "unsubscribe"},
        )
    return render(request, "missing/public/unsubscribe.html", {"token": token})
