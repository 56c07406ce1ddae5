"""Re-matching every comparison on a distributed engine (Spark), stored exactly as the local run stores it.

`comparison.compare` searches each typed specimen against the opposite side on this machine. Here the same
searches (`plan` mirrors `comparison.queries_for`) become one Spark job of `fanguai.kinship.distributed`:
the reference sets are exported as Parquet, the queries and the covering model are broadcast, and the
top k of every query comes back. Each hit then goes through the very same `evaluate`, `classify` and
`store` as the local run, so both engines give the same candidates.

A job can also be exported (`export_job`), submitted to a cluster with ``spark-submit`` and its results
imported later (`import_results`): the plan (which query belongs to which specimen) travels in the job
folder as ``plan.json``.
"""

from __future__ import annotations

import json
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path

from django.db import transaction

from fanguai.kinship import SearchQuery
from fanguai.kinship import distributed as engine

from . import comparison
from .comparison import Found, Sets
from .models import FOUND_SIDE, AnalysisSettings, Candidate, Category

PLAN_FILE = "plan.json"
SINGLES, COUPLES, FOUND = "singles", "couples", "found"


def relatives_set(relation: str) -> str:
    return f"relatives:{relation}"


@dataclass(frozen=True)
class Planned:
    """A query of one specimen: how a hit (reference ids) becomes a `Found`.

    ``role``: ``found`` (the specimen is on the found side, the reference is family: a single parent, a
    couple or a relative) or ``family`` (the specimen, or its couple, is the family side; the reference
    is found). ``family``/``partner``: the family specimen ids when the specimen is on the family side.
    """

    number: int
    specimen: int
    target: str
    role: str
    relationship: str
    family: int | None = None
    partner: int | None = None

    def found(self, reference: tuple[str, ...], rank: int) -> Found:
        if self.role == "found":
            partner = int(reference[1]) if len(reference) > 1 else None
            return Found(int(reference[0]), partner, self.specimen, self.relationship, rank)
        return Found(self.family, self.partner, int(reference[0]), self.relationship, rank)


def plan(
    specimen_ids: Iterable[int], sets: Sets, settings: AnalysisSettings
) -> tuple[engine.Job, list[dict], list[Planned]]:
    """The job (covering model, reference sets, queries), the reference rows and the plan of queries.

    Mirrors `comparison.build_indexes` and `comparison.queries_for` query by query.
    """
    model = comparison.model_for(settings).covering(list(sets.profiles.values()))
    members: dict[str, list[tuple[tuple[str, ...], list]]] = {}
    if sets.singles:
        members[SINGLES] = [((str(i),), [sets.profiles[i]]) for i in sets.singles]
    if sets.couples:
        members[COUPLES] = [((str(m), str(f)), [sets.profiles[m], sets.profiles[f]]) for m, f in sets.couples]
    for relation, ids in sets.relatives.items():
        if ids:
            members[relatives_set(relation)] = [((str(i),), [sets.profiles[i]]) for i in ids]
    if sets.found:
        members[FOUND] = [((str(i),), [sets.profiles[i]]) for i in sets.found]
    reference_sets = {
        name: engine.reference_set(
            name,
            engine.COUPLE if name == COUPLES else engine.SINGLE,
            model,
            [p for _, profiles in rows for p in profiles],
        )
        for name, rows in members.items()
    }
    rows = [
        engine.reference_row(name, row, ids, profiles)
        for name, entries in members.items()
        for row, (ids, profiles) in enumerate(entries)
    ]

    queries: list[engine.Query] = []
    planned: list[Planned] = []

    def add(specimen_id: int, target: str, query: SearchQuery, role: str, relationship: str, **family):
        number = len(queries)
        queries.append(engine.Query(number, target, query))
        planned.append(Planned(number, specimen_id, target, role, relationship, **family))

    for specimen_id in specimen_ids:
        if specimen_id not in sets.profiles:
            continue
        specimen = sets.specimens[specimen_id]
        profile = sets.profiles[specimen_id]
        if specimen.category in FOUND_SIDE:
            if SINGLES in members:
                add(specimen_id, SINGLES, SearchQuery("parent", (profile,)), "found", "parent-child")
            if COUPLES in members:
                add(specimen_id, COUPLES, SearchQuery("couple", (profile,)), "found", "couple")
            for relation, ids in sets.relatives.items():
                if ids:
                    add(
                        specimen_id,
                        relatives_set(relation),
                        SearchQuery(relation, (profile,)),
                        "found",
                        relation,
                    )
            continue
        if FOUND not in members:
            continue
        if specimen.category == Category.RELATIVE:
            relation = specimen.relation or "full-siblings"
            add(specimen_id, FOUND, SearchQuery(relation, (profile,)), "family", relation, family=specimen_id)
            continue
        couple = comparison.couple_of(specimen, sets)
        if couple is not None:
            mother, father = couple
            query = SearchQuery("child", (sets.profiles[mother], sets.profiles[father]))
            add(specimen_id, FOUND, query, "family", "couple", family=mother, partner=father)
        else:
            query = SearchQuery("child", (profile,))
            add(specimen_id, FOUND, query, "family", "parent-child", family=specimen_id)

    job = engine.Job(
        model=model,
        sets=reference_sets,
        queries=queries,
        top=settings.top,
        lead_lr=settings.lead_threshold,
        thresholds=comparison.thresholds_for(settings),
    )
    return job, rows, planned


