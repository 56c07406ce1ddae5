from django_tasks import task

from .services import purge_expired


@task()
def purge_audit_events() -> int:
    return purge_expired()
