from django.utils.translation import gettext_lazy as _

from fanguai.accounts.roles import Role
from fanguai.deadlines.registry import register_kind

RAPID_SEARCH_STEP = "missing.rapid_search_step"

register_kind(
    RAPID_SEARCH_STEP,
    label=_("Rapid search step for a missing person"),
    notify_roles=[Role.INVESTIGATOR],
    escalate_to_roles=[Role.OFFICE_STAFF],
)
