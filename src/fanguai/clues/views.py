from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import HttpResponse
from django.shortcuts import redirect, render
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

from . import export, selectors, services
from .forms import (
    CloseForm,
    ClueFilterForm,
    MergeForm,
    MessageForm,
    NoteForm,
    OutcomeForm,
    RewardDecisionForm,
    RewardForm,
    RewardPaymentForm,
    StaffClueForm,
    StatisticsForm,
    TransferForm,
    TriageForm,
)
from .models import Clue, Reward
from .policies import can_handle_rewards, can_view_statistics
from .related import clue_actions, clue_forms, linked_records


def _errors(request, exc: ValidationError) -> None:
    messages.error(request, " ".join(exc.messages))


def _back(clue_pk: int):
    return redirect("clues:detail", pk=clue_pk)


@login_required
def clue_list(request):
    forbid_unless(policy_for(Clue).scope(request.user) is not None)
    form = ClueFilterForm(request.GET or None)
    filters = form.cleaned_data if form.is_valid() else {}
    clues = selectors.visible_clues(request.user, **{k: v for k, v in filters.items() if v})
    page = BoundedPaginator(clues, 25).get_page(request.GET.get("page"))
    return render(
        request,
        "clues/clue_list.html",
        {"form": form, "page": page, "can_create": policy_for(Clue).can(request.user, "create")},
    )


@login_required
@require_http_methods(["GET", "POST"])
def clue_create(request):
    forbid_unless(policy_for(Clue).can(request.user, "create"))
    form = StaffClueForm(request.POST or None, request.FILES or None)
    if request.method == "POST" and form.is_valid():
        upload = form.cleaned_data.get("file")
        try:
            clue = services.record_clue(
                actor=request.user,
                source=form.cleaned_data["source"],
                contact=form.contact(),
                uploads=[upload] if upload else [],
                **form.clue_fields(),
            )
        except ValidationError as exc:
            for field, errors in exc.message_dict.items():
                form.add_error(field if field in form.fields else None, errors)
        except ValidationFailed as exc:
            form.add_error("file", [e.message for e in exc.errors])
        else:
            messages.success(request, _("Clue %(number)s was recorded.") % {"number": clue.number})
            return _back(clue.pk)
    return render(request, "clues/clue_form.html", {"form": form})


@login_required
def clue_detail(request, pk: int):
    clue = selectors.clue_for_view(request.user, pk)
    policy = policy_for(Clue)
    user = request.user
    can = {
        action: policy.can(user, action, clue)
        for action in (
            "triage",
            "acknowledge",
            "report_outcome",
            "message_reporter",
            "note",
            "view_reporter",
            "propose_reward",
        )
    }
    transfer_form = TransferForm(
        initial={"to_unit": services.police_unit_for(clue.county), "priority": clue.priority}
    )
    return render(
        request,
        "clues/clue_detail.html",
        {
            "clue": clue,
            "can": can,
            "events": selectors.timeline(clue),
            "transfers": selectors.transfers(clue),
            "duplicates": selectors.possible_duplicates(user, clue) if can["triage"] and clue.is_open else [],
            "attachments": files_for(user, clue),
            "attachment_form": AttachmentForm(),
            "deadlines": [d for t in clue.transfers.all() for d in deadlines_of(t, user)],
            "triage_form": TriageForm(
                initial={"priority": clue.priority, "category": clue.category}, auto_id="triage_%s"
            ),
            "transfer_form": transfer_form,
            "outcome_form": OutcomeForm(auto_id="outcome_%s"),
            "message_form": MessageForm(auto_id="message_%s"),
            "note_form": NoteForm(auto_id="note_%s"),
            "close_form": CloseForm(auto_id="close_%s"),
            "reward_form": RewardForm(),
            "rewards": selectors.visible_rewards(user).filter(clue=clue),
            "led_to_result": services.led_to_result(clue),
            # Records of other modules linked to the clue, and actions that start one (clues.related)
            "linked_records": linked_records(user, clue),
            "clue_actions": clue_actions(user, clue),
            "clue_forms": clue_forms(user, clue),
        },
    )


@login_required
def clue_reporter(request, pk: int):
    clue = policy_for(Clue).get_visible_or_404(request.user, pk=pk)
    person = selectors.reporter_for_view(request.user, clue)
    return render(request, "clues/reporter.html", {"clue": clue, "person": person})


