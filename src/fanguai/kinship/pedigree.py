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
is summed by variable elimination (`_contract`: one variable at a time, the one whose elimination
spans the smallest table, one ``numpy.einsum`` per step; the plan is made once per label structure
and reused across loci).  Two exact reductions keep the tables small: an untyped founder with a
single (relevant) child keeps only the allele it passes on, and an untyped nonfounder with a single
child is summed out in advance (the child's allele comes from the grandfather or the grandmother, ½
each, through the two matrices in turn; a two-valued selector variable keeps the factors separate).

Two entry points.  `compute_pedigree_lr` enters the candidate as typed (in the missing member's
place, and in the alternative as one more typed founder): one likelihood per hypothesis.  There the
alleles that no typed person carries are *lumped* into one allele of frequency ``Σ p`` when that is
exact: the founders' Pólya urn lumps exactly (a Dirichlet's components add up), and a mutation matrix
lumps exactly when the probability of mutating from an unseen allele into each seen allele is the
same for every unseen allele (none, equal, proportional and the ``plain`` identity; checked on the
numbers, so a stepwise locus keeps every allele).  `pedigree_tables` leaves the missing
member's two alleles free and yields P(family data, missing = g) for *every* genotype ``g`` at once:
the per-locus table over genotype codes that a database scan needs (`PedigreeTables`); it keeps every
allele (the candidate is unknown, so no allele is "unseen").

