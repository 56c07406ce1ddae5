"""The deadline kinds of supervision. The sweep of the deadlines app calls the hooks: a listing's warning time
runs the yellow check, its due time issues the red warning. The generic deadline notices go to the unit's
working staff only; the unit's leader and the office get the listing's own warnings instead (no double
notice)."""

from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from fanguai.accounts.roles import ADMIN_ROLES, Role
from fanguai.deadlines.registry import register_kind

LISTING = "supervision.listing"
RECTIFICATION = "supervision.rectification"

UNIT_STAFF_ROLES = tuple(r for r in Role.values if r not in ADMIN_ROLES and r != Role.LEADER)


def _listing_of(deadline):
    from .models import Listing

    return Listing.objects.filter(pk=deadline.object_id).first()


def on_listing_warning(deadline) -> None:
    from .services import check_listing

    listing = _listing_of(deadline)
    if listing is not None:
        check_listing(listing, now=max(timezone.now(), deadline.warn_at or deadline.due_at))


def on_listing_late(deadline) -> None:
    from .services import warn_overdue

    listing = _listing_of(deadline)
    if listing is not None and listing.due_at == deadline.due_at:
        warn_overdue(listing)


register_kind(
    LISTING,
    label=_("Listing supervision deadline"),
    on_warning=on_listing_warning,
    on_late=on_listing_late,
    notify_roles=UNIT_STAFF_ROLES,
)
register_kind(
    RECTIFICATION,
    label=_("Report a rectification"),
    escalate_to_roles=(Role.OFFICE_STAFF,),
)
