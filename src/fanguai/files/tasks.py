from django_tasks import task

from .services import purge_orphan_blobs


@task()
def purge_orphan_files() -> dict:
    """Housekeeping for the worker (daily is plenty): remove stored bytes that no row points to."""
    return {"deleted": purge_orphan_blobs()}
