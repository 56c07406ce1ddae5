"""Thin views. The laboratory pages (`lab_*`, candidates, import, settings, runs, export) are for DNA
analysts and show specimen numbers and genotypes, never identities; the case pages (samples, requests,
reunions) are for case officers and show persons and status, never genotypes."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST

from fanguai.core.errors import ValidationFailed
from fanguai.core.pagination import BoundedPaginator
from fanguai.core.policies import policy_for
from fanguai.core.views import forbid_unless
from fanguai.files.forms import AttachmentForm
from fanguai.files.selectors import files_for
from fanguai.files.services import store_upload
from fanguai.people.models import Person

from . import comparison, selectors, services
from .forms import (
    CollectForm,
    CustodyForm,
    ImportForm,
    PedigreeForm,
    ReunionForm,
    ReviewForm,
    SamplingRequestForm,
    SettingsForm,
)
from .labels import row_error_text
from .models import Candidate, ComparisonRun, CustodyEvent, Profile, Reunion, SamplingRequest, Specimen
from .policies import can_see_statistics, is_analyst, is_case_officer

MAX_IMPORT_BYTES = 5 * 1024 * 1024


def _errors(request, exc: ValidationFailed) -> None:
    for error in exc.errors:
        messages.error(request, row_error_text(error))


def _page(request, rows, size=25):
    return BoundedPaginator(rows, size).get_page(request.GET.get("page"))


# --- Laboratory -----------------------------------------------------------------------------------------


@login_required
def lab_home(request):
    forbid_unless(is_analyst(request.user))
    category = request.GET.get("category", "")
    status = request.GET.get("status", "")
    specimens = selectors.visible_specimens(
        request.user, category=category, status=status, number=request.GET.get("q", "")
    ).select_related("profile")
    return render(
        request,
        "dna/lab_home.html",
        {
            "page": _page(request, specimens),
            "counts": selectors.lab_queue_counts(request.user),
            "categories": Specimen._meta.get_field("category").choices,
            "statuses": Specimen.Status.choices,
            "category": category,
            "status": status,
            "runs": selectors.runs(request.user)[:5],
        },
    )


@login_required
def lab_specimen(request, number: str):
    forbid_unless(is_analyst(request.user))
    specimen = selectors.lab_specimen(request.user, number)
    profile = selectors.profile_for_view(request.user, specimen)
    involved = selectors.candidates(request.user).filter(services._involving(specimen.pk))
    lab_kinds = [k for k in services.LAB_EVENTS]
    return render(
        request,
        "dna/lab_specimen.html",
        {
            "specimen": specimen,
            "profile": profile,
            "rows": selectors.profile_rows(profile) if profile else [],
            "custody": specimen.custody.select_related("unit"),
            "candidates": involved[:50],
            "custody_form": CustodyForm(kinds=lab_kinds)
            if policy_for(Specimen).can(request.user, "handle_in_lab", specimen)
            else None,
            "can_delete": profile is not None and policy_for(Profile).can(request.user, "delete", profile),
        },
    )


@login_required
@require_POST
def lab_custody(request, number: str):
    forbid_unless(is_analyst(request.user))
    specimen = selectors.lab_specimen(request.user, number)
    form = CustodyForm(request.POST, kinds=services.LAB_EVENTS)
    forbid_unless(form.is_valid())
    services.record_custody(actor=request.user, specimen=specimen, **form.cleaned_data)
    messages.success(request, _("The custody step was recorded."))
    return redirect("dna:lab_specimen", number=specimen.number)


@login_required
@require_POST
def lab_delete_profile(request, number: str):
    forbid_unless(is_analyst(request.user))
    specimen = selectors.lab_specimen(request.user, number)
    services.delete_profile(actor=request.user, specimen=specimen)
    messages.success(request, _("The profile was deleted."))
    return redirect("dna:lab_specimen", number=specimen.number)


@login_required
@require_http_methods(["GET", "POST"])
def import_profiles(request):
    forbid_unless(policy_for(services.ImportBatch).can(request.user, "create"))
    form = ImportForm(request.POST or None, request.FILES or None)
    report = None
    if request.method == "POST" and form.is_valid():
        upload = form.cleaned_data["file"]
        if upload.size > MAX_IMPORT_BYTES:
            messages.error(request, _("The file is too large."))
        else:
            try:
                text = services.decode_upload(upload.read())
            except ValidationFailed as exc:
                _errors(request, exc)
            else:
                try:
                    report = services.import_profiles(
                        actor=request.user, text=text, kit=form.cleaned_data["kit"], file_name=upload.name
                    )
                except ValidationFailed as exc:
                    _errors(request, exc)
                    messages.error(request, _("Nothing was imported: correct the file and upload it again."))
                else:
                    messages.success(
                        request,
                        _("%(n)d profile(s) imported; the comparison runs in the background.")
                        % {"n": len(report.created) + len(report.replaced)},
                    )
    return render(
        request,
        "dna/import.html",
        {"form": form, "report": report, "batches": selectors.batches(request.user)[:10]},
    )


@login_required
def candidate_list(request):
    forbid_unless(is_analyst(request.user))
    kind = request.GET.get("kind", Candidate.Kind.MATCH)
    status = request.GET.get("status", "open" if kind == Candidate.Kind.MATCH else "")
    rows = selectors.candidates(request.user, kind=kind, status=status)
    return render(
        request,
        "dna/candidate_list.html",
        {
            "page": _page(request, rows),
            "kind": kind,
            "status": status,
            "kinds": Candidate.Kind.choices,
            "statuses": [("open", _("Open")), *Candidate.Status.choices],
            "settings": comparison.active_settings(),
        },
    )


@login_required
def candidate_detail(request, pk: int):
    forbid_unless(is_analyst(request.user))
    candidate = selectors.candidate_for_view(request.user, pk)
    reviews = candidate.reviews.select_related("reviewer")
    first = reviews.filter(stage=1).order_by("-id").first()
    may_review = policy_for(Candidate).can(request.user, "review", candidate) and not (
        candidate.status == Candidate.Status.FIRST_REVIEWED and first and first.reviewer_id == request.user.pk
    )
    return render(
        request,
        "dna/candidate_detail.html",
        {
            "candidate": candidate,
            "reviews": reviews,
            "form": ReviewForm() if may_review else None,
            "waiting_for_other": candidate.status == Candidate.Status.FIRST_REVIEWED and not may_review,
        },
    )


@login_required
@require_POST
def candidate_review(request, pk: int):
    forbid_unless(is_analyst(request.user))
    candidate = selectors.candidate_for_view(request.user, pk)
    form = ReviewForm(request.POST)
    forbid_unless(form.is_valid())
    try:
        candidate = services.review_candidate(actor=request.user, candidate=candidate, **form.cleaned_data)
    except ValidationFailed as exc:
        _errors(request, exc)
    else:
        messages.success(
            request, _("Your review was recorded: %(s)s.") % {"s": candidate.get_status_display()}
        )
    return redirect("dna:candidate", pk=candidate.pk)


@login_required
@require_http_methods(["GET", "POST"])
def analysis_settings(request):
    forbid_unless(policy_for(services.AnalysisSettings).can(request.user, "change"))
    current = comparison.active_settings()
    form = SettingsForm(request.POST or None, request.FILES or None, instance=current)
    if request.method == "POST" and form.is_valid():
        values = {name: form.cleaned_data[name] for name in services.SETTING_FIELDS}
        upload = form.cleaned_data.get("frequency_file")
        extra = {}
        if upload is not None:
            extra = {
                "frequency_csv": upload.read().decode("utf-8-sig", errors="replace"),
                "frequency_name": upload.name,
            }
        try:
            run = services.change_settings(actor=request.user, **extra, **values)
        except ValidationFailed as exc:
            _errors(request, exc)
        else:
            messages.success(request, _("The settings were changed; every comparison is being run again."))
            return redirect("dna:run", pk=run.pk)
    return render(
        request,
        "dna/settings.html",
        {"form": form, "current": current, "history": selectors.settings_history(request.user)[:10]},
    )


@login_required
@require_POST
def run_start(request):
    forbid_unless(policy_for(ComparisonRun).can(request.user, "start"))
    run = services.start_full_run(actor=request.user)
    return redirect("dna:run", pk=run.pk)


@login_required
def run_detail(request, pk: int):
    forbid_unless(is_analyst(request.user))
    run = get_object_or_404(selectors.runs(request.user), pk=pk)
    if request.headers.get("HX-Request"):
        return render(request, "dna/partials/run_progress.html", {"run": run})
    # Pedigrees the comparison could not search (the reasons are on each pedigree's page).
    skipped = selectors.pedigrees(request.user).filter(search_skipped_at__isnull=False)
    return render(request, "dna/run.html", {"run": run, "skipped_pedigrees": skipped[:50]})


@login_required
def export_profiles(request):
    forbid_unless(policy_for(Profile).can(request.user, "export"))
    response = HttpResponse(selectors.export_profiles(request.user), content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = 'attachment; filename="dna-profiles.csv"'
    return response


# --- Case officers --------------------------------------------------------------------------------------


def _person_from_query(request) -> Person:
    """The person named by ?person=<id> or ?number=<record number>, if the user may see it."""
    policy = policy_for(Person)
    if request.GET.get("number"):
        return policy.get_visible_or_404(request.user, number=request.GET["number"].strip().upper())
    return policy.get_visible_or_404(request.user, pk=request.GET.get("person") or 0)


@login_required
def sample_list(request):
    forbid_unless(is_case_officer(request.user))
    links = selectors.case_samples(request.user, category=request.GET.get("category", ""))
    page = _page(request, links)
    people = selectors.persons_by_id(request.user, [link.person_id for link in page.object_list])
    for link in page.object_list:
        link.person = people.get(link.person_id)
    return render(
        request,
        "dna/sample_list.html",
        {
            "page": page,
            "requests": selectors.sampling_queue(request.user)[:20],
            "reunions": selectors.reunions(request.user)[:10],
        },
    )


@login_required
@require_http_methods(["GET", "POST"])
def sample_create(request):
    forbid_unless(policy_for(Specimen).can(request.user, "collect"))
    person = _person_from_query(request)
    sampling_request = None
    if request.GET.get("request"):
        sampling_request = get_object_or_404(
            selectors.sampling_queue(request.user), pk=request.GET["request"]
        )
        forbid_unless(sampling_request.person_id == person.pk)
    initial = {"category": sampling_request.category} if sampling_request else {}
    form = CollectForm(request.POST or None, initial=initial)
    if request.method == "POST" and form.is_valid():
        data = dict(form.cleaned_data)
        missing_number = data.pop("missing_person_number").strip().upper()
        partner_number = data.pop("partner_number").strip().upper()
        missing = partner = None
        problems = []
        if missing_number:
            missing = (
                policy_for(Person).visible(request.user, Person.objects.filter(number=missing_number)).first()
            )
            if missing is None:
                problems.append(_("No visible person has the record number %(n)s.") % {"n": missing_number})
        if partner_number:
            partner = selectors.visible_specimens(request.user, number=partner_number).first()
            if partner is None:
                problems.append(_("No visible specimen has the number %(n)s.") % {"n": partner_number})
        if problems:
            for problem in problems:
                form.add_error(None, problem)
        else:
            try:
                specimen = services.collect_sample(
                    actor=request.user,
                    person=person,
                    missing_person=missing,
                    partner=partner,
                    request=sampling_request,
                    **data,
                )
            except ValidationFailed as exc:
                for error in exc.errors:
                    form.add_error(None, error.message)
            else:
                messages.success(request, _("Specimen %(n)s was registered.") % {"n": specimen.number})
                return redirect("dna:sample", pk=specimen.pk)
    return render(request, "dna/sample_form.html", {"form": form, "person": person})


@login_required
def sample_detail(request, pk: int):
    forbid_unless(is_case_officer(request.user))
    link = selectors.case_sample(request.user, pk)
    specimen = link.specimen
    policy = policy_for(Specimen)
    return render(
        request,
        "dna/sample_detail.html",
        {
            "link": link,
            "specimen": specimen,
            "person": selectors.person_of(request.user, link),
            "typed": Profile.objects.filter(specimen=specimen).exists(),
            "custody": specimen.custody.select_related("unit"),
            "custody_form": CustodyForm(kinds=services.CASE_EVENTS)
            if policy.can(request.user, "send", specimen)
            else None,
            "can_close": policy.can(request.user, "close_case", specimen),
            "can_request_deletion": policy.can(request.user, "request_deletion", specimen),
            "attachments": files_for(request.user, link),
            "attachment_form": AttachmentForm(),
            "reunions": selectors.reunions(request.user).filter(services._involving_reunion(specimen.pk)),
        },
    )


@login_required
@require_POST
def sample_custody(request, pk: int):
    link = selectors.case_sample(request.user, pk)
    form = CustodyForm(request.POST, kinds=services.CASE_EVENTS)
    forbid_unless(form.is_valid())
    services.record_custody(actor=request.user, specimen=link.specimen, **form.cleaned_data)
    messages.success(request, _("The custody step was recorded."))
    return redirect("dna:sample", pk=pk)


@login_required
@require_POST
def sample_close(request, pk: int):
    link = selectors.case_sample(request.user, pk)
    services.close_case(actor=request.user, specimen=link.specimen)
    messages.success(request, _("The case was marked as closed for this specimen."))
    return redirect("dna:sample", pk=pk)


@login_required
@require_POST
def sample_request_deletion(request, pk: int):
    link = selectors.case_sample(request.user, pk)
    services.request_profile_deletion(actor=request.user, specimen=link.specimen)
    messages.success(request, _("The laboratory was asked to delete the profile."))
    return redirect("dna:sample", pk=pk)


@login_required
@require_POST
def sample_attach(request, pk: int):
    link = selectors.case_sample(request.user, pk)
    form = AttachmentForm(request.POST, request.FILES)
    if form.is_valid():
        try:
            store_upload(actor=request.user, upload=form.cleaned_data["file"], attach_to=link)
        except ValidationFailed as exc:
            _errors(request, exc)
        else:
            messages.success(request, _("The consent record was attached."))
    return redirect("dna:sample", pk=pk)


@login_required
@require_http_methods(["GET", "POST"])
def request_create(request):
    forbid_unless(policy_for(SamplingRequest).can(request.user, "create"))
    person = _person_from_query(request)
    form = SamplingRequestForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        services.request_sampling(actor=request.user, person=person, **form.cleaned_data)
        messages.success(request, _("The sampling request was sent to the collecting unit."))
        return redirect("people:detail", pk=person.pk)
    return render(request, "dna/request_form.html", {"form": form, "person": person})


@login_required
def reunion_list(request):
    forbid_unless(is_case_officer(request.user))
    return render(
        request, "dna/reunion_list.html", {"page": _page(request, selectors.reunions(request.user))}
    )


@login_required
@require_http_methods(["GET", "POST"])
def reunion_detail(request, pk: int):
    """GET shows the match without identities; POST is the explicit, audited reveal."""
    forbid_unless(is_case_officer(request.user))
    reunion = selectors.reunion_for_view(request.user, pk)
    revealed = (
        services.reveal_reunion(actor=request.user, reunion=reunion) if request.method == "POST" else None
    )
    return render(
        request,
        "dna/reunion_detail.html",
        {
            "reunion": reunion,
            "revealed": revealed,
            "form": ReunionForm() if policy_for(Reunion).can(request.user, "record", reunion) else None,
        },
    )


@login_required
@require_POST
def reunion_record(request, pk: int):
    forbid_unless(is_case_officer(request.user))
    reunion = selectors.reunion_for_view(request.user, pk)
    form = ReunionForm(request.POST)
    if form.is_valid():
        services.record_reunion(actor=request.user, reunion=reunion, **form.cleaned_data)
        messages.success(request, _("The family reunion was recorded."))
    else:
        messages.error(request, _("Give the date of the reunion."))
    return redirect("dna:reunion", pk=pk)


@login_required
def statistics(request):
    forbid_unless(can_see_statistics(request.user))
    return render(request, "dna/statistics.html", {"stats": selectors.statistics()})


CUSTODY_KINDS = CustodyEvent.Kind


# --- Reference pedigrees (issue 12) ---------------------------------------------------------------------


@login_required
@require_http_methods(["GET", "POST"])
def pedigree_list(request):
    """The registered family pedigrees and the form to register one (the laboratory)."""
    forbid_unless(is_analyst(request.user))
    from .models import FamilyPedigree

    may_create = policy_for(FamilyPedigree).can(request.user, "create")
    form = PedigreeForm(request.POST or None)
    if request.method == "POST":
        forbid_unless(may_create)
        if form.is_valid():
            try:
                pedigree = services.register_pedigree(
                    actor=request.user,
                    text=form.cleaned_data["members"],
                    missing=form.cleaned_data["missing"],
                    note=form.cleaned_data["note"],
                )
            except ValidationFailed as exc:
                _errors(request, exc)
            else:
                messages.success(
                    request, _("The pedigree was registered; the comparison runs in the background.")
                )
                return redirect("dna:pedigree", pk=pedigree.pk)
    return render(
        request,
        "dna/pedigree_list.html",
        {"pedigrees": selectors.pedigrees(request.user)[:100], "form": form if may_create else None},
    )


@login_required
def pedigree_detail(request, pk: int):
    forbid_unless(is_analyst(request.user))
    pedigree = selectors.pedigree_for_view(request.user, pk)
    return render(
        request,
        "dna/pedigree_detail.html",
        {
            "pedigree": pedigree,
            "members": pedigree.members.select_related("specimen"),
            "candidates": selectors.candidates(request.user).filter(pedigree=pedigree)[:50],
        },
    )
