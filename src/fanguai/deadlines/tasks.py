from django_tasks import task

from .services import sweep


@task()
def sweep_deadlines() -> dict:
    """The periodic job: the worker enqueues it every PERIODIC_INTERVAL seconds."""
    result = sweep()
    return {"warned": result.warned, "late": result.late}