def _visible(request, pk: int) -> Clue:
    return policy_for(Clue).get_visible_or_404(request.user, pk=pk)


def _run(request, clue: Clue, call, success: str):
    try:
        call()
    except ValidationError as exc:
        _errors(request, exc)
    else:
        messages.success(request, success)
    return _back(clue.pk)


@login_required
@require_POST
def clue_triage(request, pk: int):
    clue = _visible(request, pk)
    forbid_unless(policy_for(Clue).can(request.user, "triage", clue))
    form = TriageForm(request.POST)
    forbid_unless(form.is_valid())
    return _run(
        request,
        clue,
        lambda: services.triage(actor=request.user, clue=clue, **form.cleaned_data),
        _("The priority was set."),
    )


@login_required
@require_http_methods(["GET", "POST"])
def clue_transfer(request, pk: int):
    clue = _visible(request, pk)
    forbid_unless(policy_for(Clue).can(request.user, "triage", clue) and clue.is_open)
    form = TransferForm(
        request.POST or None,
        initial={"to_unit": services.police_unit_for(clue.county), "priority": clue.priority},
    )
    if request.method == "POST" and form.is_valid():
        try:
            moved = services.transfer(actor=request.user, clue=clue, **form.cleaned_data)
        except ValidationError as exc:
            _errors(request, exc)
        else:
            messages.success(
                request,
                _("The clue was transferred to %(unit)s; it must be acknowledged by %(due)s.")
                % {
                    "unit": moved.to_unit.name,
                    "due": timezone.localtime(moved.due_at).strftime("%Y-%m-%d %H:%M"),
                },
            )
            return _back(clue.pk)
    return render(request, "clues/transfer_form.html", {"clue": clue, "form": form})


@login_required
@require_POST
def clue_acknowledge(request, pk: int):
    clue = _visible(request, pk)
    forbid_unless(policy_for(Clue).can(request.user, "acknowledge", clue))
    return _run(
        request,
        clue,
        lambda: services.acknowledge(
            actor=request.user, clue=clue, message=request.POST.get("message", "")[:2000]
        ),
        _("The clue was acknowledged."),
    )


@login_required
@require_POST
def clue_outcome(request, pk: int):
    clue = _visible(request, pk)
    forbid_unless(policy_for(Clue).can(request.user, "report_outcome", clue))
    form = OutcomeForm(request.POST)
    if not form.is_valid():
        messages.error(request, _("Choose an outcome and describe it."))
        return _back(clue.pk)
    return _run(
        request,
        clue,
        lambda: services.report_outcome(actor=request.user, clue=clue, **form.cleaned_data),
        _("The outcome was recorded."),
    )


@login_required
@require_POST
def clue_message(request, pk: int):
    clue = _visible(request, pk)
    forbid_unless(policy_for(Clue).can(request.user, "message_reporter", clue))
    form = MessageForm(request.POST)
    if not form.is_valid():
        messages.error(request, _("Write a message."))
        return _back(clue.pk)
    return _run(
        request,
        clue,
        lambda: services.message_reporter(actor=request.user, clue=clue, **form.cleaned_data),
        _("The message was sent to the reporter, who reads it with the receipt code."),
    )


@login_required
@require_POST
def clue_note(request, pk: int):
    clue = _visible(request, pk)
    forbid_unless(policy_for(Clue).can(request.user, "note", clue))
    form = NoteForm(request.POST)
    if not form.is_valid():
        messages.error(request, _("Write a note."))
        return _back(clue.pk)
    return _run(
        request,
        clue,
        lambda: services.add_note(actor=request.user, clue=clue, **form.cleaned_data),
        _("The note was added."),
    )


@login_required
@require_POST
def clue_attach(request, pk: int):
    clue = _visible(request, pk)
    forbid_unless(policy_for(Clue).can(request.user, "note", clue))
    form = AttachmentForm(request.POST, request.FILES)
    if not form.is_valid():
        messages.error(request, " ".join(str(e) for errors in form.errors.values() for e in errors))
        return _back(clue.pk)
    try:
        services.attach_file(actor=request.user, clue=clue, upload=form.cleaned_data["file"])
    except ValidationFailed as exc:
        messages.error(request, " ".join(e.message for e in exc.errors))
    else:
        messages.success(request, _("The file was attached."))
    return _back(clue.pk)


