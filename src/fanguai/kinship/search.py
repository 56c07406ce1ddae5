"""Vectorised database search: one query against many references, top k by likelihood ratio.

Why it is fast: for a fixed query, the LR of a locus depends only on the reference's genotype at that
locus, so it is tabulated once per query over every genotype of the allele universe; scanning the
database is then a gather from small tables and a sum of logarithms.  Genotypes are stored as compact
codes: per locus ``code = 1 + j(j+1)/2 + i`` for allele indices ``i ≤ j`` (0 = untyped), as ``uint16``
in a profile-major array (a 21-locus profile takes 42 contiguous bytes).  The scan itself is the
compiled kernel of `kernel` (numba; NumPy where unavailable), fused over loci with the top k kept
inside the kernel.

Why it is exact: the scan adds ``float32`` log10 values, which only *selects candidates* — every row
whose scan score is within a proven rounding margin of the k-th best is kept.  The candidates' LRs are
then recomputed in float64 by the very same per-locus functions the pairwise API uses, and combined by
the same `lr.combine`, so reported LRs are bit-for-bit those of `compute_lr(..., model=index.model)`.

Couples (a child against N mother–father pairs) do not factor into per-parent terms, so each parent
genotype is mapped to a small *class* (what matters for this child: transmission probabilities of the
child's two alleles and their counts), and the LR is tabulated over class pairs.
"""

from __future__ import annotations

import math
import os
from collections.abc import Callable, Iterable, Mapping, Sequence
from concurrent.futures import ProcessPoolExecutor
from dataclasses import dataclass
from functools import lru_cache
from multiprocessing import get_context

import numpy as np

from . import formulas, kernel
from .conclusions import DEFAULT_THRESHOLDS, Thresholds, conclude
from .lr import KAPPAS, KinshipModel, combine, resolve_kappa, typed_values
from .profiles import Profile

SINGLE_MODES = ("parent", "child", "trio", *KAPPAS, "kappa")
MODES = (*SINGLE_MODES, "couple")


def genotype_count(n_alleles: int) -> int:
    """Number of genotype codes of a locus with ``n_alleles`` alleles, the untyped code 0 included."""
    return 1 + n_alleles * (n_alleles + 1) // 2


def encode(i: int, j: int) -> int:
    """Genotype code of allele indices i and j (order irrelevant)."""
    if i > j:
        i, j = j, i
    return 1 + j * (j + 1) // 2 + i


@lru_cache(maxsize=256)
def decode_all(count: int) -> tuple[np.ndarray, np.ndarray]:
    """Allele index arrays (first, second) of codes ``0..count-1``; code 0 decodes to (0, 0)."""
    first = np.zeros(count, dtype=np.intp)
    second = np.zeros(count, dtype=np.intp)
    n = 0
    while genotype_count(n) < count:
        n += 1
    codes_j = np.repeat(np.arange(n), np.arange(1, n + 1))
    codes_i = np.concatenate([np.arange(j + 1) for j in range(n)]) if n else np.zeros(0, np.intp)
    first[1:] = codes_i[: count - 1]
    second[1:] = codes_j[: count - 1]
    first.setflags(write=False)
    second.setflags(write=False)
    return first, second


def code_dtype(sizes: Sequence[int]) -> type:
    """Smallest unsigned dtype holding every genotype code (uint16 for any real kit)."""
    return np.uint16 if max(sizes, default=0) <= 1 << 16 else np.uint32


