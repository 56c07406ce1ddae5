from django_tasks import task

from .abuse import purge_old


@task()
def purge_abuse_counters() -> dict:
    """The periodic job: drop rate-limit counters of past hours."""
    return {"deleted": purge_old()}


@task()
def announce_public_report(clue_id: int) -> dict:
    """Notify the triagers of a public report once it is stored (enqueued when its transaction commits)."""
    from .models import Clue
    from .services import announce_new_clue

    clue = Clue.objects.filter(pk=clue_id).select_related("county").first()
    if clue is None:
        return {"status": "missing"}
    announce_new_clue(clue)
    return {"status": "announced"}
