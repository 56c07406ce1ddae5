"""General reference pedigrees: the missing person placed in a family, against being unrelated.

A pedigree is a CSV ``id,father,mother,sex`` (sex ``M`` or ``F``; founders have both parents empty).
Members with a profile are typed, every other member is untyped.  The missing person is one member;
the candidate profile is tested in that place.  Per locus::

    LR = P(family, missing = candidate | pedigree) / P(family, candidate unrelated to the pedigree)

where, in the alternative, the missing member stays in the pedigree untyped and the candidate is one
more founder of the same population.  Without θ the denominator factorises into
P(family) · P(candidate); with θ the candidate's alleles are drawn from the same urn as the founders'.

Method (exact).  Each untyped member is represented by two allele variables (paternal, maternal;
one of the locus's ``n`` alleles each); a typed member by a single *phase* variable (which of its two
alleles came from the father: domain 2 for a heterozygote, 1 for a homozygote).  Every
parent → child transmission is a factor ``½ (M[p₁, x] + M[p₂, x])`` with the parent's sex's mutation
matrix ``M`` (the untyped matrix for an untyped parent, as in `formulas`).  The product of all factors
is summed over every variable but the tested member's two alleles by variable elimination
(``numpy.einsum``), which yields P(family data, missing = g) for *every* genotype ``g`` at once: the
per-locus table over genotype codes that a database scan needs (`PedigreeTables`).

θ (Balding–Nichols).  Founder alleles are drawn from one Pólya urn: the k-th allele equals ``x`` with
probability ``(n_x θ + (1-θ) p_x) / (1 + (k-2) θ)``.  Typed founders' alleles are drawn first (a
constant); the alleles of untyped founders are expanded exactly over their *identity structure*: each
one is either a fresh draw from ``p`` (weight ``1-θ``), a copy of an earlier untyped allele (``θ`` per
earlier copy) or equal to an allele of a typed founder (``θ`` per copy of it).  Summing the variable
elimination over every structure (set partitions of the untyped founder alleles, each block fresh or
tied to one typed allele value) is exact.  With θ = 0 there is one structure.  The number of structures
grows quickly with the number of untyped founders; above `MAX_THETA_STRUCTURES` the computation is
refused (use θ = 0 or type more founders).

Mendelian inconsistency of a locus: the numerator is 0 without mutation (computed with identity
matrices); when the family alone is impossible (both likelihoods 0), the locus is neutral (LR 1) and
reported as inconsistent, as `formulas.trio_lr` does.
"""

from __future__ import annotations

import csv
import io
import itertools
from collections.abc import Iterator, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from .conclusions import DEFAULT_THRESHOLDS, Thresholds, conclude
from .lr import KinshipModel, KinshipResult, LocusLR, combine
from .profiles import Profile

MAX_MEMBERS = 15
MAX_GENERATIONS = 4
MAX_THETA_STRUCTURES = 5_000
CANDIDATE = "\x00candidate"
"""Internal id of the candidate as an unrelated founder in the alternative hypothesis."""


class PedigreeError(ValueError):
    """Invalid pedigree or invalid use of one; ``errors`` lists every problem found."""

    def __init__(self, errors: Sequence[str]):
        self.errors = list(errors)
        super().__init__("; ".join(self.errors))


@dataclass(frozen=True)
class Member:
    id: str
    father: str | None
    mother: str | None
    sex: str  # "male" | "female"

    @property
    def founder(self) -> bool:
        return self.father is None


class Pedigree:
    """Validated members in an order where parents come before their children."""

    def __init__(self, members: Sequence[Member]):
        errors = validate(members)
        if errors:
            raise PedigreeError(errors)
        self.members: dict[str, Member] = {m.id: m for m in _topological(members)}

    def __contains__(self, member_id: str) -> bool:
        return member_id in self.members

    def __len__(self) -> int:
        return len(self.members)

    def children(self, member_id: str) -> list[str]:
        return [m.id for m in self.members.values() if member_id in (m.father, m.mother)]

    def generations(self) -> int:
        depth: dict[str, int] = {}
        for member in self.members.values():
            depth[member.id] = (
                1 if member.founder else 1 + max(depth[member.father], depth[member.mother])  # type: ignore[index]
            )
        return max(depth.values(), default=0)

    def is_parent_or_child(self, first: str, second: str) -> bool:
        a, b = self.members[first], self.members[second]
        return second in (a.father, a.mother) or first in (b.father, b.mother)

    def to_rows(self) -> list[dict[str, str]]:
        return [
            {
                "id": m.id,
                "father": m.father or "",
                "mother": m.mother or "",
                "sex": "M" if m.sex == "male" else "F",
            }
            for m in self.members.values()
        ]


