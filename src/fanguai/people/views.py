from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST

from fanguai.audit.services import record_event
from fanguai.core.pagination import BoundedPaginator
from fanguai.core.policies import policy_for
from fanguai.core.views import forbid_unless
from fanguai.deadlines.selectors import deadlines_of
from fanguai.files.forms import AttachmentForm
from fanguai.files.selectors import files_for
from fanguai.files.views import handle_attachment_upload

from . import selectors, services
from .forms import MergeForm, PersonForm, PersonSearchForm
from .models import Person
from .related import related_records


@login_required
def person_list(request):
    form = PersonSearchForm(request.GET or None)
    filters = form.cleaned_data if form.is_valid() else {}
    people = selectors.visible_people(
        request.user,
        query=filters.get("q", ""),
        identity_status=filters.get("identity_status", ""),
        sex=filters.get("sex", ""),
    )
    page = BoundedPaginator(people, 25).get_page(request.GET.get("page"))
    if page.object_list:
        record_event(
            "person.list", object_type="people.person", details={"ids": [p.pk for p in page.object_list]}
        )
    return render(
        request,
        "people/person_list.html",
        {
            "form": form,
            "page": page,
            "can_create": policy_for(Person).can(request.user, "create"),
        },
    )


@login_required
@require_http_methods(["GET", "POST"])
def person_create(request):
    forbid_unless(policy_for(Person).can(request.user, "create"))
    form = PersonForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        person = services.register_person(actor=request.user, **form.cleaned_data)
        messages.success(request, _("The person was registered as %(number)s.") % {"number": person.number})
        return redirect("people:detail", pk=person.pk)
    return render(request, "people/person_form.html", {"form": form, "title": _("Register a person")})


@login_required
def person_detail(request, pk: int):
    person = selectors.person_for_view(request.user, pk)
    actions = policy_for(Person).page_actions(request.user, person)
    return render(
        request,
        "people/person_detail.html",
        {
            "person": person,
            "can_change": actions["change"],
            "can_merge": actions["merge"],
            "duplicates": selectors.possible_duplicates(request.user, person)[:10],
            "history": selectors.history(request.user, person)[:50],
            "attachments": files_for(request.user, person),
            "attachment_form": AttachmentForm(),
            "deadlines": deadlines_of(person, request.user),
            "related": related_records(request.user, person),
        },
    )


@login_required
@require_http_methods(["GET", "POST"])
def person_edit(request, pk: int):
    person = policy_for(Person).get_visible_or_404(request.user, pk=pk)
    forbid_unless(policy_for(Person).can(request.user, "change", person))
    form = PersonForm(request.POST or None, instance=Person.objects.get(pk=person.pk))
    if request.method == "POST" and form.is_valid():
        services.update_person(actor=request.user, person=person, **form.cleaned_data)
        messages.success(request, _("The record was updated."))
        return redirect("people:detail", pk=person.pk)
    return render(request, "people/person_form.html", {"form": form, "title": person.number})


@login_required
@require_POST
def person_merge(request, pk: int):
    keep = policy_for(Person).get_visible_or_404(request.user, pk=pk)
    form = MergeForm(request.POST)
    forbid_unless(form.is_valid())
    duplicate = policy_for(Person).get_visible_or_404(request.user, pk=form.cleaned_data["duplicate"])
    forbid_unless(policy_for(Person).can(request.user, "merge", keep))
    try:
        services.merge_people(actor=request.user, keep=keep, duplicate=duplicate)
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
    else:
        messages.success(request, _("Record %(dup)s was merged into this one.") % {"dup": duplicate.number})
    return redirect("people:detail", pk=keep.pk)


@login_required
@require_POST
def person_attach(request, pk: int):
    person = policy_for(Person).get_visible_or_404(request.user, pk=pk)
    forbid_unless(policy_for(Person).can(request.user, "change", person))
    handle_attachment_upload(request, person)
    return redirect("people:detail", pk=person.pk)
