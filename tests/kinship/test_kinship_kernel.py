"""Compiled scan kernel: scores to float32 rounding, never losing a top-k row, NumPy fallback,
cache fallback, shared-table batches, and partly typed couples against the pairwise function."""

from __future__ import annotations

import importlib
import math
import random

import numpy as np
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from fanguai.kinship.frequencies import default_frequencies
from fanguai.kinship.kits import GLOBALFILER
from fanguai.kinship.lr import KinshipModel, compute_lr
from fanguai.kinship.mutation import MutationModel

kernel = importlib.import_module("fanguai.kinship.kernel")
search_module = importlib.import_module("fanguai.kinship.search")
CoupleIndex = search_module.CoupleIndex
ProfileIndex = search_module.ProfileIndex
SearchQuery = search_module.SearchQuery
search = search_module.search
search_many = search_module.search_many

FAST = settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])


@pytest.fixture
def numpy_kernel(monkeypatch):
    """Force the NumPy fallback for the duration of a test."""
    monkeypatch.setenv("FANGUAI_KINSHIP_KERNEL", "numpy")
    assert not kernel.compiled_available()


def _compiled_or_skip():
    if kernel.numba is None:
        pytest.skip("numba is not installed here")
    assert kernel.compiled_available(), kernel._FAILED


def test_numba_kernel_is_used_where_installed():
    pytest.importorskip("numba")
    assert kernel.compiled_available()
    assert kernel._scan_singles is not None and kernel._scan_couples is not None


# ---------------------------------------------------------------------------------------------------
# The scan kernels on random tables and codes.

# Log10 table entries: excluded (-inf), ties and ordinary values.
LOG_VALUES = st.one_of(
    st.sampled_from([-np.inf, 0.0, 1.0, -1.0, 0.5]),
    st.floats(-8.0, 8.0, allow_nan=False, width=32),
)


@st.composite
def scan_problems(draw):
    """Random per-locus log tables (with -inf entries and ties) and random codes."""
    loci = draw(st.integers(1, 9))
    sizes = [draw(st.integers(1, 12)) for _ in range(loci)]
    values = LOG_VALUES
    tables = [np.array([draw(values) for _ in range(size)], dtype=np.float64) for size in sizes]
    n = draw(st.integers(0, 300))
    seed = draw(st.integers(0, 2**32 - 1))
    rng = np.random.default_rng(seed)
    codes = np.stack([rng.integers(0, size, n) for size in sizes], axis=1).astype(np.uint16)
    k = draw(st.integers(1, 15))
    return tables, codes, k


def _exact_scores(tables, codes):
    """float64 sums with math.fsum (the reference the float32 scores approximate)."""
    return np.array(
        [math.fsum(tables[j][codes[row, j]] for j in range(len(tables))) for row in range(codes.shape[0])]
    )


def _check_candidates(tables, codes, k, rows):
    """Every row of the exact top k (ties at the k-th value: at least enough of them) is a candidate."""
    n = codes.shape[0]
    assert len(set(rows.tolist())) == rows.size
    assert rows.size >= min(k, n)
    if n == 0:
        return
    exact = _exact_scores(tables, codes)
    kth = np.sort(exact)[::-1][min(k, n) - 1]
    chosen = set(rows.tolist())
    above = np.flatnonzero(exact > kth)
    assert set(above.tolist()) <= chosen
    tied = np.flatnonzero(exact == kth)
    # The exact re-scoring breaks ties by the lower row: the lowest tied rows must be present.
    needed = min(k, n) - above.size
    assert set(tied[:needed].tolist()) <= chosen


@FAST
@given(problem=scan_problems())
def test_scores_equal_exact_sums_to_float32_rounding(problem):
    tables, codes, _k = problem
    offsets = np.concatenate([[0], np.cumsum([t.size for t in tables])])[:-1]
    flat = np.concatenate(tables).astype(np.float32)
    scores = kernel.scores_singles(codes, flat, offsets).astype(np.float64)
    exact = _exact_scores(tables, codes)
    margin = search_module._margin(tables)
    assert np.array_equal(np.isneginf(scores), np.isneginf(exact))
    finite = np.isfinite(exact)
    assert np.all(np.abs(scores[finite] - exact[finite]) <= margin / 2)