SEXES = {"m": "male", "male": "male", "f": "female", "female": "female"}


def validate(members: Sequence[Member]) -> list[str]:
    """Every problem of a member list: ids, parents (both or none, right sex, known), cycles, size."""
    errors: list[str] = []
    ids = [m.id for m in members]
    by_id = {m.id: m for m in members}
    seen: set[str] = set()
    for member in members:
        if not member.id:
            errors.append("empty member id")
        elif member.id in seen:
            errors.append(f"member {member.id!r} listed twice")
        seen.add(member.id)
        if member.sex not in ("male", "female"):
            errors.append(f"member {member.id!r}: sex must be M or F")
        if (member.father is None) != (member.mother is None):
            errors.append(
                f"member {member.id!r}: give both parents or none (add an untyped founder for the unknown parent)"
            )
            continue
        for role, parent_id, sex in (("father", member.father, "male"), ("mother", member.mother, "female")):
            if parent_id is None:
                continue
            if parent_id == member.id:
                errors.append(f"member {member.id!r} is its own {role}")
            elif parent_id not in by_id:
                errors.append(f"member {member.id!r}: unknown {role} {parent_id!r}")
            elif by_id[parent_id].sex != sex:
                errors.append(f"member {member.id!r}: {role} {parent_id!r} must have sex {sex[0].upper()}")
    if len(ids) > MAX_MEMBERS:
        errors.append(f"{len(ids)} members; at most {MAX_MEMBERS} are supported")
    if not errors:
        try:
            ordered = _topological(members)
        except PedigreeError as error:
            errors.extend(error.errors)
        else:
            depth: dict[str, int] = {}
            for m in ordered:
                depth[m.id] = 1 if m.founder else 1 + max(depth[m.father], depth[m.mother])  # type: ignore[index]
            if depth and max(depth.values()) > MAX_GENERATIONS:
                errors.append(f"{max(depth.values())} generations; at most {MAX_GENERATIONS} are supported")
    return errors


def _topological(members: Sequence[Member]) -> list[Member]:
    by_id = {m.id: m for m in members}
    ordered: list[Member] = []
    state: dict[str, int] = {}

    def visit(member: Member, path: list[str]) -> None:
        mark = state.get(member.id)
        if mark == 2:
            return
        if mark == 1:
            cycle = " -> ".join([*path[path.index(member.id) :], member.id])
            raise PedigreeError([f"cycle in the pedigree: {cycle}"])
        state[member.id] = 1
        for parent in (member.father, member.mother):
            if parent is not None and parent in by_id:
                visit(by_id[parent], [*path, member.id])
        state[member.id] = 2
        ordered.append(member)

    for member in members:
        visit(member, [])
    return ordered


def parse_pedigree(text: str) -> Pedigree:
    """Parse ``id,father,mother,sex`` (header required, comma or tab separated); errors name the row."""
    text = text.lstrip("\ufeff")
    delimiter = "\t" if text[:4096].count("\t") > text[:4096].count(",") else ","
    rows = list(csv.reader(io.StringIO(text), delimiter=delimiter))
    if not rows:
        raise PedigreeError(["row 1: empty file"])
    header = [cell.strip().lower() for cell in rows[0]]
    missing = [name for name in ("id", "father", "mother", "sex") if name not in header]
    if missing:
        raise PedigreeError([f"row 1: missing column(s): {', '.join(missing)}"])
    col = {name: header.index(name) for name in ("id", "father", "mother", "sex")}
    members: list[Member] = []
    errors: list[str] = []
    for number, row in enumerate(rows[1:], start=2):
        if not row or all(not cell.strip() for cell in row):
            continue

        def cell(name: str, row: list[str] = row) -> str:
            index = col[name]
            return row[index].strip() if index < len(row) else ""

        sex = SEXES.get(cell("sex").lower())
        if sex is None:
            errors.append(f"row {number}, sex: {cell('sex')!r} is not M or F")
            continue
        if not cell("id"):
            errors.append(f"row {number}, id: empty member id")
            continue
        members.append(Member(cell("id"), cell("father") or None, cell("mother") or None, sex))
    if errors:
        raise PedigreeError(errors)
    if not members:
        raise PedigreeError(["no members"])
    return Pedigree(members)


