import csv
from datetime import datetime, time, timedelta

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import HttpResponse, StreamingHttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _

from fanguai.core.exports import csv_safe
from fanguai.core.pagination import BoundedPaginator
from fanguai.core.policies import policy_for
from fanguai.core.views import forbid_unless
from fanguai.org.models import Unit

from . import checkpoints
from .forms import AuditFilterForm
from .labels import action_label, field_labels, object_type_label
from .models import AuditEvent
from .selectors import visible_events
from .services import export_checkpoint, record_event


def _filtered(request):
    form = AuditFilterForm(request.GET or None)
    filters = {}
    if form.is_valid():
        data = form.cleaned_data
        tz = timezone.get_current_timezone()
        filters = {k: data[k] for k in ("action", "actor", "object_type", "object_id", "outcome")}
        if data["since"]:
            filters["since"] = datetime.combine(data["since"], time.min, tzinfo=tz)
        if data["until"]:
            filters["until"] = datetime.combine(data["until"] + timedelta(days=1), time.min, tzinfo=tz)
    return form, visible_events(request.user, **filters)


@login_required
def event_list(request):
    forbid_unless(request.user.has_role("audit_admin"))
    form, events = _filtered(request)
    page = BoundedPaginator(events, 100).get_page(request.GET.get("page"))
    unit_names = dict(Unit.objects.filter(code__in={e.unit_code for e in page}).values_list("code", "name"))
    for event in page:
        # the page shows labels; the stored (and exported) codes stay as they are
        event.unit_name = unit_names.get(event.unit_code, event.unit_code)
        event.action_label = action_label(event.action)
        event.object_label = object_type_label(event.object_type)
        event.field_labels = field_labels(event.object_type, event.changed_fields)
    try:
        checkpoint, checkpoint_error = checkpoints.latest(), ""
    except checkpoints.CheckpointError as exc:
        checkpoint, checkpoint_error = None, str(exc)
    context = {"form": form, "page": page, "checkpoint": checkpoint, "checkpoint_error": checkpoint_error}
    return render(request, "audit/event_list.html", context)


@login_required
def checkpoint_export(request):
    """The latest signed checkpoint (a new one when the chain has moved since), for the audit administrator
    to keep outside the platform, e.g. on write-once media. Audited."""
    forbid_unless(policy_for(AuditEvent).can(request.user, "export"))
    try:
        checkpoint = export_checkpoint(actor=request.user)
    except checkpoints.CheckpointError as exc:
        messages.error(request, _("No checkpoint could be exported: %(reason)s") % {"reason": exc})
        return redirect("audit:event_list")
    response = HttpResponse(checkpoint.to_json(), content_type="application/json")
    response["Content-Disposition"] = f'attachment; filename="{checkpoint.file_name}"'
    return response


class _Echo:
    def write(self, value):
        return value


@login_required
def event_export(request):
    forbid_unless(policy_for(AuditEvent).can(request.user, "export"))
    form, events = _filtered(request)
    record_event("audit.export", object_type="audit.event", details={"count": events.count()})
    writer = csv.writer(_Echo())
    header = [
        _("Time"),
        _("User name"),
        _("Unit"),
        _("IP address"),
        _("Action"),
        _("Object type"),
        _("Object id"),
        _("Outcome"),
        _("Changed fields"),
        _("Hash"),
    ]

    def rows():
        yield "\ufeff" + writer.writerow(header)
        for e in events.order_by("id").iterator(chunk_size=2000):
            yield writer.writerow(
                csv_safe(value)
                for value in [
                    timezone.localtime(e.created_at).isoformat(timespec="seconds"),
                    e.actor_username,
                    e.unit_code,
                    e.ip_address or "",
                    e.action,
                    e.object_type,
                    e.object_id,
                    e.outcome,
                    " ".join(e.changed_fields),
                    e.hash,
                ]
            )

    response = StreamingHttpResponse(rows(), content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = 'attachment; filename="audit-events.csv"'
    return response
