"""The deadline kinds of assistance: a receiving unit responds to a referral, then delivers it; a shelter
makes its follow-up visits. Late ones escalate to the office (and the county coordinator of the unit's
county) through the deadline sweep, and the referral is marked overdue with a step of its own."""

from django.utils.translation import gettext_lazy as _

from fanguai.accounts.roles import Role
from fanguai.deadlines.registry import register_kind

REFERRAL_RESPONSE = "assistance.referral_response"
REFERRAL_DELIVERY = "assistance.referral_delivery"
FOLLOW_UP_VISIT = "assistance.follow_up_visit"

ESCALATE_TO = (Role.OFFICE_STAFF, Role.COUNTY_COORDINATOR)


def on_referral_late(deadline) -> None:
    from .services import mark_referral_overdue

    mark_referral_overdue(deadline)


register_kind(
    REFERRAL_RESPONSE,
    label=_("Accept or decline a service referral"),
    on_late=on_referral_late,
    escalate_to_roles=ESCALATE_TO,
)
register_kind(
    REFERRAL_DELIVERY,
    label=_("Deliver a referred service"),
    on_late=on_referral_late,
    escalate_to_roles=ESCALATE_TO,
)
register_kind(FOLLOW_UP_VISIT, label=_("Make a follow-up visit"), escalate_to_roles=(Role.OFFICE_STAFF,))