def read_pedigree(path: str | Path) -> Pedigree:
    return parse_pedigree(Path(path).read_text(encoding="utf-8-sig"))


# --- per-locus computation -------------------------------------------------------------------------


class _Matrices:
    """Transmission matrices of one locus: typed parent and untyped parent, per sex."""

    def __init__(self, ctx, plain: bool):
        n = ctx.data.size
        if plain:
            eye = np.eye(n)
            self.typed = {"male": eye, "female": eye}
            self.untyped = {"male": eye, "female": eye}
        else:
            self.typed = {"male": ctx.male, "female": ctx.female}
            self.untyped = {"male": ctx.untyped("male")[0], "female": ctx.untyped("female")[0]}
        self._cubes: dict[tuple[str, bool], np.ndarray] = {}

    def matrix(self, sex: str, typed: bool) -> np.ndarray:
        return self.typed[sex] if typed else self.untyped[sex]

    def cube(self, sex: str, typed: bool) -> np.ndarray:
        """T[a, b, x] = ½ (M[a, x] + M[b, x]): an untyped parent (a, b) transmits x."""
        key = (sex, typed)
        cube = self._cubes.get(key)
        if cube is None:
            m = self.matrix(sex, typed)
            cube = 0.5 * (m[:, None, :] + m[None, :, :])
            self._cubes[key] = cube
        return cube


def _relevant(members: Mapping[str, Member], observed: set[str]) -> list[Member]:
    """Members that are observed or ancestors of an observed member (the others sum to 1)."""
    keep: set[str] = set()
    stack = [m for m in observed if m in members]
    while stack:
        member_id = stack.pop()
        if member_id in keep:
            continue
        keep.add(member_id)
        member = members[member_id]
        if member.father is not None:
            stack.extend((member.father, member.mother))  # type: ignore[arg-type]
    return [m for m in members.values() if m.id in keep]


def _partitions(
    count: int, typed_counts: Mapping[int, int], typed_total: int, theta: float
) -> Iterator[tuple[list[int], list[int | None], float]]:
    """Identity structures of ``count`` untyped founder alleles drawn after ``typed_total`` typed ones.

    Yields (block of each allele, value of each block: a typed allele index or None for a fresh draw,
    weight).  With θ = 0 only the all-fresh structure has a non-zero weight.
    """
    if theta == 0.0:
        yield list(range(count)), [None] * count, 1.0
        return
    values = list(typed_counts)

    def extend(k: int, blocks: list[int], labels: list[int | None], sizes: list[int], weight: float):
        if k == count:
            yield list(blocks), list(labels), weight
            return
        denominator = 1.0 + (typed_total + k - 1) * theta
        for block, label in enumerate(labels):
            base = 0 if label is None else typed_counts[label]
            w = weight * theta * (base + sizes[block]) / denominator
            sizes[block] += 1
            blocks.append(block)
            yield from extend(k + 1, blocks, labels, sizes, w)
            blocks.pop()
            sizes[block] -= 1
        used = {label for label in labels if label is not None}
        options: list[tuple[int | None, float]] = [(None, 1.0 - theta)]
        options += [(v, theta * typed_counts[v]) for v in values if v not in used]
        for label, factor in options:
            labels.append(label)
            sizes.append(1)
            blocks.append(len(labels) - 1)
            yield from extend(k + 1, blocks, labels, sizes, weight * factor / denominator)
            blocks.pop()
            sizes.pop()
            labels.pop()

    yield from extend(0, [], [], [], 1.0)


def _typed_founder_probability(alleles: list[int], p: np.ndarray, theta: float) -> float:
    """P_θ of the typed founders' allele sequence (any order: the urn is exchangeable)."""
    probability = 1.0
    counts: dict[int, int] = {}
    for k, allele in enumerate(alleles):
        seen = counts.get(allele, 0)
        probability *= (seen * theta + (1.0 - theta) * p[allele]) / (1.0 + (k - 1) * theta)
        counts[allele] = seen + 1
    return probability


