"""`fanguai dna rematch`: the local engine (as `rerun --now`), the Spark engine (local[2]) and a job folder
exported for a cluster, run elsewhere and imported store the same candidates on a planted data set."""

import io
import stat

import numpy as np
import pytest
from django.core.management import call_command
from django.core.management.base import CommandError

from fanguai.audit.models import AuditEvent
from fanguai.dna import comparison, rematch
from fanguai.dna.models import AnalysisSettings, Candidate, Category, ComparisonRun
from fanguai.dna.services import import_profiles
from fanguai.dna.simulate import child_of, long_csv, random_profile
from fanguai.kinship import distributed as engine
from fanguai.kinship import search

from .conftest import collect


@pytest.fixture
def planted(alice, analyst, rng):
    """Couples with their found children (one with a mutation), a father alone whose child is typed at few
    loci (a lead), a sibling and a found sibling, a mother and a couple whose children are not there
    (exclusions), and unrelated found persons. Imported without running any comparison."""
    profiles = {}

    def specimen(category, profile, **extra):
        _, sample = collect(alice, category, **extra)
        profiles[sample.number] = profile
        return sample

    for n, mutate in enumerate([None, "D18S51", None]):
        mother, father = random_profile(rng), random_profile(rng)
        m = specimen(Category.PARENT, mother, name=f"母{n}", sex="female")
        specimen(Category.PARENT, father, name=f"父{n}", sex="male", partner=m)
        specimen(Category.UNKNOWN_ORIGIN, child_of(rng, mother, father, mutate=mutate))
    father = random_profile(rng)
    child = child_of(rng, random_profile(rng), father)
    specimen(Category.PARENT, father, name="单父", sex="male")
    specimen(Category.RESCUED, {locus: child[locus] for locus in list(child)[:6]})
    mother, father = random_profile(rng), random_profile(rng)
    specimen(Category.RELATIVE, child_of(rng, mother, father), name="姐姐", relation="full-siblings")
    specimen(Category.UNKNOWN_ORIGIN, child_of(rng, mother, father))
    specimen(Category.PARENT, random_profile(rng), name="单母", sex="female")
    m = specimen(Category.PARENT, random_profile(rng), name="母x", sex="female")
    specimen(Category.PARENT, random_profile(rng), name="父x", sex="male", partner=m)
    for _ in range(4):
        specimen(Category.UNKNOWN_ORIGIN, random_profile(rng))
    import_profiles(actor=analyst, text=long_csv(profiles), kit="globalfiler")  # its run is never executed
    settings = comparison.active_settings()
    settings.top = 3
    settings.save()
    assert not Candidate.objects.exists()
    return profiles


def stored():
    return {
        c.pair_key: (
            c.kind,
            c.relationship,
            c.total_lr,
            c.log10_lr,
            c.conclusion,
            tuple(c.inconsistent_loci),
            c.family_specimen_id,
            c.partner_specimen_id,
            c.found_specimen_id,
        )
        for c in Candidate.objects.all()
    }


def rematch_command(analyst, *args):
    out = io.StringIO()
    call_command("dna", "rematch", "--user", analyst.username, *args, stdout=out)
    return out.getvalue()


def local_candidates(analyst):
    output = rematch_command(analyst)
    assert "done" in output
    local = stored()
    kinds = {value[0] for value in local.values()}
    assert {Candidate.Kind.MATCH, Candidate.Kind.LEAD, Candidate.Kind.EXCLUDED} <= kinds
    assert sum(value[1] == "couple" and value[0] == Candidate.Kind.MATCH for value in local.values()) == 3
    Candidate.objects.all().delete()
    return local


def searched(mode, persons, size):
    return (mode, tuple(tuple(sorted(p.items())) for p in persons), size)


def test_an_exported_job_run_elsewhere_and_imported_stores_what_the_local_engine_stores(
    planted, analyst, tmp_path, monkeypatch
):
    local_searches = []

    def spy(index, query, **options):
        local_searches.append(searched(query.mode, query.persons, len(index)))
        return search(index, query, **options)

    monkeypatch.setattr(comparison, "search", spy)
    local = local_candidates(analyst)
    folder = tmp_path / "job"
    assert "queries" in rematch_command(analyst, "--export", str(folder))
    # The job makes exactly the searches of the local run (same modes, query profiles and reference sets;
    # the local run repeats a search with a larger k while its last hit still reaches the lead threshold).
    sizes: dict[str, int] = {}
    for row in engine.read_references(folder):
        sizes[row["set"]] = sizes.get(row["set"], 0) + 1
    job_searches = [
        searched(q.query.mode, q.query.persons, sizes[q.target]) for q in engine.read_job(folder).queries
    ]
    assert sorted(set(job_searches)) == sorted(set(local_searches))
    assert stat.S_IMODE(folder.stat().st_mode) == 0o700  # genotypes in clear: owner only
    assert AuditEvent.objects.filter(action="dna.rematch.export", actor_username=analyst.username).exists()
    # What spark-submit does on the cluster, here without Spark.
    assert engine.main([str(folder), "--in-process", "--partitions", "3"]) == 0
    assert not Candidate.objects.exists()
    output = rematch_command(analyst, "--import", str(folder))
    assert "done" in output
    assert stored() == local
    run = ComparisonRun.objects.order_by("-id").first()
    assert run.status == ComparisonRun.Status.DONE and run.candidates == len(local)


def test_results_of_other_settings_are_refused(planted, analyst, tmp_path):
    rematch_command(analyst, "--export", str(tmp_path / "job"))
    AnalysisSettings.objects.update(is_active=False)
    AnalysisSettings.objects.create(frequency_name="str-allele-frequencies-chinese.csv", match_threshold=1e5)
    engine.main([str(tmp_path / "job"), "--in-process"])
    with pytest.raises(CommandError, match="settings"):
        rematch_command(analyst, "--import", str(tmp_path / "job"))
    assert not Candidate.objects.exists()


def test_only_an_analyst_rematches(planted, alice):
    with pytest.raises(CommandError, match="not an active DNA analyst"):
        rematch_command(alice, "--engine", "local")


@pytest.mark.spark
def test_the_spark_engine_stores_what_the_local_engine_stores(planted, analyst, tmp_path, spark_available):
    local = local_candidates(analyst)
    folder = tmp_path / "spark"
    output = rematch_command(
        analyst, "--engine", "spark", "--master", "local[2]", "--partitions", "2", "--workdir", str(folder)
    )
    assert "done" in output and "comparisons in" in output
    assert stored() == local
    # The job's top k is the one-machine search's, query by query: same references, ranks and LRs.
    job, result = engine.read_job(folder), engine.read_results(folder)
    settings = comparison.active_settings()
    indexes = comparison.build_indexes(comparison.load_sets(), comparison.model_for(settings))
    targets = {
        rematch.SINGLES: indexes.singles,
        rematch.COUPLES: indexes.couples,
        rematch.FOUND: indexes.found,
        **{rematch.relatives_set(r): index for r, index in indexes.relatives.items()},
    }
    assert len(job.queries) > 10
    for query in job.queries:
        hits = search(targets[query.target], query.query, top=job.top, thresholds=job.thresholds)
        expected = [(h.rank, h.reference if isinstance(h.reference, tuple) else (h.reference,)) for h in hits]
        got = result.top.get(query.number, [])
        assert [(h.rank, h.reference) for h in got] == expected
        assert np.array_equal(np.float32([h.total_lr for h in got]), np.float32([h.total_lr for h in hits]))
