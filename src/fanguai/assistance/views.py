"""Thin views: each checks the policy, validates a form and calls one service; reads go through selectors."""

from collections.abc import Callable

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.db.models import Count, Q
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST

from fanguai.audit.services import record_event
from fanguai.core.errors import ValidationFailed
from fanguai.core.pagination import BoundedPaginator
from fanguai.core.policies import policy_for
from fanguai.core.views import forbid_unless
from fanguai.deadlines.selectors import deadlines_of
from fanguai.files.forms import AttachmentForm
from fanguai.files.selectors import files_for
from fanguai.files.services import store_upload

from . import exports, selectors, services
from .forms import (
    AssessmentForm,
    CampaignForm,
    CareVisitForm,
    CaseFilterForm,
    ClosureDecisionForm,
    ConsentForm,
    DeliverForm,
    EntrustedCareForm,
    GuardianForm,
    IndicatorForm,
    IntakeForm,
    OutcomeForm,
    PlacementForm,
    ReasonForm,
    ReferralFilterForm,
    ReferralForm,
    RegistrationFilterForm,
    RegistrationForm,
    RegistrationUpdateForm,
    RespondForm,
    VisitRecordForm,
    VisitScheduleForm,
    apply_errors,
)
from .models import AssistanceCase, CareRegistration, Consent, FollowUpVisit, Referral
from .policies import indicator_scope


def _form_page(request, form, *, title: str, back: str, action: Callable[[dict], str], done: str):
    """GET shows the form; a valid POST runs the service (whose errors land on the form) and redirects."""
    if request.method == "POST" and form.is_valid():
        try:
            target = action(form.cleaned_data)
        except ValidationError as exc:
            apply_errors(form, exc)
        except ValidationFailed as exc:
            form.add_error(None, [e.message for e in exc.errors])
        else:
            messages.success(request, done)
            return redirect(target)
    return render(request, "assistance/form.html", {"form": form, "title": title, "back": back})


def _attach_signed_form(request, upload, obj) -> None:
    if upload:
        store_upload(actor=request.user, upload=upload, attach_to=obj)


# --- cases --------------------------------------------------------------------------------------------------


@login_required
def case_list(request):
    policy = policy_for(AssistanceCase)
    forbid_unless(policy.can(request.user, "list"))
    form = CaseFilterForm(request.GET or None)
    filters = form.cleaned_data if form.is_valid() else {}
    cases = selectors.visible_cases(
        request.user, status=filters.get("status", ""), query=filters.get("q", "")
    )
    page = BoundedPaginator(cases, 25).get_page(request.GET.get("page"))
    if page.object_list:
        record_event(
            "assistance.case.list",
            object_type="assistance.case",
            details={"ids": [c.pk for c in page.object_list]},
        )
    return render(
        request,
        "assistance/case_list.html",
        {"form": form, "page": page, "can_create": policy.can(request.user, "create")},
    )


@login_required
def case_export(request):
    forbid_unless(policy_for(AssistanceCase).can(request.user, "export"))
    form = CaseFilterForm(request.GET or None)
    filters = form.cleaned_data if form.is_valid() else {}
    cases = selectors.visible_cases(
        request.user, status=filters.get("status", ""), query=filters.get("q", "")
    )
    return exports.cases_workbook(request.user, cases)


@login_required
@require_http_methods(["GET", "POST"])
def case_create(request):
    forbid_unless(policy_for(AssistanceCase).can(request.user, "create"))
    form = IntakeForm(
        request.POST or None, initial={"handed_over_at": timezone.localtime().replace(second=0)}
    )

    def action(data):
        guardian = (
            {"full_name": data["guardian_name"], "phone": data["guardian_phone"]}
            if data["guardian_name"]
            else None
        )
        case = services.take_in(
            actor=request.user,
            person_fields=form.person_fields(),
            handed_over_by_unit=data["handed_over_by_unit"],
            handed_over_by_officer=data["handed_over_by_officer"],
            handed_over_at=data["handed_over_at"],
            case_reference=data["case_reference"],
            circumstances=data["circumstances"],
            needs=data["needs"],
            risk_level=data["risk_level"],
            risk_notes=data["risk_notes"],
            guardianship=data["guardianship"],
            guardian_fields=guardian,
            guardianship_notes=data["guardianship_notes"],
        )
        return case.get_absolute_url()

    return _form_page(
        request,
        form,
        title=_("Take in a rescued person"),
        back="assistance:case_list",
        action=action,
        done=_("The rescued person was taken in."),
    )


