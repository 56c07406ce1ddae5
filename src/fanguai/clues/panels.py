from fanguai.core.pagination import COUNT_LIMIT
from fanguai.core.queries import total_of

from .models import Clue
from .policies import triage_scope
from .selectors import visible_clues


def clue_queue(user) -> dict | None:
    """The home-page panel: new clues to triage, and clues transferred to the user's unit."""
    to_triage = visible_clues(user, queue="triage") if triage_scope(user) is not None else Clue.objects.none()
    for_unit = visible_clues(user, queue="unit")
    # The unit's queue: the five newest clues awaiting acknowledgement, each carrying both counts (one query,
    # walking the unit/status/date index instead of sorting every open clue of the unit); the counts alone
    # are asked for only when nothing awaits acknowledgement. Each counts at most COUNT_LIMIT + 1 rows ("1000+").
    transferred, acknowledged = Clue.Status.TRANSFERRED, Clue.Status.ACKNOWLEDGED
    pending_total = total_of(for_unit.filter(status=transferred), limit=COUNT_LIMIT)
    in_progress_total = total_of(for_unit.filter(status=acknowledged), limit=COUNT_LIMIT)
    pending = list(
        for_unit.filter(status=transferred)
        .annotate(pending_total=pending_total, in_progress_total=in_progress_total)
        .order_by("-created_at", "-id")[:5]
    )
    if pending:
        counts = {"pending": pending[0].pending_total, "in_progress": pending[0].in_progress_total}
    else:
        in_progress = for_unit.filter(status=acknowledged).order_by()[: COUNT_LIMIT + 1]
        counts = {"pending": 0, "in_progress": in_progress.count()}
    # The first five to triage each carry the number of all of them: one query, not two.
    first_to_triage = list(to_triage.annotate(total=total_of(to_triage, limit=COUNT_LIMIT))[:5])
    return {
        "to_triage": first_to_triage,
        "to_triage_count": first_to_triage[0].total if first_to_triage else 0,
        "pending": pending,
        "pending_count": counts["pending"],
        "in_progress_count": counts["in_progress"],
    }