class ProfileIndex:
    """Genotype codes of many profiles over a fixed allele universe (``model.frequencies``).

    ``codes`` has shape (number of profiles, number of loci), C order (profile-major: one profile's
    codes are contiguous, which is what the scan kernel reads), dtype uint16 (uint32 only for a locus
    with more than 361 alleles).  ``offsets[l]`` is where locus ``l``'s genotypes start in the flat
    per-query tables.
    """

    def __init__(
        self, model: KinshipModel, loci: Sequence[str], codes_by_locus: np.ndarray, ids: Sequence[str]
    ):
        self.model = model
        self.loci = tuple(loci)
        self.ids = list(ids)
        self.sizes = tuple(genotype_count(model.frequencies.locus(locus).size) for locus in self.loci)
        self.offsets = np.concatenate([[0], np.cumsum(self.sizes, dtype=np.int64)])[:-1].astype(np.int64)
        codes_by_locus = np.asarray(codes_by_locus)
        if codes_by_locus.shape != (len(self.loci), len(self.ids)):
            raise ValueError("codes must have shape (loci, profiles)")
        if codes_by_locus.size and np.any(codes_by_locus.max(axis=1) >= np.asarray(self.sizes)):
            raise ValueError("genotype code outside the allele universe")
        self.codes = np.ascontiguousarray(codes_by_locus.T, dtype=code_dtype(self.sizes))

    def __len__(self) -> int:
        return len(self.ids)

    @property
    def bytes_per_profile(self) -> int:
        return self.codes.shape[1] * self.codes.dtype.itemsize

    @classmethod
    def build(
        cls,
        profiles: Mapping[str, Profile],
        model: KinshipModel | None = None,
        loci: Sequence[str] | None = None,
    ) -> ProfileIndex:
        """Index profiles; the model's table is extended by every allele they carry."""
        model = (model or KinshipModel()).covering(list(profiles.values()))
        if loci is None:
            typed = set().union(*(p.keys() for p in profiles.values())) if profiles else set()
            loci = model.locus_order({locus for locus in typed if locus in model.frequencies})
        codes = encode_profiles(model, loci, list(profiles.values()))
        return cls(model, loci, codes, list(profiles))

    def locus_codes(self, position: int, rows: np.ndarray | slice | None = None) -> np.ndarray:
        """Per-locus genotype codes of the given rows."""
        rows = slice(None) if rows is None else rows
        return self.codes[rows, position].astype(np.int64)


def encode_profiles(model: KinshipModel, loci: Sequence[str], profiles: Sequence[Profile]) -> np.ndarray:
    """Per-locus genotype codes (shape loci × profiles); alleles must be in the model's table."""
    codes = np.zeros((len(loci), len(profiles)), dtype=np.uint32)
    for position, locus in enumerate(loci):
        index = model.frequencies.locus(locus).index
        column = codes[position]
        for row, profile in enumerate(profiles):
            genotype = profile.get(locus)
            if genotype is not None:
                column[row] = encode(index[genotype[0]], index[genotype[1]])
    return codes


class CoupleIndex:
    """Mother and father genotype codes of many couples, sharing one allele universe."""

    def __init__(self, mothers: ProfileIndex, fathers: ProfileIndex, ids: Sequence[tuple[str, str]]):
        if mothers.loci != fathers.loci or mothers.model is not fathers.model:
            raise ValueError("mother and father indexes must share loci and model")
        self.mothers, self.fathers = mothers, fathers
        self.model, self.loci = mothers.model, mothers.loci
        self.ids = list(ids)

    def __len__(self) -> int:
        return len(self.ids)

    @classmethod
    def build(
        cls,
        couples: Sequence[tuple[str, Profile, str, Profile]],
        model: KinshipModel | None = None,
        loci: Sequence[str] | None = None,
    ) -> CoupleIndex:
        """Index ``(mother_id, mother_profile, father_id, father_profile)`` tuples."""
        mothers = [c[1] for c in couples]
        fathers = [c[3] for c in couples]
        model = (model or KinshipModel()).covering(mothers + fathers)
        if loci is None:
            typed = set().union(*(p.keys() for p in mothers + fathers)) if couples else set()
            loci = model.locus_order({locus for locus in typed if locus in model.frequencies})
        ids = [(c[0], c[2]) for c in couples]
        mother_index = ProfileIndex(
            model, loci, encode_profiles(model, loci, mothers), [c[0] for c in couples]
        )
        father_index = ProfileIndex(
            model, loci, encode_profiles(model, loci, fathers), [c[2] for c in couples]
        )
        return cls(mother_index, father_index, ids)