@login_required
def case_detail(request, pk: int):
    case = selectors.case_for_view(request.user, pk)
    policy = policy_for(AssistanceCase)
    return render(
        request,
        "assistance/case_detail.html",
        {
            "case": case,
            "person": case.person,
            "can_change": policy.can(request.user, "change", case),
            "can_approve": policy.can(request.user, "approve_closure", case)
            and case.closure_requested_by_id != request.user.pk,
            "placements": case.placements.select_related("responsible_unit"),
            "consents": case.consents.select_related("unit"),
            "referrals": selectors.referrals_of(request.user, case),
            "visits": case.visits.all(),
            "dna_requests": case.dna_requests.select_related("laboratory"),
            "police_case_visible": case.police_case is not None
            and policy_for(case.police_case).can_view(request.user, case.police_case),
            "deadlines": deadlines_of(case, request.user),
            "attachments": files_for(request.user, case),
            "attachment_form": AttachmentForm(),
            "closure_form": ClosureDecisionForm(),
        },
    )


def _changeable_case(request, pk: int) -> AssistanceCase:
    case = policy_for(AssistanceCase).get_visible_or_404(request.user, pk=pk)
    forbid_unless(policy_for(AssistanceCase).can(request.user, "change", case))
    return case


@login_required
@require_http_methods(["GET", "POST"])
def case_assessment(request, pk: int):
    case = _changeable_case(request, pk)
    initial = {
        "needs": case.needs,
        "risk_level": case.risk_level,
        "risk_notes": case.risk_notes,
        "guardianship": case.guardianship,
        "guardianship_notes": case.guardianship_notes,
    }
    form = AssessmentForm(request.POST or None, initial=initial)
    return _form_page(
        request,
        form,
        title=_("Needs and risk assessment · %(number)s") % {"number": case.number},
        back=case.get_absolute_url(),
        action=lambda d: services.update_assessment(actor=request.user, case=case, **d).get_absolute_url(),
        done=_("The assessment was saved."),
    )


@login_required
@require_http_methods(["GET", "POST"])
def placement_create(request, pk: int):
    case = _changeable_case(request, pk)
    form = PlacementForm(request.POST or None, initial={"started_on": timezone.localdate()})

    def action(data):
        services.add_placement(actor=request.user, case=case, **data)
        return case.get_absolute_url()

    return _form_page(
        request,
        form,
        title=_("New placement · %(number)s") % {"number": case.number},
        back=case.get_absolute_url(),
        action=action,
        done=_("The placement was recorded."),
    )


@login_required
@require_http_methods(["GET", "POST"])
def case_consent_create(request, pk: int):
    case = _changeable_case(request, pk)
    return _consent_page(request, case=case)


def _consent_page(request, *, case=None, registration=None):
    owner = case or registration
    form = ConsentForm(
        request.POST or None,
        request.FILES or None,
        initial={"given_on": timezone.localdate(), "fields": ["full_name", "sex", "birth_date", "needs"]},
    )

    def action(data):
        upload = data.pop("signed_form")
        services.record_consent(actor=request.user, case=case, registration=registration, **data)
        _attach_signed_form(request, upload, owner)
        return owner.get_absolute_url()

    return _form_page(
        request,
        form,
        title=_("Record a consent · %(number)s") % {"number": owner.number},
        back=owner.get_absolute_url(),
        action=action,
        done=_("The consent was recorded."),
    )


@login_required
@require_POST
def consent_withdraw(request, pk: int):
    consent = get_object_or_404(Consent, pk=pk)
    owner = consent.case or consent.registration
    owner = policy_for(owner).get_visible_or_404(request.user, pk=owner.pk)
    forbid_unless(policy_for(owner).can(request.user, "change", owner))
    services.withdraw_consent(actor=request.user, consent=consent)
    messages.success(request, _("The consent was withdrawn."))
    return redirect(owner.get_absolute_url())


@login_required
@require_http_methods(["GET", "POST"])
def case_referral_create(request, pk: int):
    case = _changeable_case(request, pk)
    return _referral_page(request, case=case)


