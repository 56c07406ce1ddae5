"""Vectorised database search: one query against many references, top k by likelihood ratio.

Why it is fast: for a fixed query, the LR of a locus depends only on the reference's genotype at that
locus, so it is tabulated once per query over every genotype of the allele universe; scanning the
database is then a gather from small tables and a sum of logarithms.  Genotypes are stored as compact
codes: per locus ``code = 1 + j(j+1)/2 + i`` for allele indices ``i ≤ j`` (0 = untyped), and two loci
are packed into one ``uint32`` (``code_A · G_B + code_B``), so a 21-locus profile takes 44 bytes and
the scan needs 11 gathers per reference instead of 21.

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

from . import formulas
from .conclusions import DEFAULT_THRESHOLDS, Thresholds, conclude
from .lr import KAPPAS, KinshipModel, combine, resolve_kappa
from .profiles import Profile

MAX_GROUP_TABLE = 1 << 18
"""Largest packed table (entries) of a locus pair; keeps per-query tables cache-resident."""
CHUNK = 65536
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


def _pair_groups(sizes: Sequence[int]) -> tuple[tuple[int, ...], ...]:
    """Pack loci two by two (largest with smallest) while the packed table stays small."""
    order = sorted(range(len(sizes)), key=lambda i: sizes[i])
    groups: list[tuple[int, ...]] = []
    low, high = 0, len(order) - 1
    while low <= high:
        if low < high and sizes[order[low]] * sizes[order[high]] <= MAX_GROUP_TABLE:
            groups.append((order[high], order[low]))
            low += 1
        else:
            groups.append((order[high],))
        high -= 1
    return tuple(groups)


class ProfileIndex:
    """Genotype codes of many profiles over a fixed allele universe (``model.frequencies``).

    ``codes`` has shape (number of groups, number of profiles), dtype uint32; group ``g`` packs the
    loci ``groups[g]`` of ``loci``.
    """

    def __init__(
        self, model: KinshipModel, loci: Sequence[str], codes_by_locus: np.ndarray, ids: Sequence[str]
    ):
        self.model = model
        self.loci = tuple(loci)
        self.ids = list(ids)
        self.sizes = tuple(genotype_count(model.frequencies.locus(locus).size) for locus in self.loci)
        self.groups = _pair_groups(self.sizes)
        codes_by_locus = np.asarray(codes_by_locus)
        if codes_by_locus.shape != (len(self.loci), len(self.ids)):
            raise ValueError("codes must have shape (loci, profiles)")
        self.codes = np.empty((len(self.groups), len(self.ids)), dtype=np.uint32)
        for g, members in enumerate(self.groups):
            packed = codes_by_locus[members[0]].astype(np.uint32)
            if len(members) == 2:
                packed *= np.uint32(self.sizes[members[1]])
                packed += codes_by_locus[members[1]].astype(np.uint32)
            self.codes[g] = packed

    def __len__(self) -> int:
        return len(self.ids)

    @property
    def bytes_per_profile(self) -> int:
        return self.codes.shape[0] * self.codes.dtype.itemsize

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
        """Per-locus genotype codes of the given rows (unpacked from their group)."""
        rows = slice(None) if rows is None else rows
        for g, members in enumerate(self.groups):
            if position in members:
                packed = self.codes[g, rows].astype(np.int64)
                if len(members) == 1:
                    return packed
                size_b = self.sizes[members[1]]
                return packed // size_b if position == members[0] else packed % size_b
        raise IndexError(position)


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


def _single_tables(model: KinshipModel, loci: Sequence[str], sizes: Sequence[int], query: SearchQuery):
    """Per-locus float64 LR and bool inconsistency over every reference genotype code."""
    lr_tables: list[np.ndarray] = []
    bad_tables: list[np.ndarray] = []
    theta = model.theta
    for locus, size in zip(loci, sizes, strict=True):
        genotypes = [person.get(locus) for person in query.persons]
        lr = np.ones(size)
        bad = np.zeros(size, dtype=bool)
        if all(g is not None for g in genotypes):
            ctx = model.context(locus)
            fixed = [_pair(ctx, g) for g in genotypes]  # type: ignore[arg-type]
            first, second = decode_all(size)
            ref = (first[1:], second[1:])
            if query.mode == "parent":
                lr[1:] = formulas.duo_lr(ctx, ref, fixed[0], theta, query.parent_sex)
                bad[1:] = formulas.duo_inconsistent(ref, fixed[0])
            elif query.mode == "child" and len(fixed) == 1:
                lr[1:] = formulas.duo_lr(ctx, fixed[0], ref, theta, query.parent_sex)
                bad[1:] = formulas.duo_inconsistent(fixed[0], ref)
            elif query.mode == "child":
                lr[1:] = formulas.couple_lr(ctx, fixed[0], fixed[1], ref, theta)
                bad[1:] = formulas.parents_inconsistent(fixed[0], fixed[1], ref)
            elif query.mode == "trio":
                lr[1:] = formulas.trio_lr(ctx, fixed[0], ref, fixed[1], theta)
                bad[1:] = formulas.parents_inconsistent(fixed[0], ref, fixed[1])
            else:
                kappa = resolve_kappa(query.mode, query.kappa)
                lr[1:] = formulas.kinship_lr(ctx, fixed[0], ref, theta, kappa)
        lr_tables.append(lr)
        bad_tables.append(bad)
    return lr_tables, bad_tables


def _log10(values: np.ndarray) -> np.ndarray:
    with np.errstate(divide="ignore"):
        return np.log10(values)


def _margin(group_tables: Iterable[np.ndarray]) -> float:
    """Twice a bound on the float32 rounding error of a scan score (in log10 units), plus slack."""
    tables = list(group_tables)
    magnitude = 0.0
    for table in tables:
        finite = table[np.isfinite(table)]
        magnitude += float(np.max(np.abs(finite))) if finite.size else 0.0
    return 2.0 * (len(tables) + 2) * magnitude * 2.0**-23 + 1e-9


class _TopK:
    """Streaming candidate selection over chunks of float32 scores (see module docstring)."""

    def __init__(self, k: int, margin: float):
        self.k, self.margin = k, margin
        self.rows: list[np.ndarray] = []
        self.scores: list[np.ndarray] = []
        self.count = 0
        self.kth = -np.inf
        self.zero_rows: list[int] = []

    def add(self, start: int, scores: np.ndarray) -> None:
        threshold = self.kth - self.margin
        keep = (
            np.flatnonzero(scores >= threshold)
            if np.isfinite(threshold)
            else np.flatnonzero(scores > -np.inf)
        )
        if len(self.zero_rows) < self.k:
            zeros = np.flatnonzero(scores == -np.inf)[: self.k - len(self.zero_rows)]
            self.zero_rows.extend((zeros + start).tolist())
        if keep.size:
            self.rows.append(keep + start)
            self.scores.append(scores[keep])
            self.count += keep.size
            if self.count > max(4 * self.k, 4096):
                self._compact()

    def _compact(self) -> None:
        rows = np.concatenate(self.rows)
        scores = np.concatenate(self.scores)
        if scores.size >= self.k:
            self.kth = float(np.partition(scores, scores.size - self.k)[scores.size - self.k])
            keep = scores >= self.kth - self.margin
            rows, scores = rows[keep], scores[keep]
        self.rows, self.scores, self.count = [rows], [scores], rows.size

    def candidates(self) -> np.ndarray:
        rows = np.concatenate(self.rows) if self.rows else np.zeros(0, dtype=np.int64)
        if rows.size < self.k:
            present = set(rows.tolist())
            extra = [r for r in self.zero_rows if r not in present]
            rows = np.concatenate([rows, np.asarray(extra[: self.k - rows.size], dtype=np.int64)])
        return rows


def _scan_singles(
    index: ProfileIndex, group_tables: Sequence[np.ndarray], k: int, margin: float
) -> np.ndarray:
    n = len(index)
    top = _TopK(k, margin)
    acc = np.empty(CHUNK, dtype=np.float32)
    tmp = np.empty(CHUNK, dtype=np.float32)
    codes = index.codes
    for start in range(0, n, CHUNK):
        stop = min(n, start + CHUNK)
        out, scratch = acc[: stop - start], tmp[: stop - start]
        np.take(group_tables[0], codes[0, start:stop], out=out)
        for g in range(1, len(group_tables)):
            np.take(group_tables[g], codes[g, start:stop], out=scratch)
            out += scratch
        top.add(start, out)
    return top.candidates()


def _group_log_tables(index: ProfileIndex, log_tables: Sequence[np.ndarray]) -> list[np.ndarray]:
    tables = []
    for members in index.groups:
        table = log_tables[members[0]]
        if len(members) == 2:
            table = (table[:, None] + log_tables[members[1]][None, :]).ravel()
        tables.append(table.astype(np.float32))
    return tables


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
    for column, row in enumerate(rows.tolist()):
        total, log10_total = combine([float(v) for v in lrs[:, column]])
        exact.append((log10_total, row, total, column))
    exact.sort(key=lambda item: (-item[0], item[1]))
    hits = []
    for rank, (log10_total, row, total, column) in enumerate(exact[:k], start=1):
        flagged = tuple(locus for locus, flag in zip(loci, bad[:, column], strict=True) if flag)
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


def search(
    index: ProfileIndex | CoupleIndex,
    query: SearchQuery,
    *,
    top: int = 10,
    thresholds: Thresholds = DEFAULT_THRESHOLDS,
) -> list[SearchHit]:
    """Top ``top`` references by LR for the query (see `SearchQuery` for the modes).

    LRs equal ``compute_lr(relationship, persons, model=index.model)`` exactly, the persons being the
    query's profiles and the reference's in the order of `compute_lr`.
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
    group_tables = _group_log_tables(index, [_log10(t) for t in lr_tables])
    rows = _scan_singles(index, group_tables, top, _margin(group_tables))

    def per_locus(rows: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        codes = [index.locus_codes(position, rows) for position in range(len(index.loci))]
        lrs = np.stack([lr_tables[p][c] for p, c in enumerate(codes)]) if codes else np.ones((0, rows.size))
        bad = (
            np.stack([bad_tables[p][c] for p, c in enumerate(codes)])
            if codes
            else np.zeros((0, rows.size), bool)
        )
        return lrs, bad

    parentage = query.relationship() in ("parent-child", "trio", "couple")
    return _finish(rows, per_locus, index.loci, index.ids, top, parentage, thresholds)


def _parent_classes(ctx: formulas.LocusContext, matrix: np.ndarray, size: int, child: formulas.Pair):
    """Map each parent genotype code to a class with equal (t(a), t(b), n_a, n_b) for this child."""
    first, second = decode_all(size)
    a, b = child
    features = np.stack(
        [
            0.5 * (matrix[first, a] + matrix[second, a]),
            0.5 * (matrix[first, b] + matrix[second, b]),
            (first == a).astype(float) + (second == a),
            (first == b).astype(float) + (second == b),
        ],
        axis=1,
    )
    features[0] = -1.0  # untyped parent: its own class
    unique, representative, classes = np.unique(features, axis=0, return_index=True, return_inverse=True)
    return (
        classes.reshape(-1).astype(np.int64),
        first[representative],
        second[representative],
        unique[:, 0] < 0,
    )


def _couple_part(mother_classes, father_classes, class_counts, couple_logs, position):
    """Class tables (mother premultiplied by the father's class count) and the float32 log table."""
    kf = class_counts[position][1]
    return (
        (mother_classes[position] * kf).astype(np.uint32),
        father_classes[position].astype(np.uint32),
        couple_logs[position].astype(np.float32),
    )


def _search_couples(
    index: CoupleIndex, model: KinshipModel, query: SearchQuery, k: int, thresholds: Thresholds
) -> list[SearchHit]:
    child = query.persons[0]
    sizes = index.mothers.sizes
    loci = index.loci
    theta = model.theta
    mother_classes: list[np.ndarray] = []
    father_classes: list[np.ndarray] = []
    couple_logs: list[np.ndarray] = []
    class_counts: list[tuple[int, int]] = []
    contexts: list[formulas.LocusContext | None] = []
    for locus, size in zip(loci, sizes, strict=True):
        genotype = child.get(locus)
        if genotype is None:
            mother_classes.append(np.zeros(size, np.int64))
            father_classes.append(np.zeros(size, np.int64))
            couple_logs.append(np.zeros(1))
            class_counts.append((1, 1))
            contexts.append(None)
            continue
        ctx = model.context(locus)
        child_pair = _pair(ctx, genotype)
        cm, m1, m2, m_untyped = _parent_classes(ctx, ctx.female, size, child_pair)
        cf, f1, f2, f_untyped = _parent_classes(ctx, ctx.male, size, child_pair)
        lr = formulas.couple_lr(
            ctx, (m1[:, None], m2[:, None]), (f1[None, :], f2[None, :]), child_pair, theta
        )
        lr = np.where(m_untyped[:, None] | f_untyped[None, :], 1.0, lr)
        mother_classes.append(cm)
        father_classes.append(cf)
        couple_logs.append(_log10(lr).ravel())
        class_counts.append((len(m1), len(f1)))
        contexts.append(ctx)

    # Per group: one joint class-pair table over both loci when small, else one table per locus.
    # Class tables are indexed by the packed group code: locus A's code is gc // G_B, B's is gc % G_B.
    plans: list[tuple[np.ndarray, np.ndarray, np.ndarray] | list] = []
    tables_for_margin: list[np.ndarray] = []
    for members in index.mothers.groups:
        if len(members) == 1:
            position = members[0]
            plans.append([_couple_part(mother_classes, father_classes, class_counts, couple_logs, position)])
            tables_for_margin.append(plans[-1][0][2])
            continue
        pos_a, pos_b = members
        size_a, size_b = sizes[pos_a], sizes[pos_b]
        (km_a, kf_a), (km_b, kf_b) = class_counts[pos_a], class_counts[pos_b]
        n_b = km_b * kf_b
        if km_a * kf_a * n_b <= MAX_GROUP_TABLE:
            mother = np.repeat(mother_classes[pos_a] * (kf_a * n_b), size_b) + np.tile(
                mother_classes[pos_b] * kf_b, size_a
            )
            father = np.repeat(father_classes[pos_a] * n_b, size_b) + np.tile(father_classes[pos_b], size_a)
            joint = (couple_logs[pos_a][:, None] + couple_logs[pos_b][None, :]).ravel().astype(np.float32)
            plans.append((mother.astype(np.uint32), father.astype(np.uint32), joint))
            tables_for_margin.append(joint)
        else:
            parts = []
            for position, repeat, tile in ((pos_a, size_b, 1), (pos_b, 1, size_a)):
                mother_cls, father_cls, table = _couple_part(
                    mother_classes, father_classes, class_counts, couple_logs, position
                )
                parts.append(
                    (
                        np.tile(np.repeat(mother_cls, repeat), tile),
                        np.tile(np.repeat(father_cls, repeat), tile),
                        table,
                    )
                )
                tables_for_margin.append(table)
            plans.append(parts)
    margin = _margin(tables_for_margin)

    n = len(index)
    top = _TopK(k, margin)
    acc = np.empty(CHUNK, dtype=np.float32)
    tmp = np.empty(CHUNK, dtype=np.float32)
    idx = np.empty(CHUNK, dtype=np.uint32)
    idx2 = np.empty(CHUNK, dtype=np.uint32)
    mothers, fathers = index.mothers.codes, index.fathers.codes
    for start in range(0, n, CHUNK):
        stop = min(n, start + CHUNK)
        m = stop - start
        out, scratch, i1, i2 = acc[:m], tmp[:m], idx[:m], idx2[:m]
        out[:] = 0.0
        for g, plan in enumerate(plans):
            mc, fc = mothers[g, start:stop], fathers[g, start:stop]
            for mother_cls, father_cls, table in plan if isinstance(plan, list) else [plan]:
                np.take(mother_cls, mc, out=i1)
                np.take(father_cls, fc, out=i2)
                i1 += i2
                np.take(table, i1, out=scratch)
                out += scratch
        top.add(start, out)
    rows = top.candidates()

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
            typed = (mc != 0) & (fc != 0)
            mother = (first[mc], second[mc])
            father = (first[fc], second[fc])
            values = formulas.couple_lr(ctx, mother, father, child_pair, theta)
            lrs[position] = np.where(typed, values, 1.0)
            bad[position] = typed & formulas.parents_inconsistent(mother, father, child_pair)
        return lrs, bad

    return _finish(rows, per_locus, loci, index.ids, k, True, thresholds)


# ---------------------------------------------------------------------------------------------------
# All-against-all batches, optionally on several processes.

_BATCH_STATE: dict = {}


def _batch_worker(args: tuple[int, int]) -> list[list[SearchHit]]:
    start, stop = args
    state = _BATCH_STATE
    return [
        search(state["index"], state["queries"][i], top=state["top"], thresholds=state["thresholds"])
        for i in range(start, stop)
    ]


def search_many(
    index: ProfileIndex | CoupleIndex,
    queries: Sequence[SearchQuery],
    *,
    top: int = 10,
    workers: int = 1,
    thresholds: Thresholds = DEFAULT_THRESHOLDS,
) -> list[list[SearchHit]]:
    """Search every query against the index; ``workers > 1`` uses a fork-based process pool.

    The index is shared with the workers by fork (copy-on-write), not pickled.
    """
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