@dataclass(frozen=True)
class SearchHit:
    """One reference in the top k."""

    rank: int
    row: int
    reference: str | tuple[str, str]
    total_lr: float
    log10_lr: float
    inconsistent_count: int
    inconsistent_loci: tuple[str, ...]
    conclusion: str

    def to_json_dict(self) -> dict:
        return {
            "rank": self.rank,
            "reference": list(self.reference) if isinstance(self.reference, tuple) else self.reference,
            "total_lr": self.total_lr,
            "log10_lr": None if math.isinf(self.log10_lr) else self.log10_lr,
            "inconsistent_count": self.inconsistent_count,
            "inconsistent_loci": list(self.inconsistent_loci),
            "conclusion": self.conclusion,
        }


@dataclass(frozen=True)
class SearchQuery:
    """What is searched: ``persons`` are the fixed parties, ``mode`` says the references' role.

    * ``parent``: persons = (child,); references are alleged single parents (duo LR).
    * ``couple``: persons = (child,); references are mother–father couples (couple LR).
    * ``child``: persons = (parent,) or (mother, father); references are children.
    * ``trio``: persons = (mother, child); references are alleged fathers (trio LR).
    * ``full-siblings``, ``half-siblings``, ``grandparent``, ``avuncular``, ``kappa``: persons =
      (person,); references are the relatives (the query is the first person of the pair).
    """

    mode: str
    persons: tuple[Profile, ...]
    kappa: tuple[float, float, float] | None = None
    parent_sex: str = "male"

    def relationship(self) -> str:
        if self.mode in ("parent", "child"):
            return "couple" if len(self.persons) == 2 else "parent-child"
        return self.mode


def _validate(query: SearchQuery) -> None:
    expected = {"parent": (1,), "couple": (1,), "child": (1, 2), "trio": (2,)}.get(query.mode, (1,))
    if query.mode not in MODES:
        raise ValueError(f"unknown search mode {query.mode!r}; choose one of {', '.join(MODES)}")
    if len(query.persons) not in expected:
        raise ValueError(f"mode {query.mode!r} needs {' or '.join(map(str, expected))} query profile(s)")


def _pair(ctx: formulas.LocusContext, genotype: tuple[str, str]) -> formulas.Pair:
    return np.asarray(ctx.data.index[genotype[0]]), np.asarray(ctx.data.index[genotype[1]])


def _relationship_slots(query: SearchQuery) -> tuple[str, int]:
    """The `compute_lr` relationship of a single-reference query and the reference's position in it."""
    if query.mode == "parent":
        return "parent-child", 0
    if query.mode == "child":
        return ("couple", 2) if len(query.persons) == 2 else ("parent-child", 1)
    if query.mode == "trio":
        return "trio", 1
    return query.mode, 1


def _locus_values(
    ctx: formulas.LocusContext,
    model: KinshipModel,
    relationship: str,
    genotypes: Sequence[formulas.Pair | None],
    query: SearchQuery,
) -> tuple[np.ndarray, np.ndarray] | None:
    """LR and inconsistency of one locus, vectorised over the genotypes given as arrays.

    ``genotypes`` in `compute_lr`'s person order, ``None`` for an untyped party; ``None`` is returned
    where the locus carries no information (LR 1), exactly as `compute_lr` decides.
    """
    theta = model.theta
    if any(g is None for g in genotypes):
        if relationship not in ("trio", "couple"):
            return None
        found = formulas.partly_typed_lr(ctx, relationship, genotypes, theta)
        if found is None:
            return None
        lr, bad = found
        return np.asarray(lr, dtype=np.float64), np.asarray(bad, dtype=bool)
    pairs: list[formulas.Pair] = list(genotypes)  # type: ignore[arg-type]
    return typed_values(ctx, relationship, pairs, theta, parent_sex=query.parent_sex, kappa=query.kappa)


def _single_tables(model: KinshipModel, loci: Sequence[str], sizes: Sequence[int], query: SearchQuery):
    """Per-locus float64 LR and bool inconsistency over every reference genotype code.

    Code 0 (reference untyped) has LR 1.  A query party untyped at a locus gives LR 1 there, except
    for the partly typed trio and couple of `formulas.partly_typed_lr` (same rule as `compute_lr`).
    """
    relationship, slot = _relationship_slots(query)
    lr_tables: list[np.ndarray] = []
    bad_tables: list[np.ndarray] = []
    for locus, size in zip(loci, sizes, strict=True):
        lr = np.ones(size)
        bad = np.zeros(size, dtype=bool)
        fixed = [person.get(locus) for person in query.persons]
        if any(g is not None for g in fixed):
            ctx = model.context(locus)
            first, second = decode_all(size)
            pairs: list[formulas.Pair | None] = [None if g is None else _pair(ctx, g) for g in fixed]
            pairs.insert(slot, (first[1:], second[1:]))
            found = _locus_values(ctx, model, relationship, pairs, query)
            if found is not None:
                lr[1:] = np.broadcast_to(found[0], (size - 1,))
                bad[1:] = np.broadcast_to(found[1], (size - 1,))
        lr_tables.append(lr)
        bad_tables.append(bad)
    return lr_tables, bad_tables


