"""Periodic jobs: apps register a task and an interval; the worker process enqueues each when it is due.
(django-tasks has no scheduler; this is the smallest one that works on SQLite and PostgreSQL alike.)"""

import logging
import threading
import time
from dataclasses import dataclass

from django.db import close_old_connections
from django.utils.module_loading import import_string

logger = logging.getLogger(__name__)


@dataclass(frozen=True)
class PeriodicJob:
    task_path: str
    every_seconds: int


_jobs: list[PeriodicJob] = []


def add_periodic(task_path: str, every_seconds: int) -> None:
    _jobs.append(PeriodicJob(task_path, every_seconds))


def jobs() -> list[PeriodicJob]:
    return list(_jobs)


def run_scheduler(stop: threading.Event, tick: float = 1.0) -> None:
    last_run: dict[str, float] = {}
    while not stop.is_set():
        now = time.monotonic()
        for job in _jobs:
            if now - last_run.get(job.task_path, -1e12) >= job.every_seconds:
                last_run[job.task_path] = now
                try:
                    import_string(job.task_path).enqueue()
                except Exception:  # a failed enqueue must not stop the scheduler
                    logger.exception("could not enqueue %s", job.task_path)
                finally:
                    close_old_connections()
        stop.wait(tick)
