from django.utils.translation import gettext_lazy as _

from fanguai.accounts.roles import Role
from fanguai.deadlines.registry import register_kind

ACKNOWLEDGE = "clues.acknowledge"


def _escalated(deadline) -> None:
    """A late acknowledgement is a step in the clue's timeline too."""
    from .services import record_escalation

    record_escalation(deadline)


register_kind(
    ACKNOWLEDGE,
    label=_("Acknowledge a transferred clue"),
    on_late=_escalated,
    escalate_to_roles=(Role.OFFICE_STAFF,),
)
