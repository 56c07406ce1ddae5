from .models import Clue
from .policies import triage_scope
from .selectors import visible_clues


def clue_queue(user) -> dict | None:
    """The home-page panel: new clues to triage, and clues transferred to the user's unit."""
    to_triage = visible_clues(user, queue="triage") if triage_scope(user) is not None else Clue.objects.none()
    for_unit = visible_clues(user, queue="unit")
    pending = for_unit.filter(status=Clue.Status.TRANSFERRED)
    return {
        "to_triage": to_triage[:5],
        "to_triage_count": to_triage.count(),
        "pending": pending[:5],
        "pending_count": pending.count(),
        "in_progress_count": for_unit.filter(status=Clue.Status.ACKNOWLEDGED).count(),
    }