def _referral_page(request, *, case=None, registration=None):
    owner = case or registration
    form = ReferralForm(request.POST or None, initial={"service": request.GET.get("service", "")})

    def action(data):
        deliver_by = services.end_of_day(data["deliver_by"]) if data["deliver_by"] else None
        referral = services.refer(
            actor=request.user,
            case=case,
            registration=registration,
            service=data["service"],
            to_unit=data["to_unit"],
            request=data["request"],
            deliver_by=deliver_by,
        )
        return referral.get_absolute_url()

    return _form_page(
        request,
        form,
        title=_("Refer a service · %(number)s") % {"number": owner.number},
        back=owner.get_absolute_url(),
        action=action,
        done=_("The service was referred."),
    )


@login_required
@require_http_methods(["GET", "POST"])
def visit_schedule(request, pk: int):
    case = _changeable_case(request, pk)
    form = VisitScheduleForm(request.POST or None)

    def action(data):
        services.schedule_visit(actor=request.user, case=case, **data)
        return case.get_absolute_url()

    return _form_page(
        request,
        form,
        title=_("Schedule a follow-up visit · %(number)s") % {"number": case.number},
        back=case.get_absolute_url(),
        action=action,
        done=_("The visit was scheduled."),
    )


@login_required
@require_http_methods(["GET", "POST"])
def visit_record(request, pk: int):
    visit = get_object_or_404(FollowUpVisit, pk=pk)
    case = _changeable_case(request, visit.case_id)
    form = VisitRecordForm(request.POST or None, initial={"visited_on": timezone.localdate()})

    def action(data):
        services.record_visit(
            actor=request.user,
            visit=visit,
            visited=data["visited"] == "yes",
            visited_on=data["visited_on"],
            notes=data["notes"],
            risk_flags=data["risk_flags"],
        )
        return case.get_absolute_url()

    return _form_page(
        request,
        form,
        title=_("Record a follow-up visit · %(number)s") % {"number": case.number},
        back=case.get_absolute_url(),
        action=action,
        done=_("The visit was recorded."),
    )


@login_required
@require_http_methods(["GET", "POST"])
def case_outcome(request, pk: int):
    case = _changeable_case(request, pk)
    form = OutcomeForm(
        request.POST or None, initial={"outcome": case.outcome, "outcome_on": timezone.localdate()}
    )
    return _form_page(
        request,
        form,
        title=_("Reintegration outcome · %(number)s") % {"number": case.number},
        back=case.get_absolute_url(),
        action=lambda d: services.record_outcome(actor=request.user, case=case, **d).get_absolute_url(),
        done=_("The outcome was recorded."),
    )


@login_required
@require_http_methods(["GET", "POST"])
def case_close(request, pk: int):
    case = _changeable_case(request, pk)
    form = ReasonForm(request.POST or None)
    return _form_page(
        request,
        form,
        title=_("Ask to close case %(number)s") % {"number": case.number},
        back=case.get_absolute_url(),
        action=lambda d: services.request_closure(actor=request.user, case=case, **d).get_absolute_url(),
        done=_("Closure was requested."),
    )


@login_required
@require_POST
def case_closure_decision(request, pk: int):
    case = policy_for(AssistanceCase).get_visible_or_404(request.user, pk=pk)
    forbid_unless(
        policy_for(AssistanceCase).can(request.user, "approve_closure", case)
        and case.closure_requested_by_id != request.user.pk
    )
    form = ClosureDecisionForm(request.POST)
    if form.is_valid():
        try:
            services.decide_closure(
                actor=request.user,
                case=case,
                approve=form.cleaned_data["decision"] == "approve",
                note=form.cleaned_data["note"],
            )
        except ValidationError as exc:
            messages.error(request, " ".join(exc.messages))
        else:
            messages.success(request, _("The decision was recorded."))
    return redirect(case.get_absolute_url())


def _attach_view(request, obj, can: bool):
    forbid_unless(can)
    form = AttachmentForm(request.POST, request.FILES)
    if not form.is_valid():
        messages.error(request, " ".join(e for errors in form.errors.values() for e in errors))
        return redirect(obj.get_absolute_url())
    try:
        store_upload(actor=request.user, upload=form.cleaned_data["file"], attach_to=obj)
    except ValidationFailed as exc:
        messages.error(request, " ".join(e.message for e in exc.errors))
    else:
        messages.success(request, _("The file was attached."))
    return redirect(obj.get_absolute_url())


@login_required
@require_POST
def case_attach(request, pk: int):
    case = policy_for(AssistanceCase).get_visible_or_404(request.user, pk=pk)
    return _attach_view(request, case, policy_for(AssistanceCase).can(request.user, "change", case))


