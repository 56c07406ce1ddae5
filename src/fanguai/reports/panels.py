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
    if not waiting.exists():
        return None
    return {"waiting": waiting[:8], "count": waiting.count(), "office": sees_everything(user)}
