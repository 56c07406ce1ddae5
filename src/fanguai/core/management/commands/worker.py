import threading

from django.core.management import call_command
from django.core.management.base import BaseCommand

from fanguai.core.periodic import jobs, run_scheduler


class Command(BaseCommand):
    help = "Run the background task worker (django-tasks db_worker) and the periodic-job scheduler."

    def handle(self, *args, **options):
        stop = threading.Event()
        scheduler = threading.Thread(target=run_scheduler, args=(stop,), name="scheduler", daemon=True)
        scheduler.start()
        self.stdout.write(
            f"worker started; periodic jobs: {', '.join(j.task_path for j in jobs()) or 'none'}"
        )
        try:
            call_command("db_worker", interval=1)
        finally:
            stop.set()
