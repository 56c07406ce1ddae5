"""Reporting the clue a care visit asked for (待报送线索): the visiting unit's list of visits awaiting a clue,
and the form that files the clue through the clues service and links it to the visit
(`services.report_visit_clue`). Kept apart from views.py: one small page pair with its form."""

import datetime as dt

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_http_methods

from fanguai.clues import conf as clue_conf
from fanguai.clues.models import Category
from fanguai.core.policies import policy_for
from fanguai.core.validators import CheckedForm
from fanguai.core.views import forbid_unless

from . import selectors, services
from .forms import apply_errors
from .models import CareRegistration, CareVisit
from .policies import is_care_worker

EARLIEST = dt.date(1990, 1, 1)


class VisitClueForm(CheckedForm):
    """The clue as the clues service files it; the description starts from what the visit found."""

    category = forms.ChoiceField(label=gettext_lazy("Clue category"), choices=Category.choices)
    description = forms.CharField(label=gettext_lazy("What the visit found"))
    place_detail = forms.CharField(
        label=gettext_lazy("Place"),
        required=False,
        max_length=300,
        help_text=gettext_lazy("Village, street, shop or website, as precisely as you can."),
    )
    occurred_at = forms.DateTimeField(
        label=gettext_lazy("When did it happen or when did you see it?"),
        required=False,
        widget=forms.DateTimeInput(attrs={"type": "datetime-local"}, format="%Y-%m-%dT%H:%M"),
        input_formats=["%Y-%m-%dT%H:%M", "%Y-%m-%d %H:%M", "%Y-%m-%d"],
    )

    def __init__(self, *args, visit: CareVisit, **kwargs):
        super().__init__(*args, **kwargs)
        self.visit = visit
        limit = clue_conf.description_max()
        self.fields["description"] = forms.CharField(
            label=self.fields["description"].label,
            max_length=limit,
            widget=forms.Textarea(attrs={"rows": 6, "maxlength": limit}),
        )
        self.order_fields(["category", "description", "place_detail", "occurred_at"])

    def clean_occurred_at(self):
        occurred_at = self.cleaned_data.get("occurred_at")
        if occurred_at is None:
            return None
        day = timezone.localdate(occurred_at)
        if day > self.visit.visited_on:
            raise ValidationError(_("What the visit found happened on or before the visit day."))
        if day < EARLIEST:
            raise ValidationError(_("Give a date after 1990."))
        return occurred_at


def _visit_for_clue(request, pk: int) -> CareVisit:
    """The visit, if its register entry is visible to the user (404 otherwise), and the user may report its
    clue (403 otherwise)."""
    visit = get_object_or_404(CareVisit.objects.select_related("registration", "unit"), pk=pk)
    if not policy_for(CareRegistration).can_view(request.user, visit.registration):
        raise Http404
    forbid_unless(services.can_report_visit_clue(request.user, visit))
    return visit


@login_required
def visit_clue_list(request):
    """The visits of the user's unit that await a clue."""
    forbid_unless(is_care_worker(request.user))
    visits = selectors.clue_requests(request.user)
    return render(request, "assistance/visit_clue_list.html", {"visits": visits})


@login_required
@require_http_methods(["GET", "POST"])
def visit_clue_report(request, pk: int):
    visit = _visit_for_clue(request, pk)
    registration = visit.registration
    form = VisitClueForm(
        request.POST or None,
        visit=visit,
        initial={"category": Category.TRAFFICKING, "description": visit.findings},
    )
    if request.method == "POST" and form.is_valid():
        try:
            clue = services.report_visit_clue(actor=request.user, visit=visit, **form.cleaned_data)
        except ValidationError as exc:
            apply_errors(form, exc)
        else:
            messages.success(
                request, _("Clue %(number)s was filed and linked to the visit.") % {"number": clue.number}
            )
            return redirect(registration.get_absolute_url())
    return render(
        request,
        "assistance/form.html",
        {
            "form": form,
            "title": _("Report a clue from the care visit of %(date)s · %(number)s")
            % {"date": visit.visited_on.isoformat(), "number": registration.number},
            "back": registration.get_absolute_url(),
        },
    )
