from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST

from fanguai.audit.services import record_event
from fanguai.clues.models import Clue
from fanguai.clues.related import ClueAction, ClueForm, LinkedRecord
from fanguai.core.pagination import BoundedPaginator
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
    CaseFromClueForm,
    ClueLinkForm,
    EventForm,
    LinkToCaseForm,
    PackageForm,
    PartyForm,
    ResponsibilityForm,
    StatusForm,
)
from .models import Case
from .policies import NAV_ROLES


def _problems(form) -> str:
    """A refused form's errors in one line, each named by its field's label."""
    return " ".join(
        f"{form.fields[name].label}：{error}" if name in form.fields else error
        for name, errors in form.errors.items()
        for error in errors
    )


def _to_form(form, exc: ValidationError) -> None:
    """A service's refusal as errors of the form (on the field it names, else on the whole form)."""
    if hasattr(exc, "error_dict"):
        for field, errors in exc.message_dict.items():
            form.add_error(field if field in form.fields else None, errors)
    else:
        form.add_error(None, exc.messages)


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
        mine=bool(filters.get("mine")),
    )
    page = BoundedPaginator(cases, 25).get_page(request.GET.get("page"))
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
@require_http_methods(["GET", "POST"])
def case_from_clue(request, clue_pk: int):
    """Open a case from a clue: the case form filled in from the clue; on save the case and its link to the
    clue are written together."""
    forbid_unless(policy_for(Case).can(request.user, "create"))
    clue = selectors.clue_for_case(request.user, clue_pk)
    form = CaseFromClueForm(request.POST or None, user=request.user, clue=clue)
    if request.method == "POST" and form.is_valid():
        try:
            case = services.open_case_from_clue(actor=request.user, clue=clue, **form.cleaned_data)
        except ValidationError as exc:
            _to_form(form, exc)
        else:
            messages.success(request, _("Case %(number)s was filed.") % {"number": case.number})
            return redirect("cases:detail", pk=case.pk)
    return render(
        request,
        "cases/form.html",
        {
            "form": form,
            "title": _("File a case from clue %(number)s") % {"number": clue.number},
            "clue": clue,
        },
    )


@login_required
@require_http_methods(["GET", "POST"])
def clue_to_case(request, clue_pk: int):
    """Link a clue to a case from the clue's side, by the case's number: the same link, through the same
    service, as from the case's page. A refused number comes back here with the error on the field."""
    forbid_unless(policy_for(Case).can(request.user, "create"))
    clue = selectors.clue_for_case(request.user, clue_pk)
    form = LinkToCaseForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            link = services.link_clue_to_case_number(actor=request.user, clue=clue, **form.cleaned_data)
        except ValidationError as exc:
            _to_form(form, exc)
        else:
            messages.success(
                request, _("The clue was linked to case %(number)s.") % {"number": link.case.number}
            )
            return redirect("clues:detail", pk=clue.pk)
    return render(
        request,
        "cases/link_clue.html",
        {"form": form, "clue": clue, "title": _("Link clue %(number)s to a case") % {"number": clue.number}},
    )


def _render_detail(request, case: Case, *, status: int = 200, **forms):
    """The case page; a form refused by a write comes back bound, with its errors."""
    can_change = policy_for(Case).can(request.user, "change", case)
    record = getattr(case, "responsibility", None) if case.needs_responsibility else None
    linked = case.clue_links.select_related("clue")
    visible_clues = set(
        policy_for(Clue)
        .visible(request.user, Clue.objects.filter(pk__in=[link.clue_id for link in linked if link.clue_id]))
        .values_list("pk", flat=True)
    )
    return render(
        request,
        "cases/case_detail.html",
        {
            "case": case,
            "can_change": can_change,
            "record": record,
            "packages": list(record.packages.select_related("owner")) if record else [],
            "parties": case.parties.select_related("person"),
            "events": case.events.select_related("created_by"),
            "clue_links": [(link, link.clue_id in visible_clues) for link in linked],
            "status_form": forms.get("status_form") or StatusForm(),
            "party_form": forms.get("party_form") or PartyForm(),
            "event_form": forms.get("event_form")
            or EventForm(initial={"occurred_at": timezone.localtime().strftime("%Y-%m-%dT%H:%M")}),
            "clue_form": forms.get("clue_form") or ClueLinkForm(),
            "package_form": PackageForm(),
            "attachments": files_for(request.user, case),
            "attachment_form": AttachmentForm(),
        },
        status=status,
    )