def _log10(values: np.ndarray) -> np.ndarray:
    with np.errstate(divide="ignore"):
        return np.log10(values)


def _margin(tables: Iterable[np.ndarray]) -> float:
    """Twice a bound on the float32 rounding error of a scan score (in log10 units), plus slack.

    A score sums one entry of each table in float32: each entry is rounded once (relative 2⁻²⁴) and
    each of the additions rounds a partial sum bounded by the sum of the largest magnitudes.
    """
    tables = list(tables)
    magnitude = 0.0
    for table in tables:
        finite = table[np.isfinite(table)]
        magnitude += float(np.max(np.abs(finite))) if finite.size else 0.0
    return 2.0 * (len(tables) + 2) * magnitude * 2.0**-23 + 1e-9


def _ceilings(log_tables: Sequence[np.ndarray]) -> np.ndarray:
    """Each locus's largest finite log10 LR (-inf where none is finite): bounds what a locus can add."""
    return np.array(
        [float(np.max(t, where=np.isfinite(t), initial=-np.inf)) for t in log_tables], dtype=np.float64
    )


def _flat_log_table(lr_tables: Sequence[np.ndarray]) -> np.ndarray:
    if not lr_tables:
        return np.zeros(1, dtype=np.float32)
    return np.concatenate([_log10(t) for t in lr_tables]).astype(np.float32)


def _finish(
    rows: np.ndarray,
    per_locus: Callable[[np.ndarray], tuple[np.ndarray, np.ndarray]],
    loci: Sequence[str],
    ids: Sequence,
    k: int,
    relationship_is_parentage: bool,
    thresholds: Thresholds,
) -> list[SearchHit]:
    """Exact float64 LRs of the candidate rows, ranked by log10 LR (ties: lower row first)."""
    if rows.size == 0:
        return []
    lrs, bad = per_locus(rows)  # shapes (loci, candidates)
    exact = []
    for column, (row, values) in enumerate(zip(rows.tolist(), lrs.T.tolist(), strict=True)):
        total, log10_total = combine(values)
        exact.append((log10_total, row, total, column))
    exact.sort(key=lambda item: (-item[0], item[1]))
    flagged_any = bad.any(axis=0).tolist() if len(loci) else [False] * rows.size
    hits = []
    for rank, (log10_total, row, total, column) in enumerate(exact[:k], start=1):
        flagged = ()
        if flagged_any[column]:
            flagged = tuple(loci[i] for i in np.flatnonzero(bad[:, column]).tolist())
        hits.append(
            SearchHit(
                rank,
                row,
                ids[row],
                total,
                log10_total,
                len(flagged),
                flagged,
                conclude(total, len(flagged), parentage=relationship_is_parentage, thresholds=thresholds),
            )
        )
    return hits


