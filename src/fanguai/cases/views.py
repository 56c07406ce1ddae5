from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.http import Http404
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST

from fanguai.audit.services import record_event
from fanguai.core.policies import policy_for
from fanguai.core.views import forbid_unless
from fanguai.files.forms import AttachmentForm
from fanguai.files.selectors import files_for
from fanguai.files.views import handle_attachment_upload
from fanguai.people.models import Person

from . import selectors, services
from .forms import (
    CaseFilterForm,
    CaseForm,
    ClueLinkForm,
    EventForm,
    PackageForm,
    PartyForm,
    ResponsibilityForm,
    StatusForm,
)
from .models import Case
from .policies import NAV_ROLES


def _error(request, exc: ValidationError) -> None:
    messages.error(request, " ".join(exc.messages))


@login_required
def case_list(request):
    forbid_unless(request.user.has_role(*NAV_ROLES))
    form = CaseFilterForm(request.GET or None)
    filters = form.cleaned_data if form.is_valid() else {}
    cases = selectors.visible_cases(
        request.user,
        status=filters.get("status", ""),
        kind=filters.get("kind", ""),
        query=filters.get("q", ""),
    )
    page = Paginator(cases, 25).get_page(request.GET.get("page"))
    if page.object_list:
        record_event("case.list", object_type="cases.case", details={"ids": [c.pk for c in page.object_list]})
    return render(
        request,
        "cases/case_list.html",
        {"form": form, "page": page, "can_create": policy_for(Case).can(request.user, "create")},
    )


@login_required
@require_http_methods(["GET", "POST"])
def case_create(request):
    forbid_unless(policy_for(Case).can(request.user, "create"))
    form = CaseForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        case = services.open_case(actor=request.user, **form.cleaned_data)
        messages.success(request, _("Case %(number)s was filed.") % {"number": case.number})
        return redirect("cases:detail", pk=case.pk)
    return render(request, "cases/form.html", {"form": form, "title": _("File a case")})


@login_required
def case_detail(request, pk: int):
    case = selectors.case_for_view(request.user, pk)
    can_change = policy_for(Case).can(request.user, "change", case)
    record = getattr(case, "responsibility", None) if case.needs_responsibility else None
    return render(
        request,
        "cases/case_detail.html",
        {
            "case": case,
            "can_change": can_change,
            "record": record,
            "packages": list(record.packages.all()) if record else [],
            "parties": case.parties.select_related("person"),
            "events": case.events.select_related("created_by"),
            "clue_links": case.clue_links.all(),
            "status_form": StatusForm(),
            "party_form": PartyForm(),
            "event_form": EventForm(initial={"occurred_at": timezone.localtime().strftime("%Y-%m-%dT%H:%M")}),
            "clue_form": ClueLinkForm(),
            "package_form": PackageForm(),
            "attachments": files_for(request.user, case),
            "attachment_form": AttachmentForm(),
        },
    )


def _case_to_change(request, pk: int) -> Case:
    case = selectors.case_for_change(request.user, pk)
    forbid_unless(policy_for(Case).can(request.user, "change", case))
    return case


@login_required
@require_POST
def case_status(request, pk: int):
    case = _case_to_change(request, pk)
    form = StatusForm(request.POST)
    if form.is_valid():
        try:
            services.change_status(
                actor=request.user,
                case=case,
                status=form.cleaned_data["status"],
                note=form.cleaned_data["note"],
            )
        except ValidationError as exc:
            _error(request, exc)
        else:
            messages.success(request, _("The status was changed."))
    return redirect("cases:detail", pk=case.pk)


@login_required
@require_http_methods(["GET", "POST"])
def case_responsibility(request, pk: int):
    case = _case_to_change(request, pk)
    if not case.needs_responsibility:
        raise Http404
    record = getattr(case, "responsibility", None)
    initial = {}
    if record:
        initial = {"chief_name": record.chief_name, "chief_position": record.chief_position}
        initial.update({f"{p.kind}_owner": p.owner_name for p in record.packages.all()})
    form = ResponsibilityForm(request.POST or None, initial=initial)
    if request.method == "POST" and form.is_valid():
        try:
            services.set_responsibility(
                actor=request.user,
                case=case,
                chief_name=form.cleaned_data["chief_name"],
                chief_position=form.cleaned_data["chief_position"],
                owners=form.owners(),
            )
        except ValidationError as exc:
            _error(request, exc)
        else:
            messages.success(request, _("The one-chief-three-packages record was saved."))
            return redirect("cases:detail", pk=case.pk)
    return render(
        request, "cases/form.html", {"form": form, "title": _("One chief, three packages"), "case": case}
    )


