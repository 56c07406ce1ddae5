"""Background comparison jobs, run by the task worker after the import or settings change commits."""

from django_tasks import task


@task()
def run_comparison(run_id: int) -> dict:
    from .services import execute_run

    run = execute_run(run_id)
    return {"status": run.status, "searched": run.done, "candidates": run.candidates}
