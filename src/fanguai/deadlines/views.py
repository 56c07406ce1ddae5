from django.contrib.auth.decorators import login_required
from django.shortcuts import redirect, render
from django.views.decorators.http import require_GET

from fanguai.accounts.roles import ADMIN_ROLES
from fanguai.core.pagination import BoundedPaginator
from fanguai.core.views import forbid_unless

from . import selectors
from .forms import DeadlineFilterForm

PAGE_SIZE = 25


@login_required
@require_GET
def deadline_list(request):
    user = request.user
    forbid_unless(user.unit_id is not None and user.role not in ADMIN_ROLES)
    wide = selectors.sees_other_units(user)
    form = DeadlineFilterForm(request.GET or None, kinds=selectors.kinds_in_use(user), wide=wide)
    data = form.cleaned_data if form.is_valid() else {}
    state = data.get("state") or "open"
    scope = data.get("scope") or "unit"
    rows = selectors.visible_deadlines(
        user, state=state, kind=data.get("kind", ""), unit=user.unit if scope == "unit" else None
    )
    page = BoundedPaginator(rows, PAGE_SIZE).get_page(request.GET.get("page"))
    return render(
        request,
        "deadlines/deadline_list.html",
        {
            "form": form,
            "page": page,
            "state": state,
            "wide": wide,
            "summary": selectors.unit_summary(user),
        },
    )


@login_required
@require_GET
def deadline_open(request, pk: int):
    """Go to what a deadline is about. Lists link here rather than to each target, so that showing a list
    does not load every row's target (a query or two per row); the target's own page checks who may see it."""
    deadline = selectors.deadline_for_view(request.user, pk)
    return redirect(deadline.target_url)


def home_panel_context(user) -> dict | None:
    """The home-page panel: the unit's late and due-soon deadlines."""
    if user.unit_id is None or user.role in ADMIN_ROLES:
        return None
    summary = selectors.unit_summary(user)
    return {"summary": summary, "urgent": selectors.urgent_for_unit(user)}