@FAST
@given(problem=scan_problems())
def test_scan_keeps_every_top_row_compiled_and_numpy(problem):
    tables, codes, k = problem
    offsets = np.concatenate([[0], np.cumsum([t.size for t in tables])])[:-1]
    flat = np.concatenate(tables).astype(np.float32)
    margin = search_module._margin(tables)
    compiled = kernel.scan_singles(codes, flat, offsets, k, margin)
    _check_candidates(tables, codes, k, compiled)
    early = kernel.scan_singles(codes, flat, offsets, k, margin, search_module._ceilings(tables))
    _check_candidates(tables, codes, k, early)
    fallback = kernel._numpy_singles(codes, flat, offsets.astype(np.int64), k, margin)
    _check_candidates(tables, codes, k, fallback)


def test_scan_buffer_grows_with_many_ties():
    """More tied candidates than the initial buffer (1024): none is lost."""
    tables = [np.zeros(3), np.zeros(2)]
    codes = np.zeros((5000, 2), dtype=np.uint16)
    flat = np.zeros(5, dtype=np.float32)
    rows = kernel.scan_singles(codes, flat, np.array([0, 3]), 2000, search_module._margin(tables))
    assert sorted(rows.tolist()) == list(range(5000))


def test_zero_rows_fill_the_top_k_lowest_rows_first():
    flat = np.array([-np.inf, 0.0], dtype=np.float32)
    codes = np.array([[0], [0], [1], [0], [0]], dtype=np.uint16)
    rows = kernel.scan_singles(codes, flat, np.array([0]), 3, 1e-6)
    assert sorted(rows.tolist()) == [0, 1, 2]


def test_jit_falls_back_to_no_cache_when_no_cache_directory_works(monkeypatch):
    calls = []

    class FakeNumba:
        @staticmethod
        def njit(**options):
            calls.append(options)
            if options.get("cache"):
                raise RuntimeError("cannot cache function: no locator available")
            return lambda function: function

    monkeypatch.setattr(kernel, "numba", FakeNumba)
    compiled = kernel._jit(parallel=True)(lambda x: x + 1)
    assert compiled is not None and compiled(1) == 2
    assert calls == [{"cache": True, "parallel": True}, {"parallel": True}]


def test_kernel_failure_falls_back_to_numpy(monkeypatch):
    _compiled_or_skip()

    def broken(*args):
        raise RuntimeError("no compiler")

    monkeypatch.setattr(kernel, "_FAILED", [])
    flat = np.array([0.0, 1.0, 2.0], dtype=np.float32)
    codes = np.array([[0], [2], [1]], dtype=np.uint16)
    with pytest.warns(UserWarning, match="NumPy"):
        rows = kernel._run(broken, kernel._numpy_singles, codes, flat, np.array([0]), 1, 1e-6)
    assert rows.tolist() == [1]
    assert not kernel.compiled_available()


# ---------------------------------------------------------------------------------------------------
# Search: compiled = NumPy fallback = pairwise, partly typed couples included.


def _random_profile(rng: random.Random, typed: float = 1.0) -> dict:
    table = default_frequencies()
    profile = {}
    for locus in GLOBALFILER[:8]:
        if rng.random() >= typed:
            continue
        data = table.locus(locus)
        first, second = rng.choices(data.alleles, weights=list(data.frequencies), k=2)
        profile[locus] = tuple(sorted((first, second), key=float))
    return profile


def _child_of(rng: random.Random, mother: dict, father: dict) -> dict:
    child = {}
    for locus in GLOBALFILER[:8]:
        if locus in mother and locus in father:
            child[locus] = tuple(sorted((rng.choice(mother[locus]), rng.choice(father[locus])), key=float))
    return child


def _as_tuple(hits):
    return [(h.row, h.total_lr, h.log10_lr, h.inconsistent_loci, h.conclusion) for h in hits]


@pytest.mark.parametrize("theta", [0.0, 0.02])
def test_compiled_and_numpy_searches_agree(theta, monkeypatch):
    _compiled_or_skip()
    rng = random.Random(11)
    model = KinshipModel(mutation=MutationModel.uniform("stepwise"), theta=theta)
    references = {f"R{i}": _random_profile(rng, 0.9) for i in range(400)}
    index = ProfileIndex.build(references, model)
    couples = CoupleIndex.build(
        [(f"M{i}", _random_profile(rng, 0.8), f"F{i}", _random_profile(rng, 0.8)) for i in range(300)],
        model,
    )
    queries = [
        (index, SearchQuery("parent", (_random_profile(rng),))),
        (index, SearchQuery("child", (_random_profile(rng), _random_profile(rng, 0.7)))),
        (index, SearchQuery("trio", (_random_profile(rng, 0.6), _random_profile(rng)))),
        (index, SearchQuery("full-siblings", (_random_profile(rng),))),
        (couples, SearchQuery("couple", (_random_profile(rng),))),
    ]
    compiled = [_as_tuple(search(i, q, top=7)) for i, q in queries]
    monkeypatch.setenv("FANGUAI_KINSHIP_KERNEL", "numpy")
    assert not kernel.compiled_available()
    fallback = [_as_tuple(search(i, q, top=7)) for i, q in queries]
    assert compiled == fallback
    assert all(len(hits) == 7 for hits in compiled)