# --- referrals --------------------------------------------------------------------------------------------


def _referral_filters(request) -> tuple[ReferralFilterForm, dict]:
    form = ReferralFilterForm(request.GET or None)
    data = form.cleaned_data if form.is_valid() else {}
    return form, {
        "box": data.get("box", ""),
        "status": data.get("status", ""),
        "service": data.get("service", ""),
        "overdue": data.get("overdue", False),
    }


@login_required
def referral_list(request):
    forbid_unless(policy_for(Referral).can(request.user, "list"))
    form, filters = _referral_filters(request)
    referrals = selectors.visible_referrals(request.user, **filters)
    page = BoundedPaginator(referrals, 25).get_page(request.GET.get("page"))
    if page.object_list:
        record_event(
            "assistance.referral.list",
            object_type="assistance.referral",
            details={"ids": [r.pk for r in page.object_list]},
        )
    return render(request, "assistance/referral_list.html", {"form": form, "page": page})


@login_required
def referral_export(request):
    forbid_unless(policy_for(Referral).can(request.user, "export"))
    _form, filters = _referral_filters(request)
    return exports.referrals_workbook(request.user, selectors.visible_referrals(request.user, **filters))


@login_required
def referral_detail(request, pk: int):
    return _referral_detail_page(request, selectors.referral_for_view(request.user, pk))


def _referral_detail_page(request, referral: Referral, *, respond_form=None):
    """The referral's page; a refused response is shown again with its errors next to the fields."""
    policy = policy_for(Referral)
    shared = selectors.shared_view(request.user, referral)
    return render(
        request,
        "assistance/referral_detail.html",
        {
            "referral": referral,
            "shared": shared,
            "steps": referral.steps.select_related("unit", "actor"),
            "can_respond": policy.can(request.user, "respond", referral),
            "can_deliver": policy.can(request.user, "deliver", referral),
            "can_withdraw": policy.can(request.user, "withdraw", referral),
            "respond_form": respond_form or RespondForm(),
            "deliver_form": DeliverForm(),
            "withdraw_form": ReasonForm(),
            "deadlines": deadlines_of(referral, request.user),
        },
    )


@login_required
@require_POST
def referral_respond(request, pk: int):
    referral = policy_for(Referral).get_visible_or_404(request.user, pk=pk)
    forbid_unless(policy_for(Referral).can(request.user, "respond", referral))
    form = RespondForm(request.POST)
    if form.is_valid():
        try:
            services.respond(
                actor=request.user,
                referral=referral,
                accept=form.cleaned_data["decision"] == "accept",
                note=form.cleaned_data["note"],
            )
        except ValidationError as exc:
            apply_errors(form, exc)
        else:
            messages.success(request, _("Your response was recorded."))
            return redirect(referral.get_absolute_url())
    referral.refresh_from_db()
    return _referral_detail_page(request, referral, respond_form=form)


@login_required
@require_POST
def referral_deliver(request, pk: int):
    referral = policy_for(Referral).get_visible_or_404(request.user, pk=pk)
    forbid_unless(policy_for(Referral).can(request.user, "deliver", referral))
    form = DeliverForm(request.POST)
    if form.is_valid():
        try:
            services.deliver(actor=request.user, referral=referral, outcome=form.cleaned_data["outcome"])
        except ValidationError as exc:
            messages.error(request, " ".join(exc.messages))
        else:
            messages.success(request, _("The service was recorded as delivered."))
    else:
        messages.error(request, _("Describe what was delivered."))
    return redirect(referral.get_absolute_url())


@login_required
@require_POST
def referral_withdraw(request, pk: int):
    referral = policy_for(Referral).get_visible_or_404(request.user, pk=pk)
    forbid_unless(policy_for(Referral).can(request.user, "withdraw", referral))
    form = ReasonForm(request.POST)
    if form.is_valid():
        services.withdraw_referral(actor=request.user, referral=referral, reason=form.cleaned_data["reason"])
        messages.success(request, _("The referral was withdrawn."))
    else:
        messages.error(request, _("Give the reason for withdrawing."))
    return redirect(referral.get_absolute_url())


# --- left-behind and migrant women and children --------------------------------------------------------------


def _registration_filters(request):
    form = RegistrationFilterForm(request.GET or None)
    data = form.cleaned_data if form.is_valid() else {}
    township = data.get("township")
    return form, {
        "township": township.pk if township else None,
        "risk_level": data.get("risk_level", ""),
        "category": data.get("category", ""),
    }


