"""Property tests (hypothesis): invariances of the likelihood ratios and search = pairwise."""

from __future__ import annotations

import math

import numpy as np
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from fanguai.kinship import formulas
from fanguai.kinship.frequencies import parse_frequencies
from fanguai.kinship.lr import KAPPAS, KinshipModel, compute_lr
from fanguai.kinship.mutation import MutationModel
from fanguai.kinship.search import CoupleIndex, ProfileIndex, SearchQuery, search

LOCI = ("D3S1358", "vWA", "TH01")
ALLELES = ("6", "7", "8", "9", "9.3", "10")
FAST = settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])


@st.composite
def tables(draw):
    """A random table over LOCI with 2–6 alleles per locus (including a microvariant sometimes)."""
    lines = ["Locus,Allele,Frequency"]
    for locus in LOCI:
        count = draw(st.integers(2, len(ALLELES)))
        weights = draw(st.lists(st.integers(1, 50), min_size=count, max_size=count))
        total = sum(weights)
        lines += [f"{locus},{a},{w / total}" for a, w in zip(ALLELES[:count], weights, strict=True)]
    return parse_frequencies("\n".join(lines) + "\n", minimum_frequency=0.001)


def genotypes(table, locus):
    alleles = table.locus(locus).alleles
    return st.tuples(st.sampled_from(alleles), st.sampled_from(alleles)).map(
        lambda pair: tuple(sorted(pair, key=float))
    )


@st.composite
def profiles(draw, table):
    """A profile typed at each locus with probability 0.85."""
    return {locus: draw(genotypes(table, locus)) for locus in LOCI if draw(st.integers(0, 99)) < 85}


thetas = st.sampled_from([0.0, 0.01, 0.05])
mutations = st.sampled_from(
    [
        None,
        MutationModel.uniform("equal", 0.01),
        MutationModel.uniform("proportional", 0.005),
        MutationModel.uniform("stepwise", 0.01, microvariant_rate=0.001),
        MutationModel("stepwise", 0.004, 0.001, 0.5, 0.0005, mutate_untyped=False),
    ]
)


def pair_of(ctx, genotype, swap=False):
    i, j = ctx.data.index[genotype[0]], ctx.data.index[genotype[1]]
    return (np.asarray(j), np.asarray(i)) if swap else (np.asarray(i), np.asarray(j))


@FAST
@given(data=st.data(), table=tables(), theta=thetas, mutation=mutations)
def test_allele_order_does_not_matter(data, table, theta, mutation):
    model = KinshipModel(table, mutation, theta)
    ctx = model.context("vWA")
    a, b, c = (data.draw(genotypes(table, "vWA")) for _ in range(3))
    swaps = data.draw(st.tuples(st.booleans(), st.booleans(), st.booleans()))
    plain = [pair_of(ctx, g) for g in (a, b, c)]
    swapped = [pair_of(ctx, g, s) for g, s in zip((a, b, c), swaps, strict=True)]
    for function in (
        lambda x, y, z: formulas.duo_lr(ctx, x, y, theta),
        lambda x, y, z: formulas.trio_lr(ctx, x, y, z, theta),
        lambda x, y, z: formulas.couple_lr(ctx, x, y, z, theta),
        lambda x, y, z: formulas.kinship_lr(ctx, x, y, theta, KAPPAS["full-siblings"]),
    ):
        assert float(function(*plain)) == pytest.approx(float(function(*swapped)), rel=1e-12, abs=1e-300)


@FAST
@given(
    data=st.data(),
    table=tables(),
    theta=thetas,
    relationship=st.sampled_from(["full-siblings", "half-siblings", "avuncular"]),
)
def test_pairwise_relationships_are_symmetric(data, table, theta, relationship):
    first, second = data.draw(profiles(table)), data.draw(profiles(table))
    model = KinshipModel(table, None, theta)
    forward = compute_lr(relationship, [first, second], model=model)
    backward = compute_lr(relationship, [second, first], model=model)
    assert forward.total_lr == pytest.approx(backward.total_lr, rel=1e-12)


@FAST
@given(
    data=st.data(),
    table=tables(),
    theta=thetas,
    kind=st.sampled_from(["equal", "proportional", "stepwise"]),
    relationship=st.sampled_from(["parent-child", "trio", "couple"]),
)
def test_rate_zero_equals_no_mutation(data, table, theta, kind, relationship):
    count = 2 if relationship == "parent-child" else 3
    persons = [data.draw(profiles(table)) for _ in range(count)]
    none = compute_lr(relationship, persons, model=KinshipModel(table, None, theta))
    zero = compute_lr(relationship, persons, model=KinshipModel(table, MutationModel(kind, 0.0, 0.0), theta))
    assert [r.lr for r in zero.loci] == [r.lr for r in none.loci]
    assert zero.inconsistent_loci == none.inconsistent_loci