def joint_table(
    members: Sequence[Member],
    genotypes: Mapping[str, tuple[int, int]],
    free: str | None,
    p: np.ndarray,
    matrices: _Matrices,
    theta: float,
) -> np.ndarray | float:
    """P(typed genotypes, free member's ordered alleles = (x, y)) as an n × n matrix (or a scalar).

    ``members`` must list parents before children; members neither typed nor free are untyped.
    """
    n = len(p)
    label_count = 0

    def new_label() -> int:
        nonlocal label_count
        label_count += 1
        return label_count - 1

    alleles: dict[str, tuple[int, int]] = {}  # untyped member -> (paternal label, maternal label)
    phase: dict[str, tuple[int, np.ndarray, np.ndarray]] = {}  # typed -> (label, pat alleles, mat alleles)
    untyped_founder_labels: list[int] = []
    typed_founder_alleles: list[int] = []
    constant = 1.0
    factors: list[tuple[np.ndarray, list[int]]] = []
    member_ids = {m.id for m in members}
    for member in members:
        typed = member.id in genotypes
        if typed:
            a, b = genotypes[member.id]
            if member.founder:
                typed_founder_alleles += [a, b]
                constant *= 1.0 if a == b else 2.0
                continue
            if a == b:
                phase[member.id] = (new_label(), np.array([a]), np.array([a]))
            else:
                phase[member.id] = (new_label(), np.array([a, b]), np.array([b, a]))
        else:
            labels = (new_label(), new_label())
            alleles[member.id] = labels
            if member.founder:
                untyped_founder_labels.extend(labels)
        if member.founder:
            continue
        for side, parent_id in enumerate((member.father, member.mother)):
            if parent_id not in member_ids:
                raise PedigreeError([f"member {member.id!r}: parent {parent_id!r} is not in the pedigree"])
            sex = "male" if side == 0 else "female"
            parent_typed = parent_id in genotypes or parent_id == free
            if parent_id in genotypes:
                pa, pb = genotypes[parent_id]  # type: ignore[index]
                matrix = matrices.matrix(sex, True)
                if typed:
                    _, pat, mat = phase[member.id]
                    child = pat if side == 0 else mat
                    factors.append((0.5 * (matrix[pa, child] + matrix[pb, child]), [phase[member.id][0]]))
                else:
                    factors.append((0.5 * (matrix[pa] + matrix[pb]), [alleles[member.id][side]]))
            else:
                cube = matrices.cube(sex, parent_typed)
                parent_labels = list(alleles[parent_id])  # type: ignore[index]
                if typed:
                    label, pat, mat = phase[member.id]
                    child = pat if side == 0 else mat
                    factors.append((cube[:, :, child], [*parent_labels, label]))
                else:
                    factors.append((cube, [*parent_labels, alleles[member.id][side]]))
    constant *= _typed_founder_probability(typed_founder_alleles, p, theta)
    typed_counts: dict[int, int] = {}
    for allele in typed_founder_alleles:
        typed_counts[allele] = typed_counts.get(allele, 0) + 1
    output = list(alleles[free]) if free is not None else []
    total: np.ndarray | float = np.zeros((n, n)) if free is not None else 0.0
    structures = _partitions(len(untyped_founder_labels), typed_counts, len(typed_founder_alleles), theta)
    if sum(1 for _ in itertools.islice(structures, MAX_THETA_STRUCTURES + 1)) > MAX_THETA_STRUCTURES:
        raise PedigreeError(
            [
                f"θ > 0 with {len(untyped_founder_labels) // 2} relevant untyped founders needs more than "
                f"{MAX_THETA_STRUCTURES} founder-allele structures; use θ = 0 or type more founders"
            ]
        )
    count = len(untyped_founder_labels)
    for blocks, values, weight in _partitions(count, typed_counts, len(typed_founder_alleles), theta):
        if weight == 0.0:
            continue
        # Block b is named by the b-th founder allele's label; every founder label is renamed.
        rename = {label: untyped_founder_labels[blocks[k]] for k, label in enumerate(untyped_founder_labels)}
        operands: list = []
        for array, labels in factors:
            operands += [array, [rename.get(label, label) for label in labels]]
        for block, value in enumerate(values):
            prior = p if value is None else np.eye(n)[value]
            operands += [prior, [untyped_founder_labels[block]]]
        out = [rename.get(label, label) for label in output]
        if len(out) == 2 and out[0] == out[1]:
            result = np.diag(_contract(operands, [out[0]], n))
        else:
            result = _contract(operands, out, n)
        total = total + weight * result
    return constant * total


