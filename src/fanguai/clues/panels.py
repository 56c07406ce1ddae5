from django.db.models import Case, Value, When

from fanguai.core.queries import total_of

from .models import Clue
from .policies import triage_scope
from .selectors import visible_clues


def clue_queue(user) -> dict | None:
    """The home-page panel: new clues to triage, and clues transferred to the user's unit."""
    to_triage = visible_clues(user, queue="triage") if triage_scope(user) is not None else Clue.objects.none()
    for_unit = visible_clues(user, queue="unit")
    # One query for the unit's queue: its open clues, those awaiting acknowledgement first, each row carrying
    # the number of either kind; the first five awaiting acknowledgement are shown.
    transferred, acknowledged = Clue.Status.TRANSFERRED, Clue.Status.ACKNOWLEDGED
    queue = list(
        for_unit.filter(status__in=[transferred, acknowledged])
        .annotate(
            pending_total=total_of(for_unit.filter(status=transferred)),
            in_progress_total=total_of(for_unit.filter(status=acknowledged)),
            waiting_first=Case(When(status=transferred, then=Value(0)), default=Value(1)),
        )
        .order_by("waiting_first", "-created_at", "-id")[:5]
    )
    counts = {
        "pending": queue[0].pending_total if queue else 0,
        "in_progress": queue[0].in_progress_total if queue else 0,
    }
    # The first five to triage each carry the number of all of them: one query, not two.
    first_to_triage = list(to_triage.annotate(total=total_of(to_triage))[:5])
    return {
        "to_triage": first_to_triage,
        "to_triage_count": first_to_triage[0].total if first_to_triage else 0,
        "pending": [clue for clue in queue if clue.status == transferred],
        "pending_count": counts["pending"],
        "in_progress_count": counts["in_progress"],
    }
