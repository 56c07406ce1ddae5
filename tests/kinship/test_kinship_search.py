"""Database search: compact index, planted relatives, ties, batches."""

from __future__ import annotations

import random

import numpy as np
import pytest

from fanguai.kinship.frequencies import default_frequencies
from fanguai.kinship.kits import GLOBALFILER
from fanguai.kinship.lr import KinshipModel, compute_lr
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