@pytest.mark.parametrize("workers", [1, 2])
def test_search_many_equals_search_one_by_one(workers):
    rng = random.Random(5)
    model = KinshipModel(mutation=MutationModel.uniform("proportional"), theta=0.01)
    references = {f"R{i}": _random_profile(rng, 0.9) for i in range(300)}
    index = ProfileIndex.build(references, model)
    unknown_allele = _random_profile(rng)
    unknown_allele[GLOBALFILER[0]] = ("99", "99.1")
    queries = (
        [SearchQuery("parent", (_random_profile(rng, 0.9),)) for _ in range(12)]
        + [SearchQuery("parent", (_random_profile(rng),), parent_sex="female") for _ in range(3)]
        + [SearchQuery("child", (_random_profile(rng),)) for _ in range(3)]
        + [SearchQuery("half-siblings", (_random_profile(rng),)) for _ in range(3)]
        + [SearchQuery("kappa", (_random_profile(rng),), kappa=(0.3, 0.5, 0.2))]
        + [SearchQuery("parent", (unknown_allele,))]
        + [SearchQuery("child", (_random_profile(rng), _random_profile(rng)))]
    )
    together = search_many(index, queries, top=6, workers=workers)
    alone = [search(index, q, top=6) for q in queries]
    assert together == alone


def test_search_many_numpy_fallback(numpy_kernel):
    rng = random.Random(8)
    index = ProfileIndex.build({f"R{i}": _random_profile(rng) for i in range(50)})
    queries = [SearchQuery("parent", (_random_profile(rng),)) for _ in range(4)]
    assert search_many(index, queries, top=3, workers=2) == [search(index, q, top=3) for q in queries]


def _untype(rng: random.Random, profile: dict, share: float) -> dict:
    return {locus: g for locus, g in profile.items() if rng.random() >= share}


def test_partly_typed_couple_search_equals_compute_lr():
    """Query child against couples where one parent is untyped at some loci, and the reverse."""
    rng = random.Random(21)
    model = KinshipModel(mutation=MutationModel.uniform("equal"), theta=0.01)
    parents = [(_random_profile(rng), _random_profile(rng)) for _ in range(120)]
    child = _child_of(rng, *parents[7])
    # The true couple loses the mother at two loci and the father at two others; another couple
    # whose father is inconsistent with the child at the loci where the mother is untyped.
    mother, father = dict(parents[7][0]), dict(parents[7][1])
    for locus in GLOBALFILER[:2]:
        mother.pop(locus)
    for locus in GLOBALFILER[2:4]:
        father.pop(locus)
    couples = [
        (f"M{i}", _untype(rng, m, 0.2), f"F{i}", _untype(rng, f, 0.2)) for i, (m, f) in enumerate(parents)
    ]
    couples[7] = ("M7", mother, "F7", father)
    index = CoupleIndex.build(couples, model)
    hits = search(index, SearchQuery("couple", (child,)), top=len(couples))
    assert hits[0].reference == ("M7", "F7")
    partial_seen = False
    for hit in hits:
        _mid, m, _fid, f = couples[hit.row]
        expected = compute_lr("couple", [m, f, child], model=index.model)
        assert hit.total_lr == expected.total_lr
        assert hit.log10_lr == expected.log10_lr
        assert hit.inconsistent_loci == expected.inconsistent_loci
        for result in expected.loci:
            if (result.locus in m) != (result.locus in f) and result.locus in child:
                assert result.lr != 1.0  # the partly typed locus is not neutral
                partial_seen = True
    assert partial_seen

    # Reverse direction: a couple (one parent untyped at some loci) against child references.
    references = {f"C{i}": _child_of(rng, *parents[i]) for i in range(60)}
    query_mother, query_father = mother, father
    children = search(
        index_children := ProfileIndex.build(references, model),
        SearchQuery("child", (query_mother, query_father)),
        top=60,
    )
    for hit in children:
        expected = compute_lr(
            "couple", [query_mother, query_father, references[hit.reference]], model=index_children.model
        )
        assert hit.total_lr == expected.total_lr
        assert hit.inconsistent_loci == expected.inconsistent_loci
    assert children[0].reference == "C7"