@login_required
def registration_list(request):
    policy = policy_for(CareRegistration)
    forbid_unless(policy.can(request.user, "list"))
    form, filters = _registration_filters(request)
    rows = selectors.visible_registrations(request.user, **filters)
    page = BoundedPaginator(rows, 25).get_page(request.GET.get("page"))
    if page.object_list:
        record_event(
            "assistance.registration.list",
            object_type="assistance.registration",
            details={"ids": [r.pk for r in page.object_list]},
        )
    return render(
        request,
        "assistance/registration_list.html",
        {"form": form, "page": page, "can_create": policy.can(request.user, "create")},
    )


@login_required
def registration_export(request):
    forbid_unless(policy_for(CareRegistration).can(request.user, "export"))
    _form, filters = _registration_filters(request)
    return exports.registrations_workbook(
        request.user, selectors.visible_registrations(request.user, **filters)
    )


@login_required
@require_http_methods(["GET", "POST"])
def registration_create(request):
    forbid_unless(policy_for(CareRegistration).can(request.user, "create"))
    form = RegistrationForm(request.POST or None, user=request.user)

    def action(data):
        person_fields = form.person_fields()
        registration = services.register_care(
            actor=request.user,
            person_fields=person_fields,
            category=data["category"],
            township=data["township"],
            risk_level=data["risk_level"],
            situation=data["situation"],
        )
        return registration.get_absolute_url()

    return _form_page(
        request,
        form,
        title=_("Register a left-behind or migrant woman or child"),
        back="assistance:registration_list",
        action=action,
        done=_("The entry was added to the register."),
    )


@login_required
def registration_detail(request, pk: int):
    registration = selectors.registration_for_view(request.user, pk)
    return render(
        request,
        "assistance/registration_detail.html",
        {
            "registration": registration,
            "person": registration.person,
            "can_change": policy_for(CareRegistration).can(request.user, "change", registration),
            "guardians": registration.guardians.select_related("person"),
            "visits": registration.visits.select_related("unit", "campaign", "clue"),
            "reportable_visits": selectors.reportable_visit_ids(request.user, registration),
            "entrusted": registration.entrusted_care.all(),
            "consents": registration.consents.select_related("unit"),
            "referrals": selectors.referrals_of(request.user, registration),
            "attachments": files_for(request.user, registration),
            "attachment_form": AttachmentForm(),
        },
    )


def _changeable_registration(request, pk: int) -> CareRegistration:
    registration = policy_for(CareRegistration).get_visible_or_404(request.user, pk=pk)
    forbid_unless(policy_for(CareRegistration).can(request.user, "change", registration))
    return registration


@login_required
@require_http_methods(["GET", "POST"])
def registration_update(request, pk: int):
    registration = _changeable_registration(request, pk)
    form = RegistrationUpdateForm(
        request.POST or None,
        initial={
            "risk_level": registration.risk_level,
            "situation": registration.situation,
            "status": registration.status,
        },
    )
    return _form_page(
        request,
        form,
        title=_("Update register entry %(number)s") % {"number": registration.number},
        back=registration.get_absolute_url(),
        action=lambda d: services.update_registration(
            actor=request.user, registration=registration, **d
        ).get_absolute_url(),
        done=_("The entry was updated."),
    )


@login_required
@require_http_methods(["GET", "POST"])
def guardian_create(request, pk: int):
    registration = _changeable_registration(request, pk)
    form = GuardianForm(request.POST or None)

    def action(data):
        services.add_guardian(
            actor=request.user,
            registration=registration,
            person_fields={k: data[k] for k in ("full_name", "sex", "phone", "address")},
            relationship=data["relationship"],
            lives_with_child=data["lives_with_child"],
            works_away=data["works_away"],
        )
        return registration.get_absolute_url()

    return _form_page(
        request,
        form,
        title=_("Add a guardian · %(number)s") % {"number": registration.number},
        back=registration.get_absolute_url(),
        action=action,
        done=_("The guardian was added."),
    )


@login_required
@require_http_methods(["GET", "POST"])
def care_visit_create(request, pk: int):
    registration = _changeable_registration(request, pk)
    campaign = selectors.open_campaigns().first()
    form = CareVisitForm(
        request.POST or None,
        initial={
            "visited_on": timezone.localdate(),
            "risk_level": registration.risk_level,
            "campaign": campaign.pk if campaign else None,
        },
    )

    def action(data):
        services.record_care_visit(actor=request.user, registration=registration, **data)
        return registration.get_absolute_url()

    return _form_page(
        request,
        form,
        title=_("Record a care visit · %(number)s") % {"number": registration.number},
        back=registration.get_absolute_url(),
        action=action,
        done=_("The visit was recorded."),
    )


