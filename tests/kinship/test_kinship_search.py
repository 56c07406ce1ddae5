"""Database search: compact index, planted relatives, ties, batches."""

from __future__ import annotations

import importlib
import random

import numpy as np
import pytest

from fanguai.kinship.frequencies import default_frequencies
from fanguai.kinship.kits import GLOBALFILER
from fanguai.kinship.lr import KinshipModel, compute_lr, typed_values
from fanguai.kinship.mutation import MutationModel
from fanguai.kinship.search import (
    CoupleIndex,
    ProfileIndex,
    SearchQuery,
    decode_all,
    encode,
    genotype_count,
    search,
    search_many,
)


def random_profile(rng: random.Random) -> dict:
    table = default_frequencies()
    profile = {}
    for locus in GLOBALFILER:
        data = table.locus(locus)
        first, second = rng.choices(data.alleles, weights=list(data.frequencies), k=2)
        profile[locus] = tuple(sorted((first, second), key=float))
    return profile


def child_of(rng: random.Random, mother: dict, father: dict) -> dict:
    return {
        locus: tuple(sorted((rng.choice(mother[locus]), rng.choice(father[locus])), key=float))
        for locus in GLOBALFILER
    }


def test_genotype_codes_round_trip():
    first, second = decode_all(genotype_count(5))
    assert genotype_count(5) == 16
    for code in range(1, 16):
        assert encode(int(first[code]), int(second[code])) == code
    assert encode(3, 1) == encode(1, 3)


def test_index_is_compact():
    rng = random.Random(3)
    profiles = {f"P{i}": random_profile(rng) for i in range(50)}
    index = ProfileIndex.build(profiles)
    assert index.bytes_per_profile == 2 * len(GLOBALFILER)
    assert index.codes.dtype == np.uint16
    assert index.codes.shape == (50, len(GLOBALFILER))
    assert index.codes.flags.c_contiguous


def test_planted_parent_and_couple_rank_first():
    rng = random.Random(7)
    references = {f"P{i}": random_profile(rng) for i in range(300)}
    mother, father = references["P10"], references["P200"]
    child = child_of(rng, mother, father)
    index = ProfileIndex.build(references)
    hits = search(index, SearchQuery("parent", (child,)), top=3)
    assert {hits[0].reference, hits[1].reference} == {"P10", "P200"}
    assert hits[0].inconsistent_count == 0
    couples = [
        (f"P{i}", references[f"P{i}"], f"P{j}", references[f"P{j}"])
        for i, j in [(1, 2), (10, 200), (10, 3), (4, 200), (5, 6)]
    ]
    couple_hits = search(CoupleIndex.build(couples), SearchQuery("couple", (child,)), top=2)
    assert couple_hits[0].reference == ("P10", "P200")
    assert couple_hits[0].conclusion == "parentage-supported"
    children = search(index, SearchQuery("child", (mother, father)), top=1)
    assert (
        children[0].total_lr
        == compute_lr(
            "couple", [mother, father, references[children[0].reference]], model=index.model
        ).total_lr
    )


def test_excluded_references_tie_in_row_order():
    # Without mutation almost every unrelated reference has LR 0; ties are ranked by row.
    rng = random.Random(11)
    references = {f"P{i}": random_profile(rng) for i in range(40)}
    query = random_profile(rng)
    hits = search(ProfileIndex.build(references), SearchQuery("parent", (query,)), top=40)
    zero_rows = [hit.row for hit in hits if hit.total_lr == 0.0]
    assert zero_rows == sorted(zero_rows)
    assert len(hits) == 40


def test_query_with_unseen_allele_and_untyped_loci():
    rng = random.Random(5)
    references = {f"P{i}": random_profile(rng) for i in range(30)}
    references["P3"].pop("SE33")
    query = dict(references["P3"])
    query["vWA"] = ("14", "99")  # allele not in the table nor in the index
    index = ProfileIndex.build(references)
    hits = search(index, SearchQuery("full-siblings", (query,)), top=5)
    expected = compute_lr("full-siblings", [query, references[hits[0].reference]], model=index.model)
    assert hits[0].total_lr == expected.total_lr


def test_search_many_with_two_workers_matches_sequential():
    rng = random.Random(9)
    references = {f"P{i}": random_profile(rng) for i in range(200)}
    index = ProfileIndex.build(references, KinshipModel(theta=0.01))
    queries = [SearchQuery("parent", (random_profile(rng),)) for _ in range(6)]
    sequential = search_many(index, queries, top=3, workers=1)
    parallel = search_many(index, queries, top=3, workers=2)
    assert [[h.total_lr for h in hits] for hits in parallel] == [
        [h.total_lr for h in hits] for hits in sequential
    ]