def _contract(operands: list, output: list[int], n: int):
    if not operands:
        return np.ones((n,) * len(output)) if output else 1.0
    # The contraction order depends on the labels only (every allele variable of a locus has the same
    # size), so it is found once per structure and reused for every locus and hypothesis alike.
    key = (tuple(tuple(labels) for labels in operands[1::2]), tuple(output))
    path = _PATHS.get(key)
    if path is None:
        path = np.einsum_path(*operands, output, optimize="greedy")[0]
        if len(_PATHS) > 4096:
            _PATHS.clear()
        _PATHS[key] = path
    return np.einsum(*operands, output, optimize=path)


_PATHS: dict[tuple, list] = {}


def genotype_vector(matrix: np.ndarray) -> np.ndarray:
    """Ordered-allele matrix R[x, y] → values per genotype code 1.. (``i ≤ j``: R[i, j] + R[j, i])."""
    n = matrix.shape[0]
    highs = np.repeat(np.arange(n), np.arange(1, n + 1))
    lows = np.concatenate([np.arange(h + 1) for h in range(n)]) if n else np.zeros(0, np.intp)
    values = matrix[lows, highs] + matrix[highs, lows]
    return np.where(lows == highs, matrix[lows, highs], values)


@dataclass(frozen=True)
class PedigreeTables:
    """Per-locus LR and inconsistency over every genotype code (0 = untyped → LR 1) of the tested place."""

    model: KinshipModel
    loci: tuple[str, ...]
    lr: tuple[np.ndarray, ...]
    inconsistent: tuple[np.ndarray, ...]
    parentage: bool

    def locus_lr(self, position: int, code: int) -> tuple[float, bool]:
        return float(self.lr[position][code]), bool(self.inconsistent[position][code])


def _check(pedigree: Pedigree, family: Mapping[str, Profile], missing: str) -> None:
    errors = []
    if missing not in pedigree:
        errors.append(f"missing member {missing!r} is not in the pedigree")
    if missing in family:
        errors.append(f"missing member {missing!r} must not be a typed family member")
    if not any(member in pedigree and member != missing for member in family):
        errors.append("no typed member in the pedigree besides the missing person")
    if errors:
        raise PedigreeError(errors)


def pedigree_tables(
    pedigree: Pedigree,
    family: Mapping[str, Profile],
    missing: str,
    model: KinshipModel,
    loci: Sequence[str] | None = None,
) -> PedigreeTables:
    """LR tables of the missing member's place over every genotype code, locus by locus.

    ``family`` maps member ids to profiles (ids not in the pedigree are ignored); ``model`` must cover
    every allele of the family (see `KinshipModel.covering`).  ``loci`` defaults to every locus of the
    model's table.
    """
    family = {k: v for k, v in family.items() if k in pedigree}
    _check(pedigree, family, missing)
    if loci is None:
        loci = model.frequencies.loci
    theta = model.theta
    lr_tables: list[np.ndarray] = []
    bad_tables: list[np.ndarray] = []
    plain_model = model.mutation.is_trivial
    for locus in loci:
        ctx = model.context(locus)
        index = ctx.data.index
        genotypes = {
            member: (index[profile[locus][0]], index[profile[locus][1]])
            for member, profile in family.items()
            if locus in profile
        }
        size = 1 + ctx.data.size * (ctx.data.size + 1) // 2
        lr = np.ones(size)
        bad = np.zeros(size, dtype=bool)
        if genotypes:
            matrices = _Matrices(ctx, plain=False)
            numerator = _hypothesis(pedigree, genotypes, missing, ctx.p, matrices, theta, alternative=False)
            alternative = _hypothesis(pedigree, genotypes, missing, ctx.p, matrices, theta, alternative=True)
            if plain_model:
                plain = numerator
            else:
                plain = _hypothesis(pedigree, genotypes, missing, ctx.p, _Matrices(ctx, True), 0.0, False)
            with np.errstate(invalid="ignore", divide="ignore"):
                lr[1:] = np.where(alternative > 0.0, numerator / alternative, 1.0)
            bad[1:] = plain <= 0.0
        lr_tables.append(lr)
        bad_tables.append(bad)
    parentage = any(pedigree.is_parent_or_child(missing, member) for member in family)
    return PedigreeTables(model, tuple(loci), tuple(lr_tables), tuple(bad_tables), parentage)