def test_inconsistent_typed_parent_counts_against_the_couple():
    """A couple whose typed father excludes the child where the mother is untyped ranks lower than 1."""
    model = KinshipModel()
    child = {"vWA": ("14", "15"), "TH01": ("6", "7")}
    consistent = ({"TH01": ("6", "9")}, {"vWA": ("15", "18"), "TH01": ("7", "8")})
    excluded = ({"TH01": ("6", "9")}, {"vWA": ("16", "18"), "TH01": ("7", "8")})
    index = CoupleIndex.build(
        [("M0", consistent[0], "F0", consistent[1]), ("M1", excluded[0], "F1", excluded[1])], model
    )
    hits = search(index, SearchQuery("couple", (child,)), top=2)
    assert [h.reference for h in hits] == [("M0", "F0"), ("M1", "F1")]
    assert hits[1].total_lr == 0.0  # no mutation: the father-child exclusion at vWA is decisive
    assert hits[1].inconsistent_loci == ("vWA",)
    assert hits[0].total_lr == compute_lr("couple", [*consistent, child], model=index.model).total_lr


# ---------------------------------------------------------------------------------------------------
# The couples kernel with its early-exit stages, on random class tables.


@st.composite
def couple_problems(draw):
    """Random couple tables: per locus, mother classes × father codes (with -inf entries and ties)."""
    loci = draw(st.integers(1, 12))
    sizes = [draw(st.integers(1, 6)) for _ in range(loci)]
    values = LOG_VALUES
    seed = draw(st.integers(0, 2**32 - 1))
    rng = np.random.default_rng(seed)
    grids, classes = [], []
    for size in sizes:
        count = int(rng.integers(1, size + 1))
        classes.append(rng.integers(0, count, size))
        grids.append(np.array([[draw(values) for _ in range(size)] for _ in range(count)], dtype=np.float64))
    n = draw(st.integers(0, 300))
    mothers = np.stack([rng.integers(0, size, n) for size in sizes], axis=1).astype(np.uint16)
    fathers = np.stack([rng.integers(0, size, n) for size in sizes], axis=1).astype(np.uint16)
    k = draw(st.integers(1, 15))
    return sizes, grids, classes, mothers, fathers, k


@FAST
@given(problem=couple_problems())
def test_couple_scan_keeps_every_top_row_with_early_stages(problem):
    sizes, grids, classes, mothers, fathers, k = problem
    offsets = np.concatenate([[0], np.cumsum(sizes)])[:-1].astype(np.int64)
    mother_row = np.zeros(int(sum(sizes)), np.int64)
    tables, start = [], 0
    for position, size in enumerate(sizes):
        tables.append(grids[position].ravel())
        mother_row[offsets[position] : offsets[position] + size] = start + classes[position] * size
        start += grids[position].size
    flat = np.concatenate(tables)
    # Each row's entries, as one "table" per locus indexed by row, for the singles checker.
    n, loci = mothers.shape
    entries = [
        np.array([flat[mother_row[offsets[j] + mothers[row, j]] + fathers[row, j]] for row in range(n)])
        for j in range(loci)
    ]
    by_row = np.repeat(np.arange(n)[:, None], loci, axis=1)
    grids_flat = [grid.ravel() for grid in grids]
    margin = search_module._margin(grids_flat)
    ceilings = search_module._ceilings(grids_flat)
    stops, _rests = kernel._stages(ceilings, loci, kernel.COUPLE_STOPS + kernel.SINGLE_STOPS)
    assert stops[-1] == loci
    table = flat.astype(np.float32)
    for given_ceilings in (None, ceilings):
        rows = kernel.scan_couples(mothers, fathers, mother_row, table, offsets, k, margin, given_ceilings)
        _check_candidates(entries, by_row, k, rows)
    fallback = kernel._numpy_couples(mothers, fathers, mother_row, table, offsets, k, margin)
    _check_candidates(entries, by_row, k, fallback)


def test_stages_end_after_every_locus():
    ceilings = np.arange(21, dtype=np.float64)
    stops, rests = kernel._stages(ceilings, 21, kernel.COUPLE_STOPS + kernel.SINGLE_STOPS)
    assert stops.tolist() == [2, 4, 8, 10, 21]
    assert rests.tolist() == [float(ceilings[end:].sum()) for end in stops]
    stops, rests = kernel._stages(None, 21, kernel.COUPLE_STOPS)
    assert stops.tolist() == [21] and rests.tolist() == [np.inf]
    stops, _ = kernel._stages(ceilings[:3], 3, kernel.COUPLE_STOPS)
    assert stops.tolist() == [3]