def test_invalid_queries():
    index = ProfileIndex.build({"A": {"vWA": ("14", "15")}})
    with pytest.raises(ValueError):
        search(index, SearchQuery("nonsense", ({},)))
    with pytest.raises(ValueError):
        search(index, SearchQuery("trio", ({},)))
    with pytest.raises(TypeError):
        search(index, SearchQuery("couple", ({},)))


# ---------------------------------------------------------------------------------------------------
# Per-query tables built on the stacked loci (all loci in one vectorised call) against per-locus values.

search_module = importlib.import_module("fanguai.kinship.search")


@pytest.mark.parametrize("mode", ["parent", "trio", "child", "full-siblings", "kappa"])
def test_stacked_tables_equal_per_locus_values_bit_for_bit(mode):
    rng = random.Random(31)
    model = KinshipModel(mutation=MutationModel.uniform("stepwise"), theta=0.02)
    index = ProfileIndex.build({f"R{i}": random_profile(rng) for i in range(20)}, model)
    persons = (
        (random_profile(rng), random_profile(rng)) if mode in ("trio", "child") else (random_profile(rng),)
    )
    query = SearchQuery(mode, persons, kappa=(0.2, 0.5, 0.3) if mode == "kappa" else None)
    lr, bad = search_module._single_tables(index.model, index, query)
    relationship, slot = search_module._relationship_slots(query)
    for position, locus in enumerate(index.loci):
        ctx = index.model.context(locus)
        size, start = index.sizes[position], int(index.offsets[position])
        first, second = decode_all(size)
        pairs = [search_module._pair(ctx, person[locus]) for person in persons]
        pairs.insert(slot, (first[1:], second[1:]))
        expected, flags = typed_values(ctx, relationship, pairs, model.theta, kappa=query.kappa)
        assert lr[start] == 1.0 and not bad[start]
        assert np.array_equal(lr[start + 1 : start + size], expected)
        assert np.array_equal(bad[start + 1 : start + size], flags)


def _couple_case(seed: int, model: KinshipModel):
    rng = random.Random(seed)
    parents = [(random_profile(rng), random_profile(rng)) for _ in range(40)]
    child = child_of(rng, *parents[5])
    couples = []
    for i, (mother, father) in enumerate(parents):
        mother = {locus: g for locus, g in mother.items() if rng.random() > 0.15}
        father = {locus: g for locus, g in father.items() if rng.random() > 0.15}
        couples.append((f"M{i}", mother, f"F{i}", father))
    return CoupleIndex.build(couples, model), couples, child


def _hits(index, child):
    return [
        (h.row, h.total_lr, h.log10_lr, h.inconsistent_loci)
        for h in search(index, SearchQuery("couple", (child,)), top=40)
    ]


def test_couple_classes_grouped_exactly_when_the_projection_collides(monkeypatch):
    """With a projection that maps every parent to one key, the exact grouping takes over: same hits."""
    model = KinshipModel(mutation=MutationModel.uniform("equal"), theta=0.01)
    index, couples, child = _couple_case(41, model)
    expected = _hits(index, child)
    monkeypatch.setattr(search_module, "_PROJECTION", np.zeros(6))
    assert _hits(index, child) == expected
    for row, total, _log, flagged in expected:
        _mid, mother, _fid, father = couples[row]
        pairwise = compute_lr("couple", [mother, father, child], model=index.model)
        assert (total, flagged) == (pairwise.total_lr, pairwise.inconsistent_loci)


@pytest.mark.parametrize("mutation", [None, "stepwise"])
def test_couple_class_grids_equal_flat_class_pairs(monkeypatch, mutation):
    """Per-locus (mother × father) grids and the all-loci flat class pairs give the same hits."""
    model = KinshipModel(mutation=MutationModel.uniform(mutation) if mutation else None, theta=0.02)
    index, couples, child = _couple_case(43, model)
    monkeypatch.setattr(search_module, "LARGE_CLASS_GRID", 0)
    on_grids = _hits(index, child)
    monkeypatch.setattr(search_module, "LARGE_CLASS_GRID", 10**9)
    assert _hits(index, child) == on_grids
    assert on_grids[0][0] == 5
    for row, total, _log, flagged in on_grids:
        _mid, mother, _fid, father = couples[row]
        pairwise = compute_lr("couple", [mother, father, child], model=index.model)
        assert (total, flagged) == (pairwise.total_lr, pairwise.inconsistent_loci)
