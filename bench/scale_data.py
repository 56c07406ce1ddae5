"""Scale the demo data to a year of a city's work, for bench/web_load.py: copies of the demo's persons, clues
and missing reports (with new random numbers, spread over the past year), written with bulk inserts. Scale
1.0 is one year of a city of Lu'an's size as the benchmark assumes it (YEAR below); 0.05 is a quick check.

Run inside the platform's settings (FANGUAI_DATA_DIR / DATABASE_URL of the benchmark's throwaway database):

    FANGUAI_DATA_DIR=... DATABASE_URL=... .venv/bin/python bench/scale_data.py --scale 1.0

It is a benchmark helper only: no production code path exists for it, and it refuses a database that holds
more than the demo (a real deployment) unless --force is given.
"""

import argparse
import json
import os
import random
import sys
import time
from datetime import timedelta

# One year of a city's work (tens of thousands of clues, reports and persons).
YEAR = {"persons": 30_000, "clues": 40_000, "missing_reports": 6_000}
BATCH = 2_000
DATE_CHUNK = 50  # rows that share one creation date
MAX_DEMO_PERSONS = 500  # more persons than this: not a demo database


def targets(scale: float) -> dict[str, int]:
    """How many rows of each kind to add at ``scale`` (at least one of each)."""
    if not 0 < scale <= 10:
        raise ValueError("scale must be in (0, 10]")
    return {kind: max(1, round(count * scale)) for kind, count in YEAR.items()}


def _copies(templates: list, count: int, rng: random.Random, prepare) -> list:
    """``count`` unsaved copies of the template rows, each prepared (new numbers, dates) by ``prepare``."""
    rows = []
    for index in range(count):
        row = rng.choice(templates)
        copy = type(row).from_db(
            row._state.db,
            [f.attname for f in row._meta.concrete_fields],
            [getattr(row, f.attname) for f in row._meta.concrete_fields],
        )
        copy.pk = None
        copy._state.adding = True
        prepare(copy, index)
        rows.append(copy)
    return rows


def scale(scale_factor: float, seed: int = 2022) -> dict[str, int]:
    from django.db import connection, transaction
    from django.utils import timezone

    from fanguai.clues.models import Clue, new_clue_number
    from fanguai.missing.models import MissingReport, new_report_number
    from fanguai.people.models import Person, new_person_number

    wanted = targets(scale_factor)
    rng = random.Random(seed)  # noqa: S311 - repeatable bench data, not security
    now = timezone.now()

    def some_day() -> timedelta:
        return timedelta(days=rng.uniform(0, 365))

    persons = list(Person.objects.all()[:200])
    clues = list(Clue.objects.all()[:200])
    reports = list(MissingReport.objects.all()[:200])
    if not persons or not clues or not reports:
        raise RuntimeError("load the demo data first: fanguai setup --demo")
    added = {}
    with transaction.atomic():

        def person(copy, index):
            copy.number = new_person_number()

        made = _copies(persons, wanted["persons"], rng, person)
        for start in range(0, len(made), BATCH):
            Person.objects.bulk_create(made[start : start + BATCH])
        added["persons"] = len(made)
        new_people = list(Person.objects.order_by("-pk")[: min(len(made), 5_000)])

        def clue(copy, index):
            copy.number = new_clue_number()
            copy.submission_key = None
            copy.description = f"{copy.description}（基准数据 {index}）"

        made = _copies(clues, wanted["clues"], rng, clue)
        for start in range(0, len(made), BATCH):
            Clue.objects.bulk_create(made[start : start + BATCH])
        added["clues"] = len(made)

        def report(copy, index):
            copy.number = new_report_number()
            copy.person = rng.choice(new_people)
            copy.last_seen_at = now - some_day()

        made = _copies(reports, wanted["missing_reports"], rng, report)
        for start in range(0, len(made), BATCH):
            MissingReport.objects.bulk_create(made[start : start + BATCH])
        added["missing_reports"] = len(made)

        # Spread the creation dates over the year, as a year of work would have them.
        for model in (Person, Clue):
            field = "created_at"
            pks = list(
                model.objects.order_by("-pk").values_list("pk", flat=True)[
                    : added["persons" if model is Person else "clues"]
                ]
            )
            for start in range(0, len(pks), DATE_CHUNK):
                chunk = pks[start : start + DATE_CHUNK]
                model.objects.filter(pk__in=chunk).update(**{field: now - some_day()})
    # Fresh planner statistics, as autovacuum would have them for a year of data that grew day by day: right
    # after a bulk load PostgreSQL's estimates are those of the demo data and its plans are wrong.
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("ANALYZE")
    return added


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--scale", type=float, default=1.0)
    parser.add_argument("--force", action="store_true", help="also on a database with more than the demo")
    args = parser.parse_args()
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "fanguai.settings")
    import django

    django.setup()
    from fanguai.people.models import Person

    if Person.objects.count() > MAX_DEMO_PERSONS and not args.force:
        print("this database holds more than the demo data; refusing (use --force)", file=sys.stderr)
        return 2
    started = time.perf_counter()
    added = scale(args.scale)
    print(
        json.dumps({"scale": args.scale, "added": added, "seconds": round(time.perf_counter() - started, 1)})
    )
    return 0


if __name__ == "__main__":
    sys.exit(main())