@login_required
@require_POST
def clue_close(request, pk: int):
    clue = _visible(request, pk)
    forbid_unless(policy_for(Clue).can(request.user, "triage", clue))
    form = CloseForm(request.POST)
    if not form.is_valid():
        messages.error(request, _("Give the reason for closing."))
        return _back(clue.pk)
    return _run(
        request,
        clue,
        lambda: services.close(actor=request.user, clue=clue, **form.cleaned_data),
        _("The clue was closed."),
    )


@login_required
@require_POST
def clue_reopen(request, pk: int):
    clue = _visible(request, pk)
    forbid_unless(policy_for(Clue).can(request.user, "triage", clue))
    if clue.status != Clue.Status.CLOSED:
        messages.error(request, _("Only a closed clue can be reopened."))
        return _back(clue.pk)
    return _run(
        request,
        clue,
        lambda: services.reopen(
            actor=request.user, clue=clue, message=request.POST.get("message", "")[:2000]
        ),
        _("The clue was reopened."),
    )


@login_required
@require_POST
def clue_merge(request, pk: int):
    keep = _visible(request, pk)
    form = MergeForm(request.POST)
    forbid_unless(form.is_valid())
    duplicate = _visible(request, form.cleaned_data["duplicate"])
    forbid_unless(policy_for(Clue).can(request.user, "triage", keep))
    return _run(
        request,
        keep,
        lambda: services.merge(actor=request.user, keep=keep, duplicate=duplicate),
        _("Clue %(dup)s was merged into this one.") % {"dup": duplicate.number},
    )


@login_required
@require_POST
def reward_propose(request, pk: int):
    clue = _visible(request, pk)
    forbid_unless(policy_for(Clue).can(request.user, "propose_reward", clue))
    form = RewardForm(request.POST)
    if not form.is_valid():
        messages.error(request, _("Give a positive amount and the reason."))
        return _back(clue.pk)
    return _run(
        request,
        clue,
        lambda: services.propose_reward(actor=request.user, clue=clue, **form.cleaned_data),
        _("The reward was proposed; another member of the office decides on it."),
    )


@login_required
def reward_list(request):
    forbid_unless(can_handle_rewards(request.user))
    rewards = selectors.visible_rewards(request.user)
    page = BoundedPaginator(rewards, 25).get_page(request.GET.get("page"))
    record_event("reward.list", object_type="clues.reward", details={"ids": [r.pk for r in page.object_list]})
    return render(
        request,
        "clues/reward_list.html",
        {"page": page, "decision_form": RewardDecisionForm(), "payment_form": RewardPaymentForm()},
    )


@login_required
@require_POST
def reward_decide(request, pk: int):
    reward = selectors.reward_for(request.user, pk)
    forbid_unless(policy_for(Reward).can(request.user, "decide", reward))
    form = RewardDecisionForm(request.POST)
    forbid_unless(form.is_valid())
    services.decide_reward(
        actor=request.user,
        reward=reward,
        approve=form.cleaned_data["decision"] == "approve",
        note=form.cleaned_data["note"],
    )
    messages.success(request, _("The decision was recorded."))
    return redirect("clues:rewards")


@login_required
@require_POST
def reward_pay(request, pk: int):
    reward = selectors.reward_for(request.user, pk)
    forbid_unless(policy_for(Reward).can(request.user, "pay", reward))
    form = RewardPaymentForm(request.POST)
    if form.is_valid():
        services.pay_reward(actor=request.user, reward=reward, **form.cleaned_data)
        messages.success(request, _("The payment was recorded."))
    else:
        messages.error(request, _("Give the payment reference."))
    return redirect("clues:rewards")


@login_required
def statistics(request):
    forbid_unless(can_view_statistics(request.user))
    form = StatisticsForm(request.GET or None)
    year = form.cleaned_data.get("year") if form.is_valid() else None
    return render(
        request,
        "clues/statistics.html",
        {"form": form, "stats": selectors.statistics(request.user, year=year)},
    )


@login_required
def statistics_export(request):
    forbid_unless(can_view_statistics(request.user))
    form = StatisticsForm(request.GET or None)
    year = form.cleaned_data.get("year") if form.is_valid() else None
    stats = selectors.statistics(request.user, year=year)
    record_event("clue.statistics_export", object_type="clues.clue", details={"year": year})
    response = HttpResponse(
        export.statistics_workbook(stats),
        content_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    )
    response["Content-Disposition"] = f'attachment; filename="clue-statistics-{year or "all"}.xlsx"'
    return response
