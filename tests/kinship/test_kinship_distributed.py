"""Re-matching as a partitioned job: the merged top k equals one search over the whole set, every pair above
the lead threshold is found, and the Spark job (local[2]) gives what the in-process run gives."""

from __future__ import annotations

import random

import pytest

from fanguai.kinship import distributed as engine
from fanguai.kinship.frequencies import default_frequencies
from fanguai.kinship.kits import GLOBALFILER
from fanguai.kinship.lr import KinshipModel
from fanguai.kinship.search import CoupleIndex, ProfileIndex, SearchQuery, search


def random_profile(rng: random.Random) -> dict:
    table = default_frequencies()
    profile = {}
    for locus in GLOBALFILER:
        data = table.locus(locus)
        first, second = rng.choices(data.alleles, weights=list(data.frequencies), k=2)
        profile[locus] = (first, second)
    return profile


def child_of(rng: random.Random, mother: dict, father: dict) -> dict:
    return {locus: (rng.choice(mother[locus]), rng.choice(father[locus])) for locus in GLOBALFILER}


@pytest.fixture(scope="module")
def planted():
    """Singles with a planted parent and a duplicate (a tie across partitions), couples with a planted
    couple, and queries of four modes."""
    rng = random.Random(11)
    singles = {f"S{i}": random_profile(rng) for i in range(40)}
    couples = [(f"M{i}", random_profile(rng), f"F{i}", random_profile(rng)) for i in range(25)]
    mother, father = couples[17][1], couples[17][3]
    child = child_of(rng, mother, father)
    parent = singles["S23"]
    singles["S31"] = dict(parent)  # same profile twice: equal LRs, ranked by row
    child_of_single = child_of(rng, parent, random_profile(rng))
    model = KinshipModel(default_frequencies()).covering(
        [*singles.values(), *(c[1] for c in couples), *(c[3] for c in couples), child, child_of_single]
    )
    sets = {
        "singles": engine.reference_set("singles", engine.SINGLE, model, singles.values()),
        "couples": engine.reference_set(
            "couples", engine.COUPLE, model, [p for c in couples for p in (c[1], c[3])]
        ),
    }
    rows = [engine.reference_row("singles", r, (i,), [p]) for r, (i, p) in enumerate(singles.items())]
    rows += [engine.reference_row("couples", r, (c[0], c[2]), [c[1], c[3]]) for r, c in enumerate(couples)]
    queries = [
        engine.Query(0, "singles", SearchQuery("parent", (child_of_single,))),
        engine.Query(1, "couples", SearchQuery("couple", (child,))),
        engine.Query(2, "singles", SearchQuery("full-siblings", (child_of_single,))),
        engine.Query(3, "singles", SearchQuery("child", (mother, father))),
    ]
    indexes = {
        "singles": ProfileIndex.build(singles, model, loci=sets["singles"].loci),
        "couples": CoupleIndex.build(couples, model, loci=sets["couples"].loci),
    }
    return {"model": model, "sets": sets, "rows": rows, "queries": queries, "indexes": indexes}


def job_of(planted, top=5, lead_lr=None):
    return engine.Job(planted["model"], planted["sets"], planted["queries"], top=top, lead_lr=lead_lr)


def expected_top(planted, query, top):
    hits = search(planted["indexes"][query.target], query.query, top=top)
    return [
        (h.rank, tuple(h.reference) if isinstance(h.reference, tuple) else (h.reference,), h.total_lr)
        for h in hits
    ]


def as_triples(hits):
    return [(h.rank, h.reference, h.total_lr) for h in hits]


@pytest.mark.parametrize(("partitions", "blocks"), [(1, 1), (3, 1), (7, 1), (3, 2)])
def test_merged_top_k_equals_one_search_over_the_whole_set(planted, partitions, blocks):
    job = job_of(planted, top=5)
    result = engine.run_in_process(job, planted["rows"], partitions=partitions, query_blocks=blocks)
    for query in planted["queries"]:
        assert as_triples(result.top[query.number]) == expected_top(planted, query, 5)
    # The planted relatives are first; the duplicated parent ties with itself, the lower row first.
    assert result.top[0][0].reference == ("S23",) and result.top[0][1].reference == ("S31",)
    assert result.top[0][0].total_lr == result.top[0][1].total_lr
    assert result.top[1][0].reference == ("M17", "F17")
    assert result.comparisons == 3 * 40 + 25


def test_every_pair_at_or_above_the_lead_threshold_is_output_beyond_the_top_k(planted):
    query = planted["queries"][2]  # full siblings: many references above a low threshold
    everything = search(planted["indexes"]["singles"], query.query, top=40)
    lead = sorted(h.total_lr for h in everything)[-12]  # twelve pairs (at least) qualify
    expected = sorted((h.reference for h in everything if h.total_lr >= lead), key=lambda r: int(r[1:]))
    assert len(expected) >= 12
    result = engine.run_in_process(job_of(planted, top=2, lead_lr=lead), planted["rows"], partitions=3)
    found = sorted((h.reference[0] for h in result.leads if h.query == 2), key=lambda r: int(r[1:]))
    assert found == expected
    assert len(result.top[2]) == 2
    assert all(h.total_lr >= lead for h in result.leads)


@pytest.mark.spark
def test_the_spark_job_in_local_mode_gives_the_in_process_results(planted, tmp_path, capsys, spark_available):
    job = job_of(planted, top=4, lead_lr=1000.0)
    engine.write_inputs(tmp_path, job, planted["rows"])
    # The standalone entry point, as spark-submit runs it (here with its own local[2] session).
    arguments = ["--partitions", "3", "--query-blocks", "2", "--master", "local[2]"]
    assert engine.main([str(tmp_path), *arguments]) == 0
    figures = capsys.readouterr().out
    assert '"comparisons": 145' in figures
    on_spark = engine.read_results(tmp_path)
    in_process = engine.run_in_process(job, planted["rows"], partitions=1)
    assert set(on_spark.top) == {0, 1, 2, 3}
    for number, hits in in_process.top.items():
        assert as_triples(on_spark.top[number]) == as_triples(hits)
    assert [(h.query, h.reference, h.total_lr) for h in on_spark.leads] == [
        (h.query, h.reference, h.total_lr) for h in in_process.leads
    ]
    assert on_spark.leads, "the planted relatives are above the lead threshold"