def _hypothesis(pedigree, genotypes, missing, p, matrices, theta, alternative: bool) -> np.ndarray:
    members = dict(pedigree.members)
    if alternative:
        members[CANDIDATE] = Member(CANDIDATE, None, None, "male")
        free = CANDIDATE
    else:
        free = missing
    relevant = _relevant(members, set(genotypes) | {free})
    table = joint_table(relevant, genotypes, free, p, matrices, theta)
    return genotype_vector(np.asarray(table))


def compute_pedigree_lr(
    pedigree: Pedigree,
    family: Mapping[str, Profile],
    missing: str,
    candidate: Profile,
    *,
    model: KinshipModel | None = None,
    thresholds: Thresholds = DEFAULT_THRESHOLDS,
) -> KinshipResult:
    """LR of ``candidate`` in the place of ``missing`` against unrelated, with the typed ``family``.

    The result has the same shape as `compute_lr`'s (relationship ``"pedigree"``): per-locus LRs of the
    loci typed in the family or the candidate (LR 1 where either side is untyped), inconsistent loci
    and a conclusion (parentage wording when a typed member is a parent or child of the missing one).
    """
    model = (model or KinshipModel()).covering([*family.values(), candidate])
    family = {k: v for k, v in family.items() if k in pedigree}
    _check(pedigree, family, missing)
    typed_loci = set(candidate).union(*(profile.keys() for profile in family.values()))
    ordered = model.locus_order(typed_loci)
    skipped = tuple(locus for locus in ordered if locus not in model.frequencies)
    loci = [locus for locus in ordered if locus in model.frequencies]
    compute = [
        locus for locus in loci if locus in candidate and any(locus in profile for profile in family.values())
    ]
    tables = pedigree_tables(pedigree, family, missing, model, compute)
    return result_from_tables(tables, family, candidate, thresholds=thresholds, skipped=skipped)


def result_from_tables(
    tables: PedigreeTables,
    family: Mapping[str, Profile],
    candidate: Profile,
    *,
    thresholds: Thresholds = DEFAULT_THRESHOLDS,
    skipped: tuple[str, ...] = (),
) -> KinshipResult:
    """The comparison of one candidate read from the tables (what `compute_pedigree_lr` returns).

    A locus is typed when the candidate and at least one family member are typed there and the tables
    cover it; every other locus (typed on one side only) has LR 1.
    """
    model = tables.model
    typed_loci = set(candidate).union(*(profile.keys() for profile in family.values()))
    loci = [locus for locus in model.locus_order(typed_loci) if locus in model.frequencies]
    by_locus = {locus: position for position, locus in enumerate(tables.loci)}
    results: list[LocusLR] = []
    for locus in loci:
        family_typed = any(locus in profile for profile in family.values())
        if locus not in by_locus or locus not in candidate or not family_typed:
            results.append(LocusLR(locus, 1.0, typed=False))
            continue
        index = model.context(locus).data.index
        code = encode(index[candidate[locus][0]], index[candidate[locus][1]])
        lr, inconsistent = tables.locus_lr(by_locus[locus], code)
        results.append(LocusLR(locus, lr, typed=True, inconsistent=inconsistent))
    total, log10_total = combine([r.lr for r in results])
    inconsistent_loci = tuple(r.locus for r in results if r.inconsistent)
    conclusion = conclude(total, len(inconsistent_loci), parentage=tables.parentage, thresholds=thresholds)
    return KinshipResult(
        "pedigree", tuple(results), total, log10_total, inconsistent_loci, conclusion, skipped
    )


def encode(i: int, j: int) -> int:
    """Genotype code of allele indices (same as `search.encode`)."""
    if i > j:
        i, j = j, i
    return 1 + j * (j + 1) // 2 + i


def scan_scores(tables: PedigreeTables, index) -> np.ndarray:
    """log10 LR of every profile of a `search.ProfileIndex` in the tested place (a gather per locus).

    The index must share the tables' model (the same allele universe); loci the tables do not cover
    count as LR 1.  Used to select candidates; their reported numbers come from `result_from_tables`.
    """
    if index.model.frequencies is not tables.model.frequencies:
        raise ValueError("the index and the tables must share one model")
    positions = {locus: i for i, locus in enumerate(tables.loci)}
    score = np.zeros(len(index))
    with np.errstate(divide="ignore"):
        for position, locus in enumerate(index.loci):
            if locus in positions:
                score += np.log10(tables.lr[positions[locus]])[index.locus_codes(position)]
    return score