@FAST
@given(
    data=st.data(),
    table=tables(),
    theta=thetas,
    mutation=mutations,
    relationship=st.sampled_from(["parent-child", "trio", "couple", *KAPPAS]),
)
def test_every_locus_lr_is_finite_and_non_negative(data, table, theta, mutation, relationship):
    count = 3 if relationship in ("trio", "couple") else 2
    persons = [data.draw(profiles(table)) for _ in range(count)]
    result = compute_lr(relationship, persons, model=KinshipModel(table, mutation, theta))
    for row in result.loci:
        assert math.isfinite(row.lr) and row.lr >= 0.0
        if mutation is None and relationship in ("parent-child", "trio", "couple"):
            if row.lr == 0.0:
                assert row.inconsistent
            if row.inconsistent and relationship != "trio":  # trio: mother-child inconsistency → LR 1
                assert row.lr == 0.0
    if mutation is not None and not mutation.is_trivial:
        assert all(row.lr > 0 for row in result.loci)


@FAST
@given(data=st.data(), table=tables(), theta=thetas)
def test_duo_equals_kappa_parent_offspring_without_mutation(data, table, theta):
    first, second = data.draw(profiles(table)), data.draw(profiles(table))
    model = KinshipModel(table, None, theta)
    duo = compute_lr("parent-child", [first, second], model=model)
    kappa = compute_lr("kappa", [first, second], model=model, kappa=(0.0, 1.0, 0.0))
    assert duo.total_lr == pytest.approx(kappa.total_lr, rel=1e-12, abs=1e-300)


def _ranked(results):
    """Brute-force ranking: by log10 LR descending, ties by row."""
    return sorted(range(len(results)), key=lambda i: (-results[i].log10_lr, i))


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(
    data=st.data(),
    table=tables(),
    theta=thetas,
    mutation=mutations,
    mode=st.sampled_from(["parent", "child", "trio", "full-siblings", "half-siblings"]),
    top=st.integers(1, 12),
)
def test_search_equals_pairwise(data, table, theta, mutation, mode, top):
    references = {f"R{i}": data.draw(profiles(table)) for i in range(data.draw(st.integers(1, 30)))}
    index = ProfileIndex.build(references, KinshipModel(table, mutation, theta))
    query_persons = tuple(data.draw(profiles(table)) for _ in range(2 if mode == "trio" else 1))
    hits = search(index, SearchQuery(mode, query_persons), top=top)

    def pairwise(reference):
        if mode == "parent":
            return compute_lr("parent-child", [reference, query_persons[0]], model=index.model)
        if mode == "child":
            return compute_lr("parent-child", [query_persons[0], reference], model=index.model)
        if mode == "trio":
            return compute_lr("trio", [query_persons[0], reference, query_persons[1]], model=index.model)
        return compute_lr(mode, [query_persons[0], reference], model=index.model)

    expected = [pairwise(references[name]) for name in index.ids]
    order = _ranked(expected)[:top]
    assert [hit.row for hit in hits] == order
    for hit in hits:
        result = expected[hit.row]
        assert hit.total_lr == result.total_lr  # bit-for-bit
        assert hit.log10_lr == result.log10_lr
        assert hit.inconsistent_loci == result.inconsistent_loci
        assert hit.conclusion == result.conclusion


@settings(max_examples=30, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(data=st.data(), table=tables(), theta=thetas, mutation=mutations, top=st.integers(1, 10))
def test_couple_search_equals_pairwise(data, table, theta, mutation, top):
    count = data.draw(st.integers(1, 25))
    couples = [
        (f"M{i}", data.draw(profiles(table)), f"F{i}", data.draw(profiles(table))) for i in range(count)
    ]
    index = CoupleIndex.build(couples, KinshipModel(table, mutation, theta))
    child = data.draw(profiles(table))
    hits = search(index, SearchQuery("couple", (child,)), top=top)
    expected = [compute_lr("couple", [m, f, child], model=index.model) for _, m, _, f in couples]
    assert [hit.row for hit in hits] == _ranked(expected)[:top]
    for hit in hits:
        assert hit.total_lr == expected[hit.row].total_lr
        assert hit.inconsistent_loci == expected[hit.row].inconsistent_loci
        assert hit.reference == (f"M{hit.row}", f"F{hit.row}")


@settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(data=st.data(), table=tables(), theta=thetas, mutation=mutations)
def test_child_search_with_couple_query_equals_pairwise(data, table, theta, mutation):
    references = {f"C{i}": data.draw(profiles(table)) for i in range(data.draw(st.integers(1, 20)))}
    index = ProfileIndex.build(references, KinshipModel(table, mutation, theta))
    mother, father = data.draw(profiles(table)), data.draw(profiles(table))
    hits = search(index, SearchQuery("child", (mother, father)), top=len(references))
    for hit in hits:
        expected = compute_lr("couple", [mother, father, references[hit.reference]], model=index.model)
        assert hit.total_lr == expected.total_lr
