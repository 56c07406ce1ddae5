from django_tasks import task

from .abuse import purge_old


@task()
def purge_abuse_counters() -> dict:
    """The periodic job: drop rate-limit counters of past hours."""
    return {"deleted": purge_old()}
