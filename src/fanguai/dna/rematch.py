"""Re-matching every comparison on a distributed engine (Spark), stored exactly as the local run stores it.

`comparison.compare` searches each typed specimen against the opposite side on this machine. Here the same
searches (`comparison.searches_for`, over the reference sets of `comparison.reference_sets`) become one
Spark job of `fanguai.kinship.distributed`: the reference sets are exported as Parquet, the queries and the
covering model are broadcast, and the top k of every query and every pair at or above the lead threshold
come back. Each of those pairs then goes through the very same `comparison.keep` (evaluate, classify,
store) as the local run, and the registered pedigrees are searched here as the local run searches them,
so both engines give the same candidates.

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

from fanguai.kinship import ProfileIndex
from fanguai.kinship import distributed as engine

from . import comparison
from .comparison import Found, Search, Sets
from .models import AnalysisSettings, Candidate, FamilyPedigree

PLAN_FILE = "plan.json"
# The job's reference sets are named as the local run names them.
SINGLES, COUPLES, FOUND = comparison.SINGLES, comparison.COUPLES, comparison.FOUND
relatives_set = comparison.relatives_set


@dataclass(frozen=True)
class Planned:
    """Query ``number`` of the job: the `comparison.Search` it runs (without its query once read back)."""

    number: int
    search: Search

    @property
    def specimen(self) -> int:
        return self.search.specimen

    def found(self, reference: tuple[str, ...], rank: int) -> Found:
        return self.search.found(reference, rank)

    def row(self) -> list:
        """The row of ``plan.json``: number, specimen, target, role, relationship, family, partner."""
        s = self.search
        return [self.number, s.specimen, s.target, s.role, s.relationship, s.family, s.partner]

    @classmethod
    def from_row(cls, row: list) -> Planned:
        return cls(row[0], Search(*row[1:7]))


def plan(
    specimen_ids: Iterable[int], sets: Sets, settings: AnalysisSettings
) -> tuple[engine.Job, list[dict], list[Planned]]:
    """The job (covering model, reference sets, queries), the reference rows and the plan of queries:
    the reference sets and searches of the local run (`comparison.reference_sets`, `searches_for`)."""
    model = comparison.model_for(settings).covering(list(sets.profiles.values()))
    members = comparison.reference_sets(sets)
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
    for specimen_id in specimen_ids:
        if specimen_id not in sets.profiles:
            continue
        for search in comparison.searches_for(specimen_id, sets):
            number = len(queries)
            queries.append(engine.Query(number, search.target, search.query))
            planned.append(Planned(number, search))
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
                "queries": [p.row() for p in planned],
            }
        ),
        encoding="utf-8",
    )
    return job


def read_plan(directory: Path) -> tuple[int, list[Planned]]:
    data = json.loads((Path(directory) / PLAN_FILE).read_text(encoding="utf-8"))
    return data["analysis"], [Planned.from_row(row) for row in data["queries"]]


def hits_of(result: engine.Result) -> dict[int, list[engine.Hit]]:
    """Per query, its top k (ranked) and then every lead beyond them (pairs at or above the lead
    threshold), ranked on in the order `search` ranks: what the local run's widened search keeps."""
    hits = {number: list(top) for number, top in result.top.items()}
    leads: dict[int, list[engine.Hit]] = {}
    for hit in result.leads:
        leads.setdefault(hit.query, []).append(hit)
    for number, extra in leads.items():
        kept = hits.setdefault(number, [])
        seen = {hit.reference for hit in kept}
        for hit in sorted(extra, key=engine.Hit.order):
            if hit.reference not in seen:
                seen.add(hit.reference)
                kept.append(hit)
    return hits


def store_results(
    result: engine.Result, planned: list[Planned], settings: AnalysisSettings, progress=None
) -> list[Candidate]:
    """Evaluate, classify and store each query's top k and leads, and search the registered pedigrees,
    specimen by specimen (as `comparison.compare`)."""
    sets = comparison.load_sets()
    model = comparison.model_for(settings).covering(list(sets.profiles.values()))
    thresholds = comparison.thresholds_for(settings)
    pedigrees = comparison.PedigreeSearch(sets, model, _found_index(sets, model), thresholds)
    hits = hits_of(result)
    by_specimen: dict[int, list[Planned]] = {}
    for item in planned:
        by_specimen.setdefault(item.specimen, []).append(item)
    kept: dict[str, Candidate] = {}
    for position, (specimen_id, items) in enumerate(by_specimen.items(), start=1):
        with transaction.atomic():
            for item in items:
                for rank, hit in enumerate(hits.get(item.number, []), start=1):
                    found = item.found(hit.reference, rank)
                    if not _present(found, sets):
                        continue  # deleted since the export
                    candidate = comparison.keep(found, sets, model, thresholds, settings)
                    if candidate is not None:
                        kept[candidate.pair_key] = candidate
            if specimen_id in sets.profiles:
                for candidate in pedigrees.compare(specimen_id, settings):
                    kept[candidate.pair_key] = candidate
        if progress is not None:
            progress(position, len(by_specimen))
    return list(kept.values())


def _found_index(sets: Sets, model) -> ProfileIndex | None:
    """The found side's index, for the pedigree searches (only built when a pedigree is registered)."""
    if not sets.found or not FamilyPedigree.objects.exists():
        return None
    return ProfileIndex.build({str(i): sets.profiles[i] for i in sets.found}, model)


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
