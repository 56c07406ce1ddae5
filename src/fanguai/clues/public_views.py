"""The public pages: report a clue without an account, and follow it up with the receipt code. They work
without JavaScript; they never show staff names, units or internal notes."""

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.shortcuts import redirect, render
from django.utils.cache import add_never_cache_headers
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_http_methods, require_POST

from fanguai.audit.services import record_event
from fanguai.core.middleware import before_body
from fanguai.core.net import client_ip

from . import abuse, receipts, selectors, services
from .forms import ClaimForm, FollowUpForm, PublicMessageForm, PublicReportForm
from .models import Clue

SESSION_KEY = "clues_public_clue"


def _limited(request, message: str):
    record_event(
        "clue.public_limit", object_type="clues.clue", outcome="denied", details={"path": request.path[:100]}
    )
    return render(request, "clues/public/limited.html", {"message": message}, status=429)


def _report_limit_message() -> str:
    return _(
        "Too many reports were sent from your network in the last hour. Please try again later, or call 110."
    )


def _followup_limit_message() -> str:
    return _("Too many wrong receipt codes were entered from your network. Please try again in an hour.")


def _message_limit_message() -> str:
    return _("Too many messages were sent from your network. Please try again later.")


def _refuse_blocked(purpose: str, message, denied_action: str | None = None):
    """A check run before anything reads the POST body (core.middleware): an address that has used up its
    allowance gets 429 without its form or upload being parsed."""

    def check(request):
        if abuse.is_blocked(purpose, client_ip(request)):
            if denied_action:
                record_event(
                    denied_action, object_type="clues.clue", outcome="denied", details={"blocked": True}
                )
            response = _limited(request, message())
            add_never_cache_headers(response)
            return response
        return None

    return check


def _form_page(request, form, status: int = 200):
    return render(request, "clues/public/report_form.html", {"form": form}, status=status)


def _fresh(form: PublicReportForm) -> PublicReportForm:
    """The same data with a new timestamp, so the user can send the form again."""
    data = form.data.copy()
    data["started"] = abuse.new_form_token()
    fresh = PublicReportForm(data)
    fresh.is_bound = True
    return fresh


@before_body(_refuse_blocked(abuse.REPORT, _report_limit_message))
@never_cache
@require_http_methods(["GET", "POST"])
def report(request):
    if request.method == "GET":
        return _form_page(request, PublicReportForm(initial={"started": abuse.new_form_token()}))
    address = client_ip(request)
    if not abuse.hit(abuse.REPORT, address):
        return _limited(request, _report_limit_message())
    form = PublicReportForm(request.POST, request.FILES)
    if request.POST.get("website"):
        record_event("clue.public_honeypot", object_type="clues.clue", outcome="denied")
        return render(
            request,
            "clues/public/limited.html",
            {"message": _("Your report could not be accepted. Please reload the page and try again.")},
            status=400,
        )
    try:
        submission_key = abuse.check_form_token(request.POST.get("started", ""))
    except abuse.FormTokenError as exc:
        if exc.reason == "too_fast":
            text = _("That was very quick. Please check your report, then send it again.")
        else:
            text = _("The form was open for too long. Please check it and send it again.")
        messages.warning(request, text + " " + _("Attached files must be chosen again."))
        return _form_page(request, _fresh(form), status=400)
    if not form.is_valid():
        return _form_page(request, form, status=400)
    try:
        receipt = services.submit_public_report(
            submission_key=submission_key,
            contact=form.contact(),
            uploads=form.cleaned_data.get("files") or [],
            **form.clue_fields(),
        )
    except ValidationError as exc:
        for field, errors in exc.message_dict.items():
            form.add_error(field if field in form.fields else None, errors)
        return _form_page(request, form, status=400)
    if receipt.duplicate_submission:
        return render(request, "clues/public/already_received.html")
    request.session[SESSION_KEY] = receipt.clue.pk
    return render(
        request,
        "clues/public/receipt.html",
        {"code": receipt.code, "code_display": receipts.display(receipt.code), "clue": receipt.clue},
    )


@before_body(_refuse_blocked(abuse.FOLLOWUP_FAILURE, _followup_limit_message, "clue.receipt_check"))
@never_cache
@require_http_methods(["GET", "POST"])
def follow_up(request):
    form = FollowUpForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        address = client_ip(request)
        if abuse.is_blocked(abuse.FOLLOWUP_FAILURE, address):
            record_event(
                "clue.receipt_check", object_type="clues.clue", outcome="denied", details={"blocked": True}
            )
            return _limited(request, _followup_limit_message())
        clue = selectors.find_by_receipt(form.cleaned_data["code"])
        if clue is None:
            abuse.hit(abuse.FOLLOWUP_FAILURE, address)
            record_event("clue.receipt_check", object_type="clues.clue", outcome="failure")
            form.add_error("code", _("No report has this receipt code. Check the 16 digits."))
        else:
            request.session.cycle_key()
            request.session[SESSION_KEY] = clue.pk
            record_event("clue.receipt_check", object_type="clues.clue", object_id=clue.pk)
            return redirect("public_report:follow_up_detail")
    return render(request, "clues/public/follow_up.html", {"form": form})


def _session_clue(request) -> Clue | None:
    return selectors.public_clue(request.session.get(SESSION_KEY))


@never_cache
def follow_up_detail(request):
    clue = _session_clue(request)
    if clue is None:
        return redirect("public_report:follow_up")
    record_event("clue.public_view", object_type="clues.clue", object_id=clue.pk)
    return render(
        request,
        "clues/public/follow_up_detail.html",
        {
            "clue": clue,
            "events": selectors.public_timeline(clue),
            "message_form": PublicMessageForm(),
            "reward": selectors.open_reward(clue),
            "claim_form": ClaimForm(),
        },
    )


@before_body(_refuse_blocked(abuse.MESSAGE, _message_limit_message))
@require_POST
def follow_up_message(request):
    clue = _session_clue(request)
    if clue is None:
        return redirect("public_report:follow_up")
    if not abuse.hit(abuse.MESSAGE, client_ip(request)):
        return _limited(request, _message_limit_message())
    form = PublicMessageForm(request.POST, request.FILES)
    if form.is_valid():
        try:
            services.reporter_message(
                clue=clue, message=form.cleaned_data["message"], uploads=form.cleaned_data.get("files") or []
            )
        except ValidationError as exc:
            messages.error(request, " ".join(exc.messages))
        else:
            messages.success(request, _("Thank you. Your message was added to your report."))
            return redirect("public_report:follow_up_detail")
    else:
        messages.error(request, " ".join(str(e) for errors in form.errors.values() for e in errors))
    return redirect("public_report:follow_up_detail")


@require_POST
def follow_up_claim(request):
    clue = _session_clue(request)
    if clue is None:
        return redirect("public_report:follow_up")
    reward = selectors.open_reward(clue)
    form = ClaimForm(request.POST)
    if reward is None or not form.is_valid():
        messages.error(request, _("The reward could not be claimed."))
        return redirect("public_report:follow_up_detail")
    try:
        services.claim_reward(clue=clue, reward=reward, details=form.cleaned_data["details"])
    except (ValidationError, PermissionDenied):
        messages.error(request, _("The reward could not be claimed."))
    else:
        messages.success(request, _("Thank you. The office will pay the reward as you asked."))
    return redirect("public_report:follow_up_detail")


@require_POST
def follow_up_leave(request):
    request.session.pop(SESSION_KEY, None)
    messages.info(request, _("You left your report. Use the receipt code to come back."))
    return redirect("public_report:follow_up")