@login_required
def case_detail(request, pk: int):
    return _render_detail(request, selectors.case_for_view(request.user, pk))


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
            _to_form(form, exc)
        else:
            messages.success(request, _("The status was changed."))
            return redirect("cases:detail", pk=case.pk)
    messages.error(request, _("The status was not changed: %(problems)s") % {"problems": _problems(form)})
    return _render_detail(request, case, status_form=form)


@login_required
@require_http_methods(["GET", "POST"])
def case_responsibility(request, pk: int):
    case = _case_to_change(request, pk)
    if not case.needs_responsibility:
        raise Http404
    record = getattr(case, "responsibility", None)
    initial = {}
    if record:
        initial = {"chief": record.chief_id, "chief_position": record.chief_position}
        initial.update({f"{p.kind}_owner": p.owner_id for p in record.packages.all()})
    form = ResponsibilityForm(
        request.POST or None, initial=initial, candidates=selectors.responsible_candidates(case)
    )
    if request.method == "POST" and form.is_valid():
        try:
            services.set_responsibility(
                actor=request.user,
                case=case,
                chief=form.cleaned_data["chief"],
                chief_position=form.cleaned_data["chief_position"],
                owners=form.owners(),
            )
        except ValidationError as exc:
            _to_form(form, exc)
        else:
            messages.success(request, _("The one-chief-three-packages record was saved."))
            return redirect("cases:detail", pk=case.pk)
    return render(
        request,
        "cases/form.html",
        {
            "form": form,
            "title": _("One chief, three packages"),
            "case": case,
            "previous": record,
            "previous_packages": list(record.packages.select_related("owner")) if record else [],
        },
    )


@login_required
@require_POST
def package_update(request, pk: int):
    package = selectors.package_for_change(request.user, pk)
    case = package.responsibility.case
    forbid_unless(policy_for(Case).can(request.user, "change", case))
    form = PackageForm(request.POST)
    if form.is_valid():
        try:
            services.update_package(actor=request.user, package=package, **form.cleaned_data)
        except ValidationError as exc:
            _to_form(form, exc)
        else:
            messages.success(request, _("The package was updated."))
            return redirect("cases:detail", pk=case.pk)
    # The packages' forms sit in a list on the case page: the refusal is said at the top of it, by package.
    messages.error(
        request,
        _("The package “%(package)s” was not changed: %(problems)s")
        % {"package": package.get_kind_display(), "problems": _problems(form)},
    )
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
            _to_form(form, exc)
        else:
            messages.success(request, _("The clue was linked."))
            return redirect("cases:detail", pk=case.pk)
    messages.error(request, _("The clue was not linked: %(problems)s") % {"problems": _problems(form)})
    return _render_detail(request, case, clue_form=form)


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
    """For an investigator: open cases of their scope, child cases whose chief is not named yet, and their
    own packages still to do (the cases they answer for are a filter of the case list). For a police leader
    named chief (一长) or package owner, who has no case list: the open cases he answers for (none: no
    panel)."""
    cases = selectors.visible_cases(user).exclude(status=Case.Status.CLOSED)
    if not policy_for(Case).can(user, "create"):
        answering = list(selectors.visible_cases(user, mine=True).exclude(status=Case.Status.CLOSED)[:5])
        return {"answering": answering, "reader": True} if answering else None
    return {
        "open_count": cases.count(),
        "unnamed": cases.filter(kind=Case.Kind.CHILD_TRAFFICKING, responsibility__isnull=True)[:5],
        "my_packages": list(selectors.my_open_packages(user)[:5]),
    }


def linked_cases_for_clue(user, clue) -> list[LinkedRecord]:
    """For the clue's page (clues.related): the cases it is linked to that the user may see."""
    return [
        LinkedRecord(str(Case._meta.verbose_name), f"{case.number} · {case.title}", case.get_absolute_url())
        for case in selectors.cases_linked_to_clue(user, clue)
    ]


def case_from_clue_action(user, clue) -> ClueAction | None:
    """For the clue's page: "open a case from this clue", for those who may file cases."""
    if clue.status == Clue.Status.MERGED or not policy_for(Case).can(user, "create"):
        return None
    return ClueAction(_("Open a case from this clue"), reverse("cases:from_clue", args=[clue.pk]))


def link_to_case_form(user, clue) -> ClueForm | None:
    """For the clue's page: "link to a case" by its number, for those who work on cases (the case itself is
    checked when the form is posted: one the user may see and change)."""
    if clue.status == Clue.Status.MERGED or not policy_for(Case).can(user, "create"):
        return None
    return ClueForm(
        _("Link to a case"),
        reverse("cases:clue_to_case", args=[clue.pk]),
        LinkToCaseForm(auto_id="link_case_%s"),
        _("Link"),
    )