@login_required
@require_http_methods(["GET", "POST"])
def entrusted_care_create(request, pk: int):
    registration = _changeable_registration(request, pk)
    form = EntrustedCareForm(request.POST or None, initial={"starts_on": timezone.localdate()})

    def action(data):
        services.record_entrusted_care(actor=request.user, registration=registration, **data)
        return registration.get_absolute_url()

    return _form_page(
        request,
        form,
        title=_("Entrusted-care arrangement · %(number)s") % {"number": registration.number},
        back=registration.get_absolute_url(),
        action=action,
        done=_("The arrangement was recorded."),
    )


@login_required
@require_http_methods(["GET", "POST"])
def registration_consent_create(request, pk: int):
    return _consent_page(request, registration=_changeable_registration(request, pk))


@login_required
@require_http_methods(["GET", "POST"])
def registration_referral_create(request, pk: int):
    return _referral_page(request, registration=_changeable_registration(request, pk))


@login_required
@require_POST
def registration_attach(request, pk: int):
    registration = policy_for(CareRegistration).get_visible_or_404(request.user, pk=pk)
    return _attach_view(
        request, registration, policy_for(CareRegistration).can(request.user, "change", registration)
    )


@login_required
@require_http_methods(["GET", "POST"])
def campaign_list(request):
    forbid_unless(policy_for(CareRegistration).can(request.user, "list"))
    can_create = policy_for(CareRegistration).can(request.user, "create")
    form = CampaignForm(request.POST or None) if can_create else None
    if request.method == "POST":
        forbid_unless(can_create)
        if form.is_valid():
            try:
                services.create_campaign(actor=request.user, **form.cleaned_data)
            except ValidationError as exc:
                apply_errors(form, exc)
            else:
                messages.success(request, _("The campaign was created."))
                return redirect("assistance:campaign_list")
    return render(
        request, "assistance/campaign_list.html", {"campaigns": selectors.campaigns(), "form": form}
    )


# --- indicators --------------------------------------------------------------------------------------------


def _indicator_params(request) -> tuple[IndicatorForm, int, int]:
    form = IndicatorForm(request.GET or None)
    data = form.cleaned_data if form.is_valid() else {}
    return (
        form,
        data.get("year") or timezone.localdate().year,
        data.get("days") or selectors.SCHOOL_WITHIN_DAYS,
    )


@login_required
def indicator_overview(request):
    forbid_unless(indicator_scope(request.user) is not None)
    form, year, days = _indicator_params(request)
    rows = selectors.indicators(request.user, year=year, school_within_days=days)
    return render(
        request, "assistance/indicators.html", {"form": form, "rows": rows, "year": year, "days": days}
    )


@login_required
def indicator_export(request):
    forbid_unless(indicator_scope(request.user) is not None)
    _form, year, days = _indicator_params(request)
    rows = selectors.indicators(request.user, year=year, school_within_days=days)
    return exports.indicators_workbook(request.user, rows, year=year, days=days)


def home_panel_context(user) -> dict | None:
    received = policy_for(Referral).can(user, "list")
    if not received:
        return None
    referrals = selectors.visible_referrals(user, box="received").order_by()
    counts = referrals.aggregate(
        pending=Count("pk", filter=Q(status=Referral.Status.PENDING)),
        accepted=Count("pk", filter=Q(status=Referral.Status.ACCEPTED)),
        overdue=Count("pk", filter=Q(status__in=Referral.ACTIVE, is_overdue=True)),
    )
    return {
        **counts,
        **_case_counts(user),
    }


def _case_counts(user) -> dict:
    """Open cases and closure requests of the user's cases, in one query (None when cases are not theirs)."""
    if not policy_for(AssistanceCase).can(user, "list"):
        return {"open_cases": None, "closures": None}
    return (
        selectors.visible_cases(user)
        .order_by()
        .aggregate(
            open_cases=Count("pk", filter=~Q(status=AssistanceCase.Status.CLOSED)),
            closures=Count("pk", filter=Q(status=AssistanceCase.Status.CLOSURE_REQUESTED)),
        )
    )