def _table_lookup(index: ProfileIndex, lr_tables, bad_tables):
    def per_locus(rows: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        if not index.loci:
            return np.ones((0, rows.size)), np.zeros((0, rows.size), bool)
        codes = index.codes[rows].astype(np.int64)
        lrs = np.stack([lr_tables[p][codes[:, p]] for p in range(len(index.loci))])
        bad = np.stack([bad_tables[p][codes[:, p]] for p in range(len(index.loci))])
        return lrs, bad

    return per_locus


def search(
    index: ProfileIndex | CoupleIndex,
    query: SearchQuery,
    *,
    top: int = 10,
    thresholds: Thresholds = DEFAULT_THRESHOLDS,
) -> list[SearchHit]:
    """Top ``top`` references by LR for the query (see `SearchQuery` for the modes).

    LRs equal ``compute_lr(relationship, persons, model=index.model)`` exactly, the persons being the
    query's profiles and the reference's in the order of `compute_lr` (partly typed trios and couples
    included).
    """
    _validate(query)
    if top < 1:
        raise ValueError("top must be at least 1")
    model = index.model.covering(list(query.persons))
    if query.mode == "couple":
        if not isinstance(index, CoupleIndex):
            raise TypeError("mode 'couple' needs a CoupleIndex")
        return _search_couples(index, model, query, top, thresholds)
    if not isinstance(index, ProfileIndex):
        raise TypeError(f"mode {query.mode!r} needs a ProfileIndex")
    lr_tables, bad_tables = _single_tables(model, index.loci, index.sizes, query)
    log_tables = [_log10(t) for t in lr_tables]
    table = _flat_log_table(lr_tables)
    rows = kernel.scan_singles(
        index.codes, table, index.offsets, top, _margin(log_tables), _ceilings(log_tables)
    )
    parentage = query.relationship() in ("parent-child", "trio", "couple")
    per_locus = _table_lookup(index, lr_tables, bad_tables)
    return _finish(rows, per_locus, index.loci, index.ids, top, parentage, thresholds)


_PROJECTION = np.random.default_rng(20240601).uniform(0.5, 1.5, 6)
"""Fixed weights of the parent-class key (any weights are correct: groups are verified)."""


def _parent_classes(ctx: formulas.LocusContext, sex: str, size: int, child: formulas.Pair):
    """Map each parent genotype code to a class of parents that give this child the same LRs.

    Features: the parent's own transmission probabilities of the child's two alleles, the untyped
    (other-sex) transmissions of them (the duo LR of a partly typed couple uses them under θ), and
    how many copies of each the parent carries.  Code 0 (untyped) is a class of its own.
    """
    own = ctx.matrix(sex)
    other, _bar = ctx.untyped("female" if sex == "male" else "male")
    first, second = decode_all(size)
    a, b = child
    features = np.stack(
        [
            0.5 * (own[first, a] + own[second, a]),
            0.5 * (own[first, b] + own[second, b]),
            other[first, a] + other[second, a],
            other[first, b] + other[second, b],
            (first == a).astype(float) + (second == a),
            (first == b).astype(float) + (second == b),
        ],
        axis=1,
    )
    features[0] = -1.0  # untyped parent: its own class
    # Group by a random projection of the features (a 1-D sort), then check that every member equals
    # its group's representative; on a (practically impossible) collision, group the rows exactly.
    key = features @ _PROJECTION
    _unique, representative, classes = np.unique(key, return_index=True, return_inverse=True)
    classes = classes.reshape(-1)
    if not np.array_equal(features, features[representative][classes]):
        _rows, representative, classes = np.unique(features, axis=0, return_index=True, return_inverse=True)
        classes = classes.reshape(-1)
    return (
        classes.astype(np.int64),
        first[representative],
        second[representative],
        features[representative, 0] < 0,
    )


def _couple_values(ctx, model, query, mother, father, child, mother_typed, father_typed):
    """Couple LR and inconsistency over (mother, father) arrays, partly typed couples included."""
    shape = np.broadcast(mother[0], father[0], mother_typed, father_typed).shape
    lr = np.ones(shape)
    bad = np.zeros(shape, dtype=bool)
    mother_typed = np.broadcast_to(mother_typed, shape)
    father_typed = np.broadcast_to(father_typed, shape)
    mother = tuple(np.broadcast_to(x, shape) for x in mother)
    father = tuple(np.broadcast_to(x, shape) for x in father)
    for m_typed, f_typed in ((True, True), (True, False), (False, True)):
        where = (mother_typed == m_typed) & (father_typed == f_typed)
        if not where.any():
            continue
        m = (mother[0][where], mother[1][where]) if m_typed else None
        f = (father[0][where], father[1][where]) if f_typed else None
        found = _locus_values(ctx, model, "couple", [m, f, child], query)
        if found is not None:
            lr[where] = np.broadcast_to(found[0], (int(where.sum()),))
            bad[where] = np.broadcast_to(found[1], (int(where.sum()),))
    return lr, bad


def _class_pair_lrs(ctx, model, query, child, mothers, fathers) -> np.ndarray:
    """Couple LR over (mother class × father class); an untyped class gets the other parent's duo LR."""
    m1, m2, m_untyped = mothers
    f1, f2, f_untyped = fathers
    lr = np.ones((m1.size, f1.size))
    tm, tf = np.flatnonzero(~m_untyped), np.flatnonzero(~f_untyped)
    um, uf = np.flatnonzero(m_untyped), np.flatnonzero(f_untyped)
    if tm.size and tf.size:
        found = _locus_values(
            ctx, model, "couple", [(m1[tm, None], m2[tm, None]), (f1[None, tf], f2[None, tf]), child], query
        )
        if found is not None:
            lr[np.ix_(tm, tf)] = np.broadcast_to(found[0], (tm.size, tf.size))
    if um.size and tf.size:
        found = _locus_values(ctx, model, "couple", [None, (f1[tf], f2[tf]), child], query)
        if found is not None:
            lr[np.ix_(um, tf)] = np.broadcast_to(found[0], (tf.size,))[None, :]
    if tm.size and uf.size:
        found = _locus_values(ctx, model, "couple", [(m1[tm], m2[tm]), None, child], query)
        if found is not None:
            lr[np.ix_(tm, uf)] = np.broadcast_to(found[0], (tm.size,))[:, None]
    return lr


def _search_couples(
    index: CoupleIndex, model: KinshipModel, query: SearchQuery, k: int, thresholds: Thresholds
) -> list[SearchHit]:
    """Couples: per locus, parent codes map to classes and the LR is tabulated over class pairs.

    Flat layout for the kernel: per locus one row per mother class listing the LR for every father
    code; ``mother_row[offset_l + code]`` is the start of the mother's row (the locus's table offset
    included), so a couple costs one class lookup and one table lookup per locus.
    """
    child = query.persons[0]
    sizes = index.mothers.sizes
    offsets = index.mothers.offsets
    loci = index.loci
    mother_row = np.zeros(int(sum(sizes)), np.int64)
    tables: list[np.ndarray] = []
    class_tables: list[np.ndarray] = []  # the same values per class pair (for the margin and ceilings)
    table_start = 0
    contexts: list[formulas.LocusContext | None] = []
    for position, (locus, size) in enumerate(zip(loci, sizes, strict=True)):
        genotype = child.get(locus)
        base = int(offsets[position])
        if genotype is None:
            tables.append(np.zeros(size))  # one row of zeros (LR 1) for every mother
            class_tables.append(np.zeros(1))
            mother_row[base : base + size] = table_start
            table_start += size
            contexts.append(None)
            continue
        ctx = model.context(locus)
        child_pair = _pair(ctx, genotype)
        cm, m1, m2, m_untyped = _parent_classes(ctx, "female", size, child_pair)
        cf, f1, f2, f_untyped = _parent_classes(ctx, "male", size, child_pair)
        small = _log10(
            _class_pair_lrs(ctx, model, query, child_pair, (m1, m2, m_untyped), (f1, f2, f_untyped))
        )
        class_tables.append(small)
        # Rows: mother classes; columns: every father code of the locus (through his class).
        tables.append(small[:, cf].ravel())
        mother_row[base : base + size] = table_start + cm * size
        table_start += len(m1) * size
        contexts.append(ctx)
    flat = np.concatenate(tables).astype(np.float32) if tables else np.zeros(1, np.float32)
    rows = kernel.scan_couples(
        index.mothers.codes,
        index.fathers.codes,
        mother_row,
        flat,
        offsets,
        k,
        _margin(class_tables),
        _ceilings(class_tables),
    )

    def per_locus(rows: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        lrs = np.ones((len(loci), rows.size))
        bad = np.zeros((len(loci), rows.size), dtype=bool)
        for position, locus in enumerate(loci):
            ctx = contexts[position]
            if ctx is None:
                continue
            child_pair = _pair(ctx, child[locus])
            first, second = decode_all(sizes[position])
            mc = index.mothers.locus_codes(position, rows)
            fc = index.fathers.locus_codes(position, rows)
            lrs[position], bad[position] = _couple_values(
                ctx,
                model,
                query,
                (first[mc], second[mc]),
                (first[fc], second[fc]),
                child_pair,
                mc != 0,
                fc != 0,
            )
        return lrs, bad

    return _finish(rows, per_locus, loci, index.ids, k, True, thresholds)


# ---------------------------------------------------------------------------------------------------
# All-against-all batches: one-person queries share tables and run in the compiled kernel's threads;
# the rest run query by query, optionally on several processes.

BATCH_QUERIES = 2048
"""Queries tabulated together (bounds the memory of the shared query-genotype × reference tables)."""

_BATCH_STATE: dict = {}


def _batch_worker(args: tuple[int, int]) -> list[list[SearchHit]]:
    start, stop = args
    state = _BATCH_STATE
    return [
        search(state["index"], state["queries"][i], top=state["top"], thresholds=state["thresholds"])
        for i in range(start, stop)
    ]


def _batch_key(index: ProfileIndex | CoupleIndex, query: SearchQuery):
    """Queries with equal keys share tables; None for queries searched one by one."""
    if not isinstance(index, ProfileIndex) or query.mode == "couple" or len(query.persons) != 1:
        return None
    _validate(query)
    kappa = resolve_kappa(query.mode, query.kappa) if query.mode not in ("parent", "child") else None
    return (query.mode, query.parent_sex, kappa)


def _search_shared(
    index: ProfileIndex, queries: Sequence[SearchQuery], top: int, workers: int, thresholds: Thresholds
) -> list[list[SearchHit]]:
    """One-person queries of one mode: per locus, the LR over (query genotype × reference genotype).

    The same per-locus formulas as `search` with the query's genotype as an array instead of a
    scalar give the same float64 values, so the hits are those of `search`, query by query.
    """
    model = index.model
    relationship, slot = _relationship_slots(queries[0])
    lr_blocks: list[np.ndarray] = []
    bad_blocks: list[np.ndarray] = []
    query_offsets = np.zeros((len(queries), len(index.loci)), dtype=np.int64)
    magnitudes = np.zeros(len(queries))
    ceilings = np.zeros((len(queries), len(index.loci)))
    unknown: set[int] = set()  # queries with an allele the index's table lacks: searched alone
    start = 0
    for position, (locus, size) in enumerate(zip(index.loci, index.sizes, strict=True)):
        ctx = model.context(locus)
        index_of = ctx.data.index
        query_codes = np.zeros(len(queries), dtype=np.int64)
        for q, query in enumerate(queries):
            genotype = query.persons[0].get(locus)
            if genotype is not None:
                if genotype[0] in index_of and genotype[1] in index_of:
                    query_codes[q] = encode(index_of[genotype[0]], index_of[genotype[1]])
                else:
                    unknown.add(q)
        distinct, which = np.unique(query_codes, return_inverse=True)
        lr = np.ones((distinct.size, size))
        bad = np.zeros((distinct.size, size), dtype=bool)
        first, second = decode_all(max(size, int(distinct.max()) + 1))
        typed = distinct != 0
        if typed.any():
            fixed = (first[distinct[typed]][:, None], second[distinct[typed]][:, None])
            pairs: list[formulas.Pair | None] = [fixed]
            pairs.insert(slot, (first[1:size][None, :], second[1:size][None, :]))
            found = _locus_values(ctx, model, relationship, pairs, queries[0])
            if found is not None:
                shape = (int(typed.sum()), size - 1)
                lr[typed, 1:] = np.broadcast_to(found[0], shape)
                bad[typed, 1:] = np.broadcast_to(found[1], shape)
        logs = _log10(lr)
        finite = np.where(np.isfinite(logs), np.abs(logs), 0.0)
        magnitudes += finite.max(axis=1)[which.reshape(-1)]
        ceilings[:, position] = np.max(logs, axis=1, where=np.isfinite(logs), initial=-np.inf)[
            which.reshape(-1)
        ]
        query_offsets[:, position] = start + which.reshape(-1) * size
        lr_blocks.append(lr.ravel())
        bad_blocks.append(bad.ravel())
        start += lr.size
    lr_flat = np.concatenate(lr_blocks) if lr_blocks else np.ones(1)
    bad_flat = np.concatenate(bad_blocks) if bad_blocks else np.zeros(1, bool)
    table = _log10(lr_flat).astype(np.float32)
    margins = 2.0 * (len(index.loci) + 2) * magnitudes * 2.0**-23 + 1e-9
    capacity = 4 * top + 64
    if workers > 1:
        with kernel.threads(workers):
            found_rows, counts = kernel.scan_batch(
                index.codes, table, query_offsets, top, margins, capacity, ceilings, workers
            )
    else:  # no thread pool at all (numba's OpenMP layer is not fork-safe once started)
        found_rows, counts = kernel.scan_batch(
            index.codes, table, query_offsets, top, margins, capacity, ceilings
        )
    parentage = queries[0].relationship() in ("parent-child", "trio", "couple")
    results = []
    codes = index.codes
    for q, query in enumerate(queries):
        if counts[q] < 0 or q in unknown:  # an unknown allele, or more ties than the buffer holds
            results.append(search(index, query, top=top, thresholds=thresholds))
            continue
        rows = found_rows[q, : counts[q]]

        def per_locus(rows: np.ndarray, q: int = q) -> tuple[np.ndarray, np.ndarray]:
            cells = query_offsets[q][:, None] + codes[rows].T.astype(np.int64)
            return lr_flat[cells], bad_flat[cells]

        results.append(_finish(rows, per_locus, index.loci, index.ids, top, parentage, thresholds))
    return results


def search_many(
    index: ProfileIndex | CoupleIndex,
    queries: Sequence[SearchQuery],
    *,
    top: int = 10,
    workers: int = 1,
    thresholds: Thresholds = DEFAULT_THRESHOLDS,
) -> list[list[SearchHit]]:
    """Search every query against the index; the same hits as `search` query by query.

    One-person queries against a `ProfileIndex` (parent, child of one parent, the pairwise
    relationships) are tabulated together and scanned by the compiled kernel on ``workers`` threads.
    Other queries (and all of them where the compiled kernel is unavailable) run one by one, on a
    fork-based process pool when ``workers > 1``; the index is shared with the workers by fork
    (copy-on-write), not pickled.
    """
    if top < 1:
        raise ValueError("top must be at least 1")
    results: list[list[SearchHit] | None] = [None] * len(queries)
    rest = list(range(len(queries)))
    if kernel.compiled_available() and isinstance(index, ProfileIndex):
        groups: dict = {}
        rest = []
        for i, query in enumerate(queries):
            key = _batch_key(index, query)
            if key is None:
                rest.append(i)
            else:
                groups.setdefault(key, []).append(i)
        for members in groups.values():
            for s in range(0, len(members), BATCH_QUERIES):
                part = members[s : s + BATCH_QUERIES]
                hits = _search_shared(index, [queries[i] for i in part], top, workers, thresholds)
                for i, found in zip(part, hits, strict=True):
                    results[i] = found
    for i, found in zip(
        rest, _search_each(index, [queries[i] for i in rest], top, workers, thresholds), strict=True
    ):
        results[i] = found
    return results  # type: ignore[return-value]


def _search_each(
    index: ProfileIndex | CoupleIndex,
    queries: Sequence[SearchQuery],
    top: int,
    workers: int,
    thresholds: Thresholds,
) -> list[list[SearchHit]]:
    if workers <= 1 or len(queries) < 2 or "fork" not in _start_methods():
        return [search(index, q, top=top, thresholds=thresholds) for q in queries]
    _BATCH_STATE.update(index=index, queries=queries, top=top, thresholds=thresholds)
    try:
        step = max(1, math.ceil(len(queries) / (workers * 8)))
        spans = [(s, min(len(queries), s + step)) for s in range(0, len(queries), step)]
        with ProcessPoolExecutor(max_workers=workers, mp_context=get_context("fork")) as pool:
            results: list[list[SearchHit]] = []
            for part in pool.map(_batch_worker, spans):
                results.extend(part)
        return results
    finally:
        _BATCH_STATE.clear()


def _start_methods() -> list[str]:
    import multiprocessing

    return multiprocessing.get_all_start_methods() if os.name == "posix" else []