def export_job(directory: Path, specimen_ids: Iterable[int], settings: AnalysisSettings) -> engine.Job:
    """Write the job folder: ``job.pickle``, ``references.parquet`` and ``plan.json``."""
    sets = comparison.load_sets()
    job, rows, planned = plan(specimen_ids, sets, settings)
    engine.write_inputs(directory, job, rows)
    (Path(directory) / PLAN_FILE).write_text(
        json.dumps(
            {
                "analysis": settings.pk,
                "queries": [
                    [p.number, p.specimen, p.target, p.role, p.relationship, p.family, p.partner]
                    for p in planned
                ],
            }
        ),
        encoding="utf-8",
    )
    return job


def read_plan(directory: Path) -> tuple[int, list[Planned]]:
    data = json.loads((Path(directory) / PLAN_FILE).read_text(encoding="utf-8"))
    return data["analysis"], [Planned(*row) for row in data["queries"]]


def store_results(
    result: engine.Result, planned: list[Planned], settings: AnalysisSettings, progress=None
) -> list[Candidate]:
    """Evaluate, classify and store each query's top k, specimen by specimen (as `comparison.compare`)."""
    sets = comparison.load_sets()
    model = comparison.model_for(settings).covering(list(sets.profiles.values()))
    thresholds = comparison.thresholds_for(settings)
    by_specimen: dict[int, list[Planned]] = {}
    for item in planned:
        by_specimen.setdefault(item.specimen, []).append(item)
    kept: dict[str, Candidate] = {}
    for position, items in enumerate(by_specimen.values(), start=1):
        with transaction.atomic():
            for item in items:
                for hit in result.top.get(item.number, []):
                    found = item.found(hit.reference, hit.rank)
                    if not _present(found, sets):
                        continue  # deleted since the export
                    evaluated = comparison.evaluate(found, sets, model, thresholds)
                    kind = comparison.classify(evaluated, found.rank, settings)
                    if kind is not None:
                        candidate = comparison.store(found, evaluated, kind, settings)
                        kept[candidate.pair_key] = candidate
        if progress is not None:
            progress(position, len(by_specimen))
    return list(kept.values())


def _present(found: Found, sets: Sets) -> bool:
    ids = [found.family, found.found] + ([found.partner] if found.partner is not None else [])
    return all(i in sets.profiles for i in ids)


def import_results(directory: Path, progress=None) -> list[Candidate]:
    """Store the results of a job run elsewhere (``top/`` of the job folder)."""
    analysis_id, planned = read_plan(directory)
    settings = AnalysisSettings.objects.get(pk=analysis_id)
    return store_results(engine.read_results(directory), planned, settings, progress)


def spark_compare(
    *, directory: Path, master: str = "local[2]", partitions: int | None = None, query_blocks: int = 1
):
    """A `comparison.compare` replacement that runs the searches as a Spark job (for `execute_run`)."""

    def compare(specimen_ids, settings: AnalysisSettings, progress=None) -> list[Candidate]:
        specimen_ids = list(specimen_ids)
        Path(directory).mkdir(parents=True, exist_ok=True)
        Path(directory).chmod(0o700)  # genotypes in clear
        export_job(directory, specimen_ids, settings)
        _, planned = read_plan(directory)
        spark = engine.spark_session(master)
        try:
            result = engine.run_spark(spark, directory, partitions, query_blocks)
        finally:
            spark.stop()
        compare.result = result  # the caller reports the figures
        return store_results(result, planned, settings, progress)

    compare.result = None
    return compare


# --- Entry points of `fanguai dna rematch` (policy-checked and audited) --------------------------------


def _deny_unless_can_start(actor) -> None:
    from django.core.exceptions import PermissionDenied

    from fanguai.core.policies import policy_for

    from .models import ComparisonRun

    if not policy_for(ComparisonRun).can(actor, "start"):
        raise PermissionDenied


def export_for(*, actor, directory: Path) -> engine.Job:
    """Write a job folder for a cluster run. It holds every genotype in clear: audited, owner-only."""
    from fanguai.audit.services import record_event

    _deny_unless_can_start(actor)
    directory = Path(directory)
    directory.mkdir(parents=True, exist_ok=True)
    directory.chmod(0o700)
    settings = comparison.active_settings()
    job = export_job(directory, comparison.all_typed_specimen_ids(), settings)
    record_event(
        "dna.rematch.export",
        actor=actor,
        object_type="dna.analysissettings",
        object_id=settings.pk,
        details={"queries": len(job.queries), "reference_sets": sorted(job.sets)},
    )
    return job


def check_import(directory: Path) -> None:
    """Refuse results computed with other settings than the active ones."""
    analysis_id, _ = read_plan(directory)
    if analysis_id != comparison.active_settings().pk:
        raise ValueError(
            f"the job was exported with analysis settings {analysis_id}; the active settings changed since"
        )


def imported_compare(directory: Path):
    """A `comparison.compare` replacement that stores the results of a job run elsewhere."""

    def compare(specimen_ids, settings: AnalysisSettings, progress=None) -> list[Candidate]:
        return import_results(directory, progress)

    return compare