θ (Balding–Nichols).  Founder alleles are drawn from one Pólya urn: the k-th allele equals ``x`` with
probability ``(n_x θ + (1-θ) p_x) / (1 + (k-2) θ)``.  Typed founders' alleles are drawn first (a
constant).  The joint probability of the ``K`` untyped founder alleles is the sum over the set
partitions of those alleles (the Ewens / Chinese-restaurant expansion of the urn's rising
factorials): a partition weighs ``∏_B (|B|-1)! θ^(|B|-1) / ∏_k (1 + (T+k-1) θ)`` and the alleles of a
block share one value ``x`` with weight ``(1-θ) p_x + θ c_x`` (``c`` the typed founders' counts).  The
elimination is summed over the ``Bell(K)`` partitions, each orbit under swapping the two alleles of
an untyped founder computed once (`partition_orbits`: 26 instead of 52 for two untyped
grandparents and one more founder allele); with θ = 0 there is one.  (This replaced an
expansion where each block was either fresh or tied to one typed allele value, which had many more
structures and took minutes for an uncle only.  A dense joint factor over the K alleles was
considered but not built: it puts all K allele variables into one table of ``n^K`` entries, which
only lumping keeps small, and stepwise cannot be lumped; partitions keep the pedigree's own small
tables and met the target for every model as measured below.)

Limits (measured with ``bench/pedigree_bench.py``, 21 GlobalFiler loci, shipped Chinese table, on a
shared two-core machine).  A case is refused with `PedigreeError` before any computation when θ > 0
and a hypothesis has more than `MAX_THETA_STRUCTURES` = Bell(6) = 203 partitions (seven or more
untyped founder alleles that matter: 877 partitions, 249 orbits, about 7 s per case even without
mutation), or when the estimated work (`joint_table` with ``dry=True``: the table sizes of every
elimination step plus `STEP_COST` per step) exceeds `MAX_CASE_COST` (about one second), or
`MAX_TABLES_COST` (about 20 s) for `pedigree_tables`.  A refusal takes 0.03–0.3 s.
Every family of the benchmark (both grandparents, one parent and a full sibling, mother and maternal
grandmother, an uncle only, a half sibling, one grandparent, grandparents and an uncle, two full
siblings, a 15-member three-generation family) is accepted with θ = 0.01 and every mutation model
and takes under one second per case (slowest: an uncle only, stepwise, θ = 0.01, 0.2–0.76 s).

Mendelian inconsistency of a locus: the numerator is 0 without mutation (computed with identity
matrices); when the family alone is impossible (both likelihoods 0), the locus is neutral (LR 1) and
reported as inconsistent, as `formulas.trio_lr` does.
"""

from __future__ import annotations

import csv
import io
import math
from collections.abc import Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path

import numpy as np

from .conclusions import DEFAULT_THRESHOLDS, Thresholds, conclude
from .lr import KinshipModel, KinshipResult, LocusLR, combine
from .profiles import Profile

MAX_MEMBERS = 15
MAX_GENERATIONS = 4
MAX_THETA_STRUCTURES = 203
STEP_COST = 2e4
"""Fixed cost of one elimination step (one ``einsum`` call) in multiply-adds, measured: about 60 µs."""
MAX_CASE_COST = 2e8
"""Largest estimated work of one `compute_pedigree_lr` call: about one second (measured, see below)."""
MAX_TABLES_COST = 6e9
"""Largest estimated work of `pedigree_tables` (every genotype, once per registered pedigree): ~20 s."""
CANDIDATE = "\x00candidate"
"""Internal id of the candidate as an unrelated founder in the alternative hypothesis."""


MESSAGES: dict[str, str] = {
    "empty_id": "empty member id",
    "duplicate_member": "member {member!r} listed twice",
    "bad_sex": "member {member!r}: sex must be M or F",
    "one_parent": "member {member!r}: give both parents or none (add an untyped founder for the unknown parent)",
    "own_parent": "member {member!r} is its own {role}",
    "unknown_parent": "member {member!r}: unknown {role} {parent!r}",
    "parent_sex": "member {member!r}: {role} {parent!r} must have sex {sex}",
    "too_many_members": "{count} members; at most {limit} are supported",
    "too_many_generations": "{count} generations; at most {limit} are supported",
    "cycle": "cycle in the pedigree: {cycle}",
    "empty_file": "row {row}: empty file",
    "missing_columns": "row {row}: missing column(s): {columns}",
    "bad_sex_cell": "row {row}, sex: {value!r} is not M or F",
    "empty_id_cell": "row {row}, id: empty member id",
    "no_members": "no members",
    "parent_not_in_pedigree": "member {member!r}: parent {parent!r} is not in the pedigree",
    "theta_structures": "θ > 0 with {alleles} relevant untyped founder alleles needs {structures} founder-allele "
    "structures (at most {limit}); use θ = 0 or type more founders",
    "too_costly": "this pedigree needs about {cost} operations for θ = {theta} (at most {limit}, about one "
    "second); type more members (founders first) or use θ = 0",
    "missing_not_member": "missing member {member!r} is not in the pedigree",
    "missing_is_typed": "missing member {member!r} must not be a typed family member",
    "no_typed_member": "no typed member in the pedigree besides the missing person",
}
"""The English text of each problem code; an application shows the codes in its users' language."""


@dataclass(frozen=True)
class PedigreeProblem:
    """One problem: a stable ``code``, its ``params`` (plain str/int/float) and the English ``message``."""

    code: str
    message: str
    params: Mapping[str, object] = field(default_factory=dict, compare=False, hash=False)

    def __str__(self) -> str:
        return self.message


def problem(code: str, **params: object) -> PedigreeProblem:
    return PedigreeProblem(code, MESSAGES[code].format(**params), params)


class PedigreeError(ValueError):
    """Invalid pedigree or invalid use of one: ``problems`` lists every problem found (coded), ``errors`` their
    English text."""

    def __init__(self, problems: Sequence[PedigreeProblem | str]):
        self.problems = [
            p if isinstance(p, PedigreeProblem) else PedigreeProblem("", str(p)) for p in problems
        ]
        self.errors = [p.message for p in self.problems]
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


def validate(members: Sequence[Member]) -> list[PedigreeProblem]:
    """Every problem of a member list: ids, parents (both or none, right sex, known), cycles, size."""
    errors: list[PedigreeProblem] = []
    ids = [m.id for m in members]
    by_id = {m.id: m for m in members}
    seen: set[str] = set()
    for member in members:
        if not member.id:
            errors.append(problem("empty_id"))
        elif member.id in seen:
            errors.append(problem("duplicate_member", member=member.id))
        seen.add(member.id)
        if member.sex not in ("male", "female"):
            errors.append(problem("bad_sex", member=member.id))
        if (member.father is None) != (member.mother is None):
            errors.append(problem("one_parent", member=member.id))
            continue
        for role, parent_id, sex in (("father", member.father, "male"), ("mother", member.mother, "female")):
            if parent_id is None:
                continue
            if parent_id == member.id:
                errors.append(problem("own_parent", member=member.id, role=role))
            elif parent_id not in by_id:
                errors.append(problem("unknown_parent", member=member.id, role=role, parent=parent_id))
            elif by_id[parent_id].sex != sex:
                errors.append(
                    problem("parent_sex", member=member.id, role=role, parent=parent_id, sex=sex[0].upper())
                )
    if len(ids) > MAX_MEMBERS:
        errors.append(problem("too_many_members", count=len(ids), limit=MAX_MEMBERS))
    if not errors:
        try:
            ordered = _topological(members)
        except PedigreeError as error:
            errors.extend(error.problems)
        else:
            depth: dict[str, int] = {}
            for m in ordered:
                depth[m.id] = 1 if m.founder else 1 + max(depth[m.father], depth[m.mother])  # type: ignore[index]
            if depth and max(depth.values()) > MAX_GENERATIONS:
                errors.append(
                    problem("too_many_generations", count=max(depth.values()), limit=MAX_GENERATIONS)
                )
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
            raise PedigreeError([problem("cycle", cycle=cycle)])
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
        raise PedigreeError([problem("empty_file", row=1)])
    header = [cell.strip().lower() for cell in rows[0]]
    missing = [name for name in ("id", "father", "mother", "sex") if name not in header]
    if missing:
        raise PedigreeError([problem("missing_columns", row=1, columns=", ".join(missing))])
    col = {name: header.index(name) for name in ("id", "father", "mother", "sex")}
    members: list[Member] = []
    errors: list[PedigreeProblem] = []
    for number, row in enumerate(rows[1:], start=2):
        if not row or all(not cell.strip() for cell in row):
            continue

        def cell(name: str, row: list[str] = row) -> str:
            index = col[name]
            return row[index].strip() if index < len(row) else ""

        sex = SEXES.get(cell("sex").lower())
        if sex is None:
            errors.append(problem("bad_sex_cell", row=number, value=cell("sex")))
            continue
        if not cell("id"):
            errors.append(problem("empty_id_cell", row=number))
            continue
        members.append(Member(cell("id"), cell("father") or None, cell("mother") or None, sex))
    if errors:
        raise PedigreeError(errors)
    if not members:
        raise PedigreeError([problem("no_members")])
    return Pedigree(members)


def read_pedigree(path: str | Path) -> Pedigree:
    return parse_pedigree(Path(path).read_text(encoding="utf-8-sig"))


# --- per-locus computation -------------------------------------------------------------------------


class _Matrices:
    """Transmission matrices of one locus: typed parent and untyped parent, per sex."""

    def __init__(self, typed: Mapping[str, np.ndarray], untyped: Mapping[str, np.ndarray]):
        self.typed = dict(typed)
        self.untyped = dict(untyped)
        self._cubes: dict[tuple, np.ndarray] = {}

    @classmethod
    def of(cls, ctx, plain: bool) -> _Matrices:
        """The locus's matrices; ``plain``: identity matrices (no mutation at all)."""
        if plain:
            eye = np.eye(ctx.data.size)
            return cls({"male": eye, "female": eye}, {"male": eye, "female": eye})
        return cls(
            {"male": ctx.male, "female": ctx.female},
            {"male": ctx.untyped("male")[0], "female": ctx.untyped("female")[0]},
        )

    def matrix(self, sex: str, typed: bool) -> np.ndarray:
        return self.typed[sex] if typed else self.untyped[sex]

    def transmission(self, sex: str, typed: bool, via: str | None = None) -> np.ndarray:
        """The parent's matrix, followed by an untyped intermediate's of sex ``via`` when given."""
        if via is None:
            return self.matrix(sex, typed)
        key = (sex, typed, via, "matrix")
        composed = self._cubes.get(key)
        if composed is None:
            composed = self.matrix(sex, typed) @ self.matrix(via, False)
            self._cubes[key] = composed
        return composed

    def cube(self, sex: str, typed: bool, via: str | None = None) -> np.ndarray:
        """T[a, b, x] = ½ (M[a, x] + M[b, x]): an untyped parent (a, b) transmits x."""
        key = (sex, typed, via, "cube")
        cube = self._cubes.get(key)
        if cube is None:
            m = self.transmission(sex, typed, via)
            cube = 0.5 * (m[:, None, :] + m[None, :, :])
            self._cubes[key] = cube
        return cube

    def lumped(self, seen: Sequence[int]) -> _Matrices | None:
        """The matrices on ``seen`` alleles plus one last "other" allele, or None where not exact.

        Lumping the unseen alleles into one is exact when every matrix is *lumpable*: the
        probability of mutating from an unseen allele into each seen one is the same for every unseen
        allele (true for no mutation, the equal and the proportional models and the ``plain``
        identity; not for stepwise, whose rates depend on the step).  The condition is checked exactly
        on the numbers, so a stepwise locus keeps its alleles (unless it happens to hold).
        """
        n = next(iter(self.typed.values())).shape[0]
        seen_index = np.asarray(seen, dtype=np.intp)
        unseen = np.array(sorted(set(range(n)) - set(seen)), dtype=np.intp)
        result: dict[tuple[str, bool], np.ndarray] = {}
        for key, m in {
            **{(sex, True): m for sex, m in self.typed.items()},
            **{(sex, False): m for sex, m in self.untyped.items()},
        }.items():
            into_seen = m[np.ix_(unseen, seen_index)]
            if np.any(into_seen != into_seen[0]):
                return None
            k = len(seen_index)
            lumped = np.empty((k + 1, k + 1))
            lumped[:k, :k] = m[np.ix_(seen_index, seen_index)]
            lumped[:k, k] = m[np.ix_(seen_index, unseen)].sum(axis=1)
            lumped[k, :k] = into_seen[0]
            lumped[k, k] = m[unseen[0], unseen].sum()
            result[key] = lumped
        return _Matrices(
            {sex: result[sex, True] for sex in self.typed}, {sex: result[sex, False] for sex in self.untyped}
        )


def _lump(
    p: np.ndarray, matrices: _Matrices, genotypes: Mapping[str, tuple[int, int]]
) -> tuple[np.ndarray, _Matrices, dict[str, tuple[int, int]]]:
    """Allele lumping: the alleles no typed person carries become one allele (exact, see `lumped`).

    Returns the (possibly) smaller frequencies, matrices and re-indexed genotypes; unchanged where
    lumping would not shrink the locus or is not exact.  The founders' Pólya urn lumps exactly
    (``p_other = Σ p``, counts add up), so every likelihood of typed genotypes is unchanged.
    """
    seen = sorted({int(allele) for pair in genotypes.values() for allele in pair})
    if len(p) - len(seen) < 2:
        return p, matrices, dict(genotypes)
    lumped = matrices.lumped(seen)
    if lumped is None:
        return p, matrices, dict(genotypes)
    position = {allele: k for k, allele in enumerate(seen)}
    unseen = [k for k in range(len(p)) if k not in position]
    p_lumped = np.append(p[seen], p[unseen].sum())
    return p_lumped, lumped, {m: (position[a], position[b]) for m, (a, b) in genotypes.items()}


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


@lru_cache(maxsize=16)
def set_partitions(count: int) -> tuple[tuple[int, ...], ...]:
    """Every set partition of ``count`` items as a restricted growth string (block of each item)."""
    result: list[tuple[int, ...]] = []

    def extend(prefix: list[int], blocks: int) -> None:
        if len(prefix) == count:
            result.append(tuple(prefix))
            return
        for block in range(blocks + 1):
            prefix.append(block)
            extend(prefix, max(blocks, block + 1))
            prefix.pop()

    extend([], 0)
    return tuple(result)


def bell(count: int) -> int:
    """The number of set partitions of ``count`` items (Bell number)."""
    row = [1]
    for _ in range(count):
        nxt = [row[-1]]
        for value in row:
            nxt.append(nxt[-1] + value)
        row = nxt
    return row[0]


@lru_cache(maxsize=64)
def partition_orbits(
    count: int, pairs: tuple[tuple[int, int], ...]
) -> tuple[tuple[tuple[int, ...], int], ...]:
    """Set partitions of ``count`` items up to swapping the two items of each pair, with multiplicity.

    The two alleles of an untyped founder enter the likelihood symmetrically (every factor on them
    is symmetric), so partitions that differ by such swaps give the same elimination result: each
    orbit is computed once and weighted by its size.
    """

    def canonical(blocks: Sequence[int]) -> tuple[int, ...]:
        names: dict[int, int] = {}
        return tuple(names.setdefault(block, len(names)) for block in blocks)

    swaps: list[list[int]] = []
    for mask in range(1 << len(pairs)):
        order = list(range(count))
        for bit, (i, j) in enumerate(pairs):
            if mask >> bit & 1:
                order[i], order[j] = order[j], order[i]
        swaps.append(order)
    orbits: dict[tuple[int, ...], int] = {}
    for blocks in set_partitions(count):
        representative = min(canonical([blocks[k] for k in order]) for order in swaps)
        orbits[representative] = orbits.get(representative, 0) + 1
    return tuple(orbits.items())


def _structures(
    count: int,
    typed_counts: np.ndarray,
    typed_total: int,
    p: np.ndarray,
    theta: float,
    pairs: tuple[tuple[int, int], ...] = (),
) -> Iterator[tuple[tuple[int, ...], float, np.ndarray]]:
    """Identity structures of ``count`` untyped founder alleles drawn after ``typed_total`` typed ones.

    Yields (block of each allele, weight, value distribution of every block).  The Pólya urn's joint
    probability is the sum over the set partitions of the alleles (Ewens / Chinese-restaurant
    expansion of the rising factorials): a partition weighs ``∏_B (|B|-1)! θ^(|B|-1)`` divided by the
    urn's denominators ``∏_k (1 + (T+k-1) θ)``, and the alleles of a block share one value ``x`` with
    weight ``q_x = (1-θ) p_x + θ c_x`` (``c`` the typed founders' allele counts).  With θ = 0 only the
    all-singleton partition has a non-zero weight.  ``pairs``: positions of the two alleles of each
    untyped founder whose alleles are interchangeable (see `partition_orbits`).
    """
    denominator = 1.0
    for k in range(count):
        denominator *= 1.0 + (typed_total + k - 1) * theta
    q = (1.0 - theta) * p + theta * typed_counts
    if theta == 0.0:
        yield tuple(range(count)), 1.0 / denominator, q
        return
    for blocks, multiplicity in partition_orbits(count, pairs):
        weight = float(multiplicity)
        for size in np.bincount(np.asarray(blocks, dtype=np.intp)) if count else ():
            weight *= math.factorial(int(size) - 1) * theta ** (int(size) - 1)
        yield blocks, weight / denominator, q


def _typed_founder_probability(alleles: list[int], p: np.ndarray, theta: float) -> float:
    """P_θ of the typed founders' allele sequence (any order: the urn is exchangeable)."""
    probability = 1.0
    counts: dict[int, int] = {}
    for k, allele in enumerate(alleles):
        seen = counts.get(allele, 0)
        probability *= (seen * theta + (1.0 - theta) * p[allele]) / (1.0 + (k - 1) * theta)
        counts[allele] = seen + 1
    return probability


def _child_counts(members: Sequence[Member]) -> dict[str, int]:
    """How many children each member has among ``members``."""
    children: dict[str, int] = {}
    for member in members:
        if not member.founder:
            for parent in (member.father, member.mother):
                children[parent] = children.get(parent, 0) + 1  # type: ignore[index]
    return children


def _founder_layout(
    members: Sequence[Member], genotypes: Mapping[str, tuple[int, int]], free: str | None
) -> dict[str, tuple[int, int]]:
    """Allele slots of the untyped founders: (0, 1) for two alleles, (0, 0) for one.

    An untyped founder (other than the free member) with a single child among ``members`` passes on
    one allele only; its other allele reaches nobody and is summed out (the urn is consistent under
    marginalisation, so this is exact also with θ).
    """
    children = _child_counts(members)
    return {
        m.id: ((0, 0) if children.get(m.id, 0) == 1 and m.id != free else (0, 1))
        for m in members
        if m.founder and m.id not in genotypes
    }


def _collapsible(
    members: Sequence[Member], genotypes: Mapping[str, tuple[int, int]], free: str | None
) -> set[str]:
    """Untyped nonfounders with a single child, summed out in advance (their parents not so).

    Such a member's allele variables are replaced by the composite transmission from its parents
    (``½ t_father·M + ½ t_mother·M`` through a two-valued selector), which keeps the elimination's
    tables small when founder alleles are identical by descent (θ > 0).  Exact.
    """
    children = _child_counts(members)
    collapsed: set[str] = set()
    for member in members:
        if (
            not member.founder
            and member.id not in genotypes
            and member.id != free
            and children.get(member.id, 0) == 1
            and member.father not in collapsed
            and member.mother not in collapsed
        ):
            collapsed.add(member.id)
    return collapsed


def joint_table(
    members: Sequence[Member],
    genotypes: Mapping[str, tuple[int, int]],
    free: str | None,
    p: np.ndarray,
    matrices: _Matrices,
    theta: float,
    dry: bool = False,
) -> np.ndarray | float:
    """P(typed genotypes, free member's ordered alleles = (x, y)) as an n × n matrix (or a scalar).

    ``members`` must list parents before children; members neither typed nor free are untyped.
    With ``dry`` nothing is computed: the estimated work (multiply-adds of every elimination) is
    returned instead, so that a case can be refused before any of it is done.
    """
    n = len(p)
    label_count = 0

    def new_label() -> int:
        nonlocal label_count
        label_count += 1
        return label_count - 1

    layout = _founder_layout(members, genotypes, free)
    by_id = {m.id: m for m in members}
    collapsed = _collapsible(members, genotypes, free)
    alleles: dict[str, tuple[int, int]] = {}  # untyped member -> (paternal label, maternal label)
    phase: dict[str, tuple[int, np.ndarray, np.ndarray]] = {}  # typed -> (label, pat alleles, mat alleles)
    untyped_founder_labels: list[int] = []
    pairs: list[tuple[int, int]] = []  # positions of the two alleles of untyped founders
    typed_founder_alleles: list[int] = []
    constant = 1.0
    factors: list[tuple[np.ndarray, list[int]]] = []

    def source(parent_id: str, sex: str, via: str | None = None) -> tuple[np.ndarray, list[int]]:
        """P(allele passed on = x | the parent's variables): x on the last axis; the other labels."""
        parent_typed = parent_id in genotypes or parent_id == free
        if parent_id in genotypes:
            pa, pb = genotypes[parent_id]
            matrix = matrices.transmission(sex, True, via)
            return 0.5 * (matrix[pa] + matrix[pb]), []
        labels = alleles[parent_id]
        if labels[0] == labels[1]:  # a founder passing on its one relevant allele
            return matrices.transmission(sex, parent_typed, via), [labels[0]]
        return matrices.cube(sex, parent_typed, via), list(labels)

    def receive(
        member_id: str, side: int, array: np.ndarray, labels: list[int]
    ) -> tuple[np.ndarray, list[int]]:
        """Bind the transmitted allele (last axis) to the member's allele or phase variable."""
        if member_id in phase:
            label, pat, mat = phase[member_id]
            return array[..., pat if side == 0 else mat], [*labels, label]
        return array, [*labels, alleles[member_id][side]]

    for member in members:
        if member.id in collapsed:
            continue
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
        elif member.founder and layout[member.id] == (0, 0):
            label = new_label()
            alleles[member.id] = (label, label)
            untyped_founder_labels.append(label)
        else:
            labels = (new_label(), new_label())
            alleles[member.id] = labels
            if member.founder:
                if member.id != free:  # the free member's two alleles are ordered outputs
                    pairs.append((len(untyped_founder_labels), len(untyped_founder_labels) + 1))
                untyped_founder_labels.extend(labels)
        if member.founder:
            continue
        for side, parent_id in enumerate((member.father, member.mother)):
            if parent_id not in by_id:
                raise PedigreeError([problem("parent_not_in_pedigree", member=member.id, parent=parent_id)])
            sex = "male" if side == 0 else "female"
            if parent_id not in collapsed:
                factors.append(receive(member.id, side, *source(parent_id, sex)))
                continue
            # The allele comes from the collapsed parent's father or mother (½ each, selector s),
            # through their matrix and then the collapsed parent's own.
            parent = by_id[parent_id]
            selector = new_label()
            for origin, grandparent in enumerate((parent.father, parent.mother)):
                array, labels = receive(
                    member.id, side, *source(grandparent, "male" if origin == 0 else "female", via=sex)
                )
                stacked = np.ones((2, *array.shape))
                stacked[origin] = 0.5 * array
                factors.append((stacked, [selector, *labels]))
    constant *= _typed_founder_probability(typed_founder_alleles, p, theta)
    typed_counts = np.bincount(np.asarray(typed_founder_alleles, dtype=np.intp), minlength=n).astype(float)
    count = len(untyped_founder_labels)
    if theta > 0.0 and bell(count) > MAX_THETA_STRUCTURES:
        raise PedigreeError(
            [problem("theta_structures", alleles=count, structures=bell(count), limit=MAX_THETA_STRUCTURES)]
        )
    output = list(alleles[free]) if free is not None else []
    total: np.ndarray | float = np.zeros((n, n)) if free is not None else 0.0
    cost = 0.0
    for blocks, weight, q in _structures(
        count, typed_counts, len(typed_founder_alleles), p, theta, tuple(pairs)
    ):
        # Block b is named by the label of its first founder allele; every founder label is renamed.
        first: dict[int, int] = {}
        for k, block in enumerate(blocks):
            first.setdefault(block, untyped_founder_labels[k])
        rename = {label: first[blocks[k]] for k, label in enumerate(untyped_founder_labels)}
        operands: list = []
        for array, labels in factors:
            operands += [array, [rename.get(label, label) for label in labels]]
        for label in first.values():
            operands += [q, [label]]
        out = [rename.get(label, label) for label in output]
        if dry:
            cost += _cost(operands, list(dict.fromkeys(out)))
            continue
        if len(out) == 2 and out[0] == out[1]:
            result = np.diag(_contract(operands, [out[0]], n))
        else:
            result = _contract(operands, out, n)
        total = total + weight * result
    return cost if dry else constant * total


def _contract(operands: list, output: list[int], n: int):
    """Sum the product of ``operands`` (array, labels, array, labels, …) over every label not in ``output``.

    Variable elimination: one variable at a time, the one whose elimination touches the smallest
    table (every factor containing it is multiplied into one table by a single ``numpy.einsum`` and
    the variable summed out, with any other variable no remaining factor needs).  The plan depends
    on the labels only (every allele variable of a locus has the same size), so it is made once per
    structure and reused for every locus and hypothesis alike.  Pairwise ``einsum`` calls without
    BLAS are used on purpose: the tables are small, and ``tensordot``'s copies cost more here.
    """
    if not operands:
        return np.ones((n,) * len(output)) if output else 1.0
    arrays = list(operands[0::2])
    labels = [list(label) for label in operands[1::2]]
    plan = _cached_plan(operands, output)
    for involved, result in plan:
        args: list = []
        for position in involved:  # descending positions, so popping keeps the others in place
            args += [arrays.pop(position), labels.pop(position)]
        arrays.append(np.einsum(*args, result))
        labels.append(result)
    args = []
    for array, names in zip(arrays, labels, strict=True):
        args += [array, names]
    return np.einsum(*args, output)


def _cached_plan(operands: list, output: list[int]) -> list[tuple[list[int], list[int]]]:
    """The elimination plan of these labels, made once with the sizes of the first call.

    (Planning with canonical sizes, so that loci of every size share a plan, was measured as no
    faster: more plans are made and the orders hardly differ.)
    """
    labels = [list(label) for label in operands[1::2]]
    key = (tuple(tuple(label) for label in labels), tuple(output))
    plan = _PLANS.get(key)
    if plan is None:
        plan = _plan(labels, output, _sizes(operands))
        if len(_PLANS) > 4096:
            _PLANS.clear()
        _PLANS[key] = plan
    return plan


def _sizes(operands: list) -> dict[int, int]:
    return {
        label: size
        for array, names in zip(operands[0::2], operands[1::2], strict=True)
        for label, size in zip(names, array.shape, strict=True)
    }


def _cost(operands: list, output: list[int]) -> float:
    """Multiply-adds of `_contract` on these operands: the sizes of the tables its steps span."""
    if not operands:
        return 0.0
    sizes = _sizes(operands)
    labels = [set(names) for names in operands[1::2]]
    cost = 0.0
    for involved, result in _cached_plan(operands, output):
        union = set().union(*(labels[i] for i in involved))
        cost += STEP_COST + len(involved) * math.prod(sizes[label] for label in union)
        for i in involved:
            labels.pop(i)
        labels.append(set(result))
    union = set().union(*labels)
    return cost + STEP_COST + len(labels) * math.prod(sizes[label] for label in union)


def _plan(
    labels: list[list[int]], output: list[int], sizes: Mapping[int, int]
) -> list[tuple[list[int], list[int]]]:
    """Elimination steps: (positions of the factors to multiply, descending; labels of the result)."""
    work = [set(names) for names in labels]
    keep = set(output)
    steps: list[tuple[list[int], list[int]]] = []
    pending = set().union(*work) - keep
    while pending:
        best: tuple[int, int, list[int], set[int]] | None = None
        for variable in sorted(pending):
            involved = [i for i, names in enumerate(work) if variable in names]
            union = set().union(*(work[i] for i in involved))
            cost = math.prod(sizes[label] for label in union)
            if best is None or cost < best[0]:
                best = (cost, variable, involved, union)
        assert best is not None
        _, _, involved, union = best
        others = set().union(*(names for i, names in enumerate(work) if i not in involved))
        result = sorted(label for label in union if label in keep or label in others)
        pending -= union - set(result)
        steps.append((sorted(involved, reverse=True), result))
        work = [names for i, names in enumerate(work) if i not in involved] + [set(result)]
    return steps


_PLANS: dict[tuple, list[tuple[list[int], list[int]]]] = {}


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
    errors: list[PedigreeProblem] = []
    if missing not in pedigree:
        errors.append(problem("missing_not_member", member=missing))
    if missing in family:
        errors.append(problem("missing_is_typed", member=missing))
    if not any(member in pedigree and member != missing for member in family):
        errors.append(problem("no_typed_member"))
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
    cost = 0.0
    for locus in loci:
        ctx = model.context(locus)
        genotypes = _locus_genotypes(family, locus, ctx.data.index)
        if genotypes:
            matrices = _Matrices.of(ctx, plain=False)
            for alternative in (False, True):
                cost += _hypothesis(
                    pedigree, genotypes, missing, ctx.p, matrices, theta, alternative, dry=True
                )
    _refuse_above(cost, MAX_TABLES_COST, theta)
    for locus in loci:
        ctx = model.context(locus)
        genotypes = _locus_genotypes(family, locus, ctx.data.index)
        size = 1 + ctx.data.size * (ctx.data.size + 1) // 2
        lr = np.ones(size)
        bad = np.zeros(size, dtype=bool)
        if genotypes:
            matrices = _Matrices.of(ctx, plain=False)
            numerator = _hypothesis(pedigree, genotypes, missing, ctx.p, matrices, theta, alternative=False)
            alternative = _hypothesis(pedigree, genotypes, missing, ctx.p, matrices, theta, alternative=True)
            if plain_model:
                plain = numerator
            else:
                plain = _hypothesis(pedigree, genotypes, missing, ctx.p, _Matrices.of(ctx, True), 0.0, False)
            with np.errstate(invalid="ignore", divide="ignore"):
                lr[1:] = np.where(alternative > 0.0, numerator / alternative, 1.0)
            bad[1:] = plain <= 0.0
        lr_tables.append(lr)
        bad_tables.append(bad)
    parentage = any(pedigree.is_parent_or_child(missing, member) for member in family)
    return PedigreeTables(model, tuple(loci), tuple(lr_tables), tuple(bad_tables), parentage)


def _locus_genotypes(family: Mapping[str, Profile], locus: str, index) -> dict[str, tuple[int, int]]:
    return {
        member: (index[profile[locus][0]], index[profile[locus][1]])
        for member, profile in family.items()
        if locus in profile
    }


def _refuse_above(cost: float, limit: float, theta: float) -> None:
    if cost > limit:
        raise PedigreeError(
            [problem("too_costly", cost=f"{cost:.2g}", theta=f"{theta:g}", limit=f"{limit:.2g}")]
        )


def _hypothesis(pedigree, genotypes, missing, p, matrices, theta, alternative: bool, dry: bool = False):
    members = dict(pedigree.members)
    if alternative:
        members[CANDIDATE] = Member(CANDIDATE, None, None, "male")
        free = CANDIDATE
    else:
        free = missing
    relevant = _relevant(members, set(genotypes) | {free})
    if dry:
        return joint_table(relevant, genotypes, free, p, matrices, theta, dry=True)
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
    The candidate is entered as typed (one likelihood per hypothesis, not a table over every genotype);
    the values equal `pedigree_tables`' entries for the candidate's genotype up to rounding.
    """
    model = (model or KinshipModel()).covering([*family.values(), candidate])
    family = {k: v for k, v in family.items() if k in pedigree}
    _check(pedigree, family, missing)
    typed_loci = set(candidate).union(*(profile.keys() for profile in family.values()))
    ordered = model.locus_order(typed_loci)
    skipped = tuple(locus for locus in ordered if locus not in model.frequencies)
    per_locus: dict[str, tuple[float, bool]] = {}
    jobs = []
    for locus in ordered:
        if locus not in model.frequencies or locus not in candidate:
            continue
        ctx = model.context(locus)
        index = ctx.data.index
        genotypes = _locus_genotypes(family, locus, index)
        if genotypes:
            tested = (index[candidate[locus][0]], index[candidate[locus][1]])
            jobs.append((locus, genotypes, tested, ctx))
    cost = sum(_candidate_locus(pedigree, g, missing, t, ctx, model, dry=True) for _, g, t, ctx in jobs)
    _refuse_above(cost, MAX_CASE_COST, model.theta)
    for locus, genotypes, tested, ctx in jobs:
        per_locus[locus] = _candidate_locus(pedigree, genotypes, missing, tested, ctx, model)
    parentage = any(pedigree.is_parent_or_child(missing, member) for member in family)
    return _result(model, family, candidate, per_locus, parentage, thresholds, skipped)


def _candidate_locus(
    pedigree: Pedigree,
    genotypes: Mapping[str, tuple[int, int]],
    missing: str,
    tested: tuple[int, int],
    ctx,
    model: KinshipModel,
    lump: bool = True,
    dry: bool = False,
):
    """(LR, inconsistent) of one locus with the candidate's genotype ``tested`` in the missing place.

    The numerator types the missing member as the candidate; the alternative adds the candidate as
    one more typed founder.  With ``lump`` the alleles nobody carries are lumped into one (where
    exact, see `_lump`), which makes every elimination small.  With ``dry`` only the estimated work
    is returned (see `joint_table`).
    """
    members = dict(pedigree.members)
    members[CANDIDATE] = Member(CANDIDATE, None, None, "male")
    numerator_typed = {**genotypes, missing: tested}
    numerator_members = _relevant(pedigree.members, set(numerator_typed))
    p, matrices = ctx.p, _Matrices.of(ctx, plain=False)
    if lump:
        p, matrices, numerator_typed = _lump(p, matrices, numerator_typed)
    alternative_typed = {**numerator_typed, CANDIDATE: numerator_typed[missing]}
    del alternative_typed[missing]
    alternative_members = _relevant(members, set(alternative_typed))
    if dry:
        return joint_table(
            numerator_members, numerator_typed, None, p, matrices, model.theta, dry=True
        ) + joint_table(alternative_members, alternative_typed, None, p, matrices, model.theta, dry=True)
    numerator = float(joint_table(numerator_members, numerator_typed, None, p, matrices, model.theta))
    alternative = float(joint_table(alternative_members, alternative_typed, None, p, matrices, model.theta))
    if model.mutation.is_trivial:  # θ > 0 does not make an impossible family possible
        plain = numerator
    else:
        eye = np.eye(len(p))
        identity = _Matrices({"male": eye, "female": eye}, {"male": eye, "female": eye})
        plain = float(joint_table(numerator_members, numerator_typed, None, p, identity, 0.0))
    return (numerator / alternative if alternative > 0.0 else 1.0), plain <= 0.0


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
    per_locus: dict[str, tuple[float, bool]] = {}
    for position, locus in enumerate(tables.loci):
        if locus in candidate and any(locus in profile for profile in family.values()):
            index = model.context(locus).data.index
            code = encode(index[candidate[locus][0]], index[candidate[locus][1]])
            per_locus[locus] = tables.locus_lr(position, code)
    return _result(model, family, candidate, per_locus, tables.parentage, thresholds, skipped)


def _result(
    model: KinshipModel,
    family: Mapping[str, Profile],
    candidate: Profile,
    per_locus: Mapping[str, tuple[float, bool]],
    parentage: bool,
    thresholds: Thresholds,
    skipped: tuple[str, ...],
) -> KinshipResult:
    """The result over the loci typed on either side; loci without a computed value have LR 1."""
    typed_loci = set(candidate).union(*(profile.keys() for profile in family.values()))
    results: list[LocusLR] = []
    for locus in model.locus_order(typed_loci):
        if locus not in model.frequencies:
            continue
        if locus not in per_locus:
            results.append(LocusLR(locus, 1.0, typed=False))
            continue
        lr, inconsistent = per_locus[locus]
        results.append(LocusLR(locus, lr, typed=True, inconsistent=inconsistent))
    total, log10_total = combine([r.lr for r in results])
    inconsistent_loci = tuple(r.locus for r in results if r.inconsistent)
    conclusion = conclude(total, len(inconsistent_loci), parentage=parentage, thresholds=thresholds)
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