@login_required
@require_POST
def package_update(request, pk: int):
    package = selectors.package_for_change(request.user, pk)
    case = package.responsibility.case
    forbid_unless(policy_for(Case).can(request.user, "change", case))
    form = PackageForm(request.POST)
    if not form.is_valid():
        messages.error(request, " ".join(e for errors in form.errors.values() for e in errors))
        return redirect("cases:detail", pk=case.pk)
    try:
        services.update_package(actor=request.user, package=package, **form.cleaned_data)
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
    else:
        messages.success(request, _("The package was updated."))
    return redirect("cases:detail", pk=case.pk)


@login_required
@require_POST
def party_add(request, pk: int):
    case = _case_to_change(request, pk)
    form = PartyForm(request.POST)
    if not form.is_valid():
        messages.error(request, " ".join(e for errors in form.errors.values() for e in errors))
        return redirect("cases:detail", pk=case.pk)
    data = form.cleaned_data
    person = None
    if data["person_number"]:
        person = Person.objects.filter(number=data["person_number"].strip().upper()).first()
        if person is None or not policy_for(Person).can_view(request.user, person):
            messages.error(request, _("No person with that record number is visible to you."))
            return redirect("cases:detail", pk=case.pk)
        services.add_party(
            actor=request.user, case=case, role=data["role"], person=person, notes=data["notes"]
        )
    else:
        fields = {"full_name": data["full_name"], "birth_date": data["birth_date"]}
        if data["sex"]:
            fields["sex"] = data["sex"]
        try:
            services.add_party(
                actor=request.user, case=case, role=data["role"], notes=data["notes"], **fields
            )
        except (ValidationError, PermissionDenied) as exc:
            messages.error(request, str(exc))
            return redirect("cases:detail", pk=case.pk)
    messages.success(request, _("The person was added to the case."))
    return redirect("cases:detail", pk=case.pk)


@login_required
@require_POST
def event_add(request, pk: int):
    case = _case_to_change(request, pk)
    form = EventForm(request.POST)
    if form.is_valid():
        services.add_event(actor=request.user, case=case, **form.cleaned_data)
        messages.success(request, _("The timeline entry was added."))
    else:
        messages.error(request, " ".join(e for errors in form.errors.values() for e in errors))
    return redirect("cases:detail", pk=case.pk)


@login_required
@require_POST
def clue_link(request, pk: int):
    case = _case_to_change(request, pk)
    form = ClueLinkForm(request.POST)
    if form.is_valid():
        try:
            services.link_clue(actor=request.user, case=case, **form.cleaned_data)
        except ValidationError as exc:
            _error(request, exc)
        else:
            messages.success(request, _("The clue was linked."))
    return redirect("cases:detail", pk=case.pk)


@login_required
@require_POST
def case_attach(request, pk: int):
    case = _case_to_change(request, pk)
    handle_attachment_upload(request, case)
    return redirect("cases:detail", pk=case.pk)


@login_required
def clearance(request):
    forbid_unless(policy_for(Case).can(request.user, "see_clearance"))
    try:
        year = int(request.GET.get("year") or timezone.localdate().year)
    except ValueError:
        year = timezone.localdate().year
    rows = selectors.clearance_rates(request.user, year)
    record_event("case.clearance", actor=request.user, object_type="cases.case", details={"year": year})
    this_year = timezone.localdate().year
    return render(
        request,
        "cases/clearance.html",
        {
            "rows": rows,
            "year": year,
            "years": list(range(this_year, this_year - 6, -1)),
            "total_filed": sum(r.filed for r in rows),
            "total_solved": sum(r.solved for r in rows),
        },
    )


def home_panel_context(user) -> dict | None:
    """Open cases of the investigator's scope, and child cases whose chief is not named yet."""
    cases = selectors.visible_cases(user).exclude(status=Case.Status.CLOSED)
    return {
        "open_count": cases.count(),
        "unnamed": cases.filter(kind=Case.Kind.CHILD_TRAFFICKING, responsibility__isnull=True)[:5],
    }
