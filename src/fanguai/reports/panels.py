from fanguai.core.queries import total_of

from .models import SelfAssessment
from .policies import sees_everything
from .selectors import visible_self_assessments


def evaluation_panel(user) -> dict | None:
    """Units see their self-assessments still to submit; the office sees those waiting to be scored."""
    rows = visible_self_assessments(user)
    if sees_everything(user):
        waiting = rows.filter(status=SelfAssessment.Status.SUBMITTED, evaluation__status="open")
    else:
        waiting = rows.filter(
            status__in=[SelfAssessment.Status.PENDING, SelfAssessment.Status.RETURNED],
            evaluation__status="open",
        )
    # The first eight each carry the number of all waiting: one query instead of two.
    first = list(waiting.annotate(waiting_total=total_of(waiting))[:8])
    if not first:
        return None
    return {"waiting": first, "count": first[0].waiting_total, "office": sees_everything(user)}
