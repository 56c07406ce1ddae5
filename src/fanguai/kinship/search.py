"""Vectorised database search: one query against many references, top k by likelihood ratio.

Why it is fast: for a fixed query, the LR of a locus depends only on the reference's genotype at that
locus, so it is tabulated once per query over every genotype of the allele universe; scanning the
database is then a gather from small tables and a sum of logarithms.  The tables of all loci are
computed in one vectorised call: the loci of an index are stacked into one allele universe (block-
diagonal matrices, built once per model and cached), so the per-locus formulas run once per query
instead of once per locus.  Genotypes are stored as compact
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
import weakref
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


class _StackedLoci:
    """Every locus of an index as one allele universe, built once per (model, loci, sizes).

    Allele ``i`` of the locus at position ``l`` is the global allele ``allele_start[l] + i``; ``ctx`` is a
    `formulas.LocusContext` over all of them, with the frequencies concatenated and each matrix
    block-diagonal (per-locus blocks, zero elsewhere).  The formulas only index and combine values
    element by element, so evaluating them once on the genotypes of every locus gives exactly the
    per-locus values, in one vectorised call instead of one per locus.

    Cells: the flat table positions ``offsets[l] + code`` of every genotype code of every locus (code 0,
    the untyped reference, included); ``first``/``second`` their global allele indices (code 0 decodes
    to the locus's first allele), ``locus_of`` their locus position.
    """

    def __init__(self, model: KinshipModel, loci: Sequence[str], sizes: Sequence[int]):
        self.contexts = [model.context(locus) for locus in loci]
        counts = [ctx.data.size for ctx in self.contexts]
        self.allele_start = np.concatenate([[0], np.cumsum(counts, dtype=np.int64)])[:-1].astype(np.intp)
        blocks: dict[tuple[int, ...], np.ndarray] = {}

        def diagonal(name: str) -> np.ndarray:
            parts = [getattr(ctx, name) for ctx in self.contexts]
            key = tuple(id(part) for part in parts)
            if key not in blocks:
                blocks[key] = _block_diagonal(parts, sum(counts))
            return blocks[key]

        def joined(name: str) -> np.ndarray:
            return np.concatenate([getattr(ctx, name) for ctx in self.contexts]) if counts else np.zeros(0)

        self.ctx = formulas.LocusContext(
            None,  # type: ignore[arg-type] - no single locus: the formulas never read ``data``
            joined("p"),
            diagonal("male"),
            diagonal("female"),
            diagonal("untyped_male"),
            diagonal("untyped_female"),
            joined("untyped_male_bar"),
            joined("untyped_female_bar"),
        )
        # Per-locus blocks (not one product over the whole universe, whose sums could round differently).
        object.__setattr__(self.ctx, "untyped_pair", diagonal("untyped_pair"))
        self.sizes = tuple(sizes)
        self.offsets = np.concatenate([[0], np.cumsum(self.sizes, dtype=np.int64)])[:-1].astype(np.int64)
        self.locus_of = np.repeat(np.arange(len(self.sizes), dtype=np.intp), self.sizes)
        firsts, seconds = [], []
        for position, size in enumerate(self.sizes):
            first, second = decode_all(size)
            firsts.append(first + self.allele_start[position])
            seconds.append(second + self.allele_start[position])
        self.first = np.concatenate(firsts) if firsts else np.zeros(0, np.intp)
        self.second = np.concatenate(seconds) if seconds else np.zeros(0, np.intp)
        self.typed_cells = np.flatnonzero(_not_code_zero(self.offsets, self.first.size))

    def global_pair(self, position: int, genotype: tuple[str, str]) -> tuple[int, int]:
        """Global allele indices of a genotype at the locus at ``position`` (alleles in the model's table)."""
        index = self.contexts[position].data.index
        start = int(self.allele_start[position])
        return start + index[genotype[0]], start + index[genotype[1]]


def _not_code_zero(offsets: np.ndarray, total: int) -> np.ndarray:
    mask = np.ones(total, dtype=bool)
    mask[offsets] = False
    return mask


def _block_diagonal(blocks: Sequence[np.ndarray], total: int) -> np.ndarray:
    out = np.zeros((total, total))
    start = 0
    for block in blocks:
        stop = start + block.shape[0]
        out[start:stop, start:stop] = block
        start = stop
    return out


_STACKED: weakref.WeakKeyDictionary = weakref.WeakKeyDictionary()


def _stacked(model: KinshipModel, loci: Sequence[str], sizes: Sequence[int]) -> _StackedLoci:
    """The model's `_StackedLoci` for these loci (cached with the model)."""
    per_model = _STACKED.setdefault(model, {})
    key = (tuple(loci), tuple(sizes))
    found = per_model.get(key)
    if found is None:
        found = per_model[key] = _StackedLoci(model, loci, sizes)
    return found


def _single_tables(
    model: KinshipModel, index: ProfileIndex, query: SearchQuery
) -> tuple[np.ndarray, np.ndarray]:
    """Flat float64 LR and bool inconsistency of every genotype code of every locus (``index.offsets``).

    Code 0 (reference untyped) has LR 1.  A query party untyped at a locus gives LR 1 there, except
    for the partly typed trio and couple of `formulas.partly_typed_lr` (same rule as `compute_lr`).
    The loci where every query party is typed are computed together in one call on the stacked loci.
    """
    relationship, slot = _relationship_slots(query)
    stacked = _stacked(model, index.loci, index.sizes)
    loci_count = len(index.loci)
    lr = np.ones(stacked.first.size)
    bad = np.zeros(stacked.first.size, dtype=bool)
    fixed_pairs = np.zeros((len(query.persons), 2, loci_count), dtype=np.intp)
    full = np.zeros(loci_count, dtype=bool)
    partial: list[int] = []
    for position, locus in enumerate(index.loci):
        fixed = [person.get(locus) for person in query.persons]
        if all(g is None for g in fixed):
            continue
        if any(g is None for g in fixed):
            partial.append(position)
            continue
        full[position] = True
        for person, genotype in enumerate(fixed):
            fixed_pairs[person, :, position] = stacked.global_pair(position, genotype)
    if loci_count and full.all():  # the usual case: every cell at once (code 0 then reset to LR 1)
        where = stacked.locus_of
        pairs: list[formulas.Pair] = [(fixed[0][where], fixed[1][where]) for fixed in fixed_pairs]
        pairs.insert(slot, (stacked.first, stacked.second))
        lr, bad = typed_values(
            stacked.ctx, relationship, pairs, model.theta, parent_sex=query.parent_sex, kappa=query.kappa
        )
        lr[stacked.offsets] = 1.0
        bad[stacked.offsets] = False
    elif full.any():
        cells = stacked.typed_cells[full[stacked.locus_of[stacked.typed_cells]]]
        where = stacked.locus_of[cells]
        pairs = [(fixed[0][where], fixed[1][where]) for fixed in fixed_pairs]
        pairs.insert(slot, (stacked.first[cells], stacked.second[cells]))
        values, flags = typed_values(
            stacked.ctx, relationship, pairs, model.theta, parent_sex=query.parent_sex, kappa=query.kappa
        )
        lr[cells] = values
        bad[cells] = flags
    for position in partial:  # rare: per locus, with the locus's own context
        locus, size, start = index.loci[position], index.sizes[position], int(index.offsets[position])
        ctx = model.context(locus)
        first, second = decode_all(size)
        genotypes: list[formulas.Pair | None] = [
            None if (g := person.get(locus)) is None else _pair(ctx, g) for person in query.persons
        ]
        genotypes.insert(slot, (first[1:], second[1:]))
        found = _locus_values(ctx, model, relationship, genotypes, query)
        if found is not None:
            lr[start + 1 : start + size] = np.broadcast_to(found[0], (size - 1,))
            bad[start + 1 : start + size] = np.broadcast_to(found[1], (size - 1,))
    return lr, bad


def _log10(values: np.ndarray) -> np.ndarray:
    with np.errstate(divide="ignore"):
        return np.log10(values)


def _margin_of(magnitudes: np.ndarray | Sequence[float], loci: int) -> float:
    """Twice a bound on the float32 rounding error of a scan score (in log10 units), plus slack.

    A score sums one entry of each of ``loci`` tables in float32: each entry is rounded once (relative
    2⁻²⁴) and each of the additions rounds a partial sum bounded by the sum of the largest magnitudes
    (``magnitudes``: each table's largest finite absolute value).
    """
    return 2.0 * (loci + 2) * math.fsum(magnitudes) * 2.0**-23 + 1e-9


def _margin(tables: Iterable[np.ndarray]) -> float:
    """`_margin_of` for a list of per-locus log10 tables."""
    tables = list(tables)
    magnitudes = [float(np.max(np.abs(t), where=np.isfinite(t), initial=0.0)) for t in tables]
    return _margin_of(magnitudes, len(tables))


def _ceilings(log_tables: Sequence[np.ndarray]) -> np.ndarray:
    """Each locus's largest finite log10 LR (-inf where none is finite): bounds what a locus can add."""
    return np.array(
        [float(np.max(t, where=np.isfinite(t), initial=-np.inf)) for t in log_tables], dtype=np.float64
    )


def _flat_bounds(logs: np.ndarray, offsets: np.ndarray, loci: int | None = None) -> tuple[float, np.ndarray]:
    """`_margin` and `_ceilings` of the per-locus tables concatenated in ``logs`` (table i starts at
    ``offsets[i]``); ``loci``: how many entries a score sums (default: one per table)."""
    loci = offsets.size if loci is None else loci
    if offsets.size == 0:
        return _margin_of([], loci), np.zeros(0)
    finite = np.isfinite(logs)
    magnitudes = np.maximum.reduceat(np.where(finite, np.abs(logs), 0.0), offsets)
    ceilings = np.maximum.reduceat(np.where(finite, logs, -np.inf), offsets)
    return _margin_of(magnitudes.tolist(), loci), ceilings


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


def _table_lookup(index: ProfileIndex, lr_flat: np.ndarray, bad_flat: np.ndarray):
    """Per-locus LRs and flags of candidate rows, read from the query's flat tables."""

    def per_locus(rows: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        cells = (index.codes[rows] + index.offsets).T
        return lr_flat[cells], bad_flat[cells]

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
    lr_flat, bad_flat = _single_tables(model, index, query)
    logs = _log10(lr_flat)
    margin, ceilings = _flat_bounds(logs, index.offsets)
    table = logs.astype(np.float32) if logs.size else np.zeros(1, np.float32)
    rows = kernel.scan_singles(index.codes, table, index.offsets, top, margin, ceilings)
    parentage = query.relationship() in ("parent-child", "trio", "couple")
    per_locus = _table_lookup(index, lr_flat, bad_flat)
    return _finish(rows, per_locus, index.loci, index.ids, top, parentage, thresholds)


_PROJECTION = np.random.default_rng(20240601).uniform(0.5, 1.5, 6)
"""Fixed weights of the parent-class key (any weights are correct: groups are verified)."""

_LOCUS_STRIDE = 64.0
"""Added per locus position to the class key, so that one sort groups every locus at once."""


@dataclass(frozen=True)
class _Classes:
    """Parent classes of the loci where the child is typed (see `_parent_classes`).

    ``of_cell[i]``: the class (numbered within its locus) of the i-th cell of those loci; per class,
    in locus order: ``locus`` (position), ``first``/``second`` (a representative's global alleles) and
    ``untyped``; ``start[l]``/``count[l]``: where locus l's classes begin and how many it has.
    """

    of_cell: np.ndarray
    locus: np.ndarray
    first: np.ndarray
    second: np.ndarray
    untyped: np.ndarray
    start: np.ndarray
    count: np.ndarray


def _parent_classes(stacked: _StackedLoci, cells: np.ndarray, sex: str, child: np.ndarray) -> _Classes:
    """Map each parent genotype code to a class of parents that give this child the same LRs.

    ``cells``: every cell (code 0 included) of the loci where the child is typed, locus by locus;
    ``child``: the child's two global alleles per locus position (shape 2 × loci).  Features: the parent's own transmission
    probabilities of the child's two alleles, the untyped (other-sex) transmissions of them (the duo
    LR of a partly typed couple uses them under θ), and how many copies of each the parent carries.
    Code 0 (untyped) is a class of its own.  All loci are grouped at once: one sort by a random
    projection of the features plus a per-locus stride, then a check that every member equals its
    group's representative (on a practically impossible collision, the rows are grouped exactly).
    """
    ctx = stacked.ctx
    own = ctx.matrix(sex).ravel()  # flat views: 1-D takes of the same elements as matrix[i, j]
    other = ctx.untyped("female" if sex == "male" else "male")[0].ravel()
    width = ctx.p.size  # alleles of all loci: the row length of every stacked matrix
    first, second = stacked.first[cells], stacked.second[cells]
    first_row, second_row = first * width, second * width
    locus = stacked.locus_of[cells]
    a, b = child[0][locus], child[1][locus]
    features = np.empty((cells.size, 6))
    features[:, 0] = 0.5 * (own.take(first_row + a) + own.take(second_row + a))
    features[:, 1] = 0.5 * (own.take(first_row + b) + own.take(second_row + b))
    features[:, 2] = other.take(first_row + a) + other.take(second_row + a)
    features[:, 3] = other.take(first_row + b) + other.take(second_row + b)
    features[:, 4] = (first == a).astype(float) + (second == a)
    features[:, 5] = (first == b).astype(float) + (second == b)
    untyped_cell = stacked.offsets[locus] == cells
    features[untyped_cell, 0] = -1.0  # untyped parent: its own class
    # One float sort key, loci apart (|key| < 16 < half the stride; a sum rounded into a collision is
    # caught by the check below).
    key = features @ _PROJECTION + _LOCUS_STRIDE * locus
    order = np.argsort(key)
    sorted_key = key[order]
    new = np.ones(order.size, dtype=bool)
    new[1:] = sorted_key[1:] != sorted_key[:-1]
    group = np.cumsum(new) - 1
    representative = order[new]
    of_cell = np.empty(order.size, dtype=np.int64)
    of_cell[order] = group
    exact = np.array_equal(features, features[representative][of_cell])
    if not (exact and np.array_equal(locus, locus[representative][of_cell])):
        rows = np.column_stack([locus.astype(float), features])
        _rows, representative, of_cell = np.unique(rows, axis=0, return_index=True, return_inverse=True)
        of_cell = of_cell.reshape(-1)
    class_locus = locus[representative]
    loci = len(stacked.sizes)
    count = np.bincount(class_locus, minlength=loci)
    start = np.concatenate([[0], np.cumsum(count)])[:-1]
    return _Classes(
        of_cell - start[locus],
        class_locus,
        first[representative],
        second[representative],
        features[representative, 0] < 0,
        start,
        count,
    )


def _couple_cells(
    ctx: formulas.LocusContext,
    theta: float,
    mother: tuple[np.ndarray, np.ndarray, np.ndarray],
    father: tuple[np.ndarray, np.ndarray, np.ndarray],
    child: formulas.Pair,
) -> tuple[np.ndarray, np.ndarray]:
    """Couple LR and inconsistency of (mother, father, child) triples of global allele arrays, with an
    untyped flag per parent: partly typed couples as `compute_lr` (the typed parent's duo), both
    parents untyped LR 1.  One vectorised call per typing pattern, every locus at once."""
    m1, m2, m_untyped = mother
    f1, f2, f_untyped = father
    lr = np.ones(m1.size)
    bad = np.zeros(m1.size, dtype=bool)
    for m_typed, f_typed in ((True, True), (True, False), (False, True)):
        where = np.flatnonzero((m_untyped != m_typed) & (f_untyped != f_typed))
        if not where.size:
            continue
        m = (m1[where], m2[where]) if m_typed else None
        f = (f1[where], f2[where]) if f_typed else None
        c = (child[0][where], child[1][where])
        if m is not None and f is not None:
            found = typed_values(ctx, "couple", [m, f, c], theta)
        else:
            found = formulas.partly_typed_lr(ctx, "couple", [m, f, c], theta)
        if found is not None:
            lr[where] = found[0]
            bad[where] = found[1]
    return lr, bad


LARGE_CLASS_GRID = 4096
"""Class pairs of one locus above which its couple LRs are computed on the locus's own grid."""


def _class_grid(
    ctx: formulas.LocusContext,
    theta: float,
    mothers: _Classes,
    fathers: _Classes,
    position: int,
    child: np.ndarray,
) -> np.ndarray:
    """Couple LR over (mother class × father class) of one locus; an untyped class gets the other
    parent's duo LR, both untyped 1 (the values of `_couple_cells`, computed by broadcasting)."""

    def members(classes: _Classes) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        span = slice(int(classes.start[position]), int(classes.start[position] + classes.count[position]))
        return classes.first[span], classes.second[span], classes.untyped[span]

    (m1, m2, m_untyped), (f1, f2, f_untyped) = members(mothers), members(fathers)
    pair = (np.asarray(child[0]), np.asarray(child[1]))
    lr = np.ones((m1.size, f1.size))
    tm, tf = np.flatnonzero(~m_untyped), np.flatnonzero(~f_untyped)
    um, uf = np.flatnonzero(m_untyped), np.flatnonzero(f_untyped)
    if tm.size and tf.size:
        both = typed_values(
            ctx, "couple", [(m1[tm, None], m2[tm, None]), (f1[None, tf], f2[None, tf]), pair], theta
        )
        lr[np.ix_(tm, tf)] = both[0]
    if um.size and tf.size:
        found = formulas.partly_typed_lr(ctx, "couple", [None, (f1[tf], f2[tf]), pair], theta)
        if found is not None:
            lr[np.ix_(um, tf)] = np.asarray(found[0])[None, :]
    if tm.size and uf.size:
        found = formulas.partly_typed_lr(ctx, "couple", [(m1[tm], m2[tm]), None, pair], theta)
        if found is not None:
            lr[np.ix_(tm, uf)] = np.asarray(found[0])[:, None]
    return lr


def _search_couples(
    index: CoupleIndex, model: KinshipModel, query: SearchQuery, k: int, thresholds: Thresholds
) -> list[SearchHit]:
    """Couples: per locus, parent codes map to classes and the LR is tabulated over class pairs.

    Flat layout for the kernel: per locus one row per mother class listing the LR for every father
    code; ``mother_row[offset_l + code]`` is the start of the mother's row (the locus's table offset
    included), so a couple costs one class lookup and one table lookup per locus.  Classes and class
    pair LRs are computed for all loci at once on the stacked loci.
    """
    child = query.persons[0]
    sizes = index.mothers.sizes
    offsets = index.mothers.offsets
    loci = index.loci
    stacked = _stacked(model, loci, sizes)
    child_alleles = np.zeros((2, len(loci)), dtype=np.intp)
    typed = np.zeros(len(loci), dtype=bool)
    for position, locus in enumerate(loci):
        genotype = child.get(locus)
        if genotype is not None:
            typed[position] = True
            child_alleles[:, position] = stacked.global_pair(position, genotype)
    cells = np.flatnonzero(typed[stacked.locus_of])
    mothers = _parent_classes(stacked, cells, "female", child_alleles)
    fathers = _parent_classes(stacked, cells, "male", child_alleles)
    # Every (mother class, father class) pair of every typed locus, locus by locus, mother-major.
    pair_count = mothers.count * fathers.count
    pair_start = np.concatenate([[0], np.cumsum(pair_count)])[:-1]
    pair_lr = np.ones(int(pair_count.sum()))
    # Loci with few pairs (all of them without mutation): one call for all their pairs.  Loci with
    # many (mutation models give hundreds of classes): per locus on the (mother × father) grid, where
    # a class's transmissions are computed once and broadcast instead of once per pair.
    large = pair_count > LARGE_CLASS_GRID
    pair_locus = np.repeat(np.arange(len(loci)), pair_count)
    small = np.flatnonzero(~large[pair_locus])
    pair_locus = pair_locus[small]
    within = small - pair_start[pair_locus]
    m_class = mothers.start[pair_locus] + within // fathers.count[pair_locus]
    f_class = fathers.start[pair_locus] + within % fathers.count[pair_locus]
    pair_lr[small], _bad = _couple_cells(
        stacked.ctx,
        model.theta,
        (mothers.first[m_class], mothers.second[m_class], mothers.untyped[m_class]),
        (fathers.first[f_class], fathers.second[f_class], fathers.untyped[f_class]),
        (child_alleles[0, pair_locus], child_alleles[1, pair_locus]),
    )
    for position in np.flatnonzero(large).tolist():
        grid = _class_grid(stacked.ctx, model.theta, mothers, fathers, position, child_alleles[:, position])
        pair_lr[pair_start[position] : pair_start[position] + grid.size] = grid.ravel()
    pair_log = _log10(pair_lr)
    mother_row = np.zeros(int(sum(sizes)), np.int64)
    tables: list[np.ndarray] = []
    table_start = 0
    cell_start = 0  # position of the locus's first cell in ``cells``
    for position, size in enumerate(sizes):
        base = int(offsets[position])
        if not typed[position]:
            tables.append(np.zeros(size))  # one row of zeros (LR 1) for every mother
            mother_row[base : base + size] = table_start
            table_start += size
            continue
        m_count, f_count = int(mothers.count[position]), int(fathers.count[position])
        start = int(pair_start[position])
        grid = pair_log[start : start + m_count * f_count].reshape(m_count, f_count)
        cm = mothers.of_cell[cell_start : cell_start + size]
        cf = fathers.of_cell[cell_start : cell_start + size]
        cell_start += size
        # Rows: mother classes; columns: every father code of the locus (through his class).
        tables.append(grid[:, cf].ravel())
        mother_row[base : base + size] = table_start + cm * size
        table_start += m_count * size
    flat = np.concatenate(tables).astype(np.float32) if tables else np.zeros(1, np.float32)
    typed_positions = np.flatnonzero(typed)
    margin, ceilings = _flat_bounds(pair_log, pair_start[typed_positions], len(loci))
    all_ceilings = np.zeros(len(loci))
    all_ceilings[typed_positions] = ceilings
    rows = kernel.scan_couples(
        index.mothers.codes,
        index.fathers.codes,
        mother_row,
        flat,
        offsets,
        k,
        margin,
        all_ceilings,
    )

    def per_locus(rows: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        """Exact LRs of the candidate couples, every typed locus at once."""
        lrs = np.ones((len(loci), rows.size))
        bad = np.zeros((len(loci), rows.size), dtype=bool)
        if not typed_positions.size or not rows.size:
            return lrs, bad
        m_cells = (index.mothers.codes[rows][:, typed_positions] + offsets[typed_positions]).T.ravel()
        f_cells = (index.fathers.codes[rows][:, typed_positions] + offsets[typed_positions]).T.ravel()
        where = np.repeat(typed_positions, rows.size)
        values, flags = _couple_cells(
            stacked.ctx,
            model.theta,
            (stacked.first[m_cells], stacked.second[m_cells], offsets[where] == m_cells),
            (stacked.first[f_cells], stacked.second[f_cells], offsets[where] == f_cells),
            (child_alleles[0, where], child_alleles[1, where]),
        )
        lrs[typed_positions] = values.reshape(typed_positions.size, rows.size)
        bad[typed_positions] = flags.reshape(typed_positions.size, rows.size)
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
