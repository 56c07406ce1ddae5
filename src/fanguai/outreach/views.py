from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST

from fanguai.audit.services import record_event
from fanguai.core.exports import wants_xlsx, xlsx_response
from fanguai.core.pagination import BoundedPaginator
from fanguai.core.policies import policy_for
from fanguai.core.views import forbid_unless
from fanguai.files.forms import AttachmentForm
from fanguai.files.selectors import files_for
from fanguai.files.views import handle_attachment_upload

from . import selectors, services
from .forms import ActivityFilterForm, ActivityForm
from .models import Activity
from .policies import VIEWER_ROLES


def _export(rows):
    headers = [
        _("Date"),
        _("Kind"),
        _("Title"),
        _("Unit"),
        _("County"),
        _("Place"),
        _("Audience"),
        _("People reached"),
        _("Materials handed out"),
        _("Campaign day"),
        _("Status"),
    ]
    return xlsx_response(
        "activities.xlsx",
        headers,
        (
            [
                a.held_on,
                a.get_kind_display(),
                a.title,
                a.unit.name,
                a.county.name if a.county else "",
                a.place,
                a.audience,
                a.people_reached,
                a.materials,
                a.get_campaign_day_display() if a.campaign_day else "",
                a.get_status_display(),
            ]
            for a in rows
        ),
        sheet=_("Activities"),
    )


@login_required
def activity_list(request):
    forbid_unless(request.user.has_role(*VIEWER_ROLES))
    form = ActivityFilterForm(request.GET or None)
    filters = form.cleaned_data if form.is_valid() else {}
    rows = selectors.visible_activities(
        request.user,
        kind=filters.get("kind", ""),
        year=filters.get("year"),
        county=filters["county"].code if filters.get("county") else "",
        campaign_day=filters.get("campaign_day", ""),
        status=filters.get("status", ""),
        query=filters.get("q", ""),
    )
    if wants_xlsx(request):
        record_event("activity.export", object_type="outreach.activity", details={"count": rows.count()})
        return _export(rows)
    return render(
        request,
        "outreach/activity_list.html",
        {
            "form": form,
            "page": BoundedPaginator(rows, 25).get_page(request.GET.get("page")),
            "totals": selectors.totals(rows),
            "can_create": policy_for(Activity).can(request.user, "create"),
        },
    )


@login_required
@require_http_methods(["GET", "POST"])
def activity_create(request):
    forbid_unless(policy_for(Activity).can(request.user, "create"))
    form = ActivityForm(request.POST or None, initial={"kind": request.GET.get("kind", "")})
    if request.method == "POST" and form.is_valid():
        activity = services.record_activity(actor=request.user, **form.cleaned_data)
        messages.success(request, _("The activity was recorded."))
        return redirect("outreach:detail", pk=activity.pk)
    return render(request, "outreach/activity_form.html", {"form": form, "title": _("Record an activity")})


@login_required
def activity_detail(request, pk: int):
    activity = policy_for(Activity).get_visible_or_404(request.user, pk=pk)
    can_change = policy_for(Activity).can(request.user, "change", activity)
    return render(
        request,
        "outreach/activity_detail.html",
        {
            "activity": activity,
            "can_change": can_change,
            "attachments": files_for(request.user, activity),
            "attachment_form": AttachmentForm(),
        },
    )


@login_required
@require_http_methods(["GET", "POST"])
def activity_edit(request, pk: int):
    activity = policy_for(Activity).get_visible_or_404(request.user, pk=pk)
    forbid_unless(policy_for(Activity).can(request.user, "change", activity))
    form = ActivityForm(request.POST or None, instance=Activity.objects.get(pk=activity.pk))
    if request.method == "POST" and form.is_valid():
        services.update_activity(actor=request.user, activity=activity, **form.cleaned_data)
        messages.success(request, _("The activity was updated."))
        return redirect("outreach:detail", pk=activity.pk)
    return render(request, "outreach/activity_form.html", {"form": form, "title": activity.title})


@login_required
@require_POST
def activity_rectified(request, pk: int):
    activity = policy_for(Activity).get_visible_or_404(request.user, pk=pk)
    forbid_unless(policy_for(Activity).can(request.user, "change", activity))
    services.mark_rectified(actor=request.user, activity=activity)
    messages.success(request, _("The problem is marked as rectified."))
    return redirect("outreach:detail", pk=activity.pk)


@login_required
@require_POST
def activity_attach(request, pk: int):
    activity = policy_for(Activity).get_visible_or_404(request.user, pk=pk)
    forbid_unless(policy_for(Activity).can(request.user, "change", activity))
    handle_attachment_upload(request, activity)
    return redirect("outreach:detail", pk=activity.pk)
