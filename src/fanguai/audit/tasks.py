from django_tasks import task

from .services import purge_expired


@task()
def purge_audit_events() -> int:
    return purge_expired()


@task()
def write_audit_checkpoint() -> int | None:
    """Anchor the chain's head outside the database (when it has moved since the last checkpoint)."""
    from .checkpoints import write

    checkpoint = write()
    return checkpoint.last_id if checkpoint else None
