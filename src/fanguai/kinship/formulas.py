"""Per-locus likelihood ratios, vectorised over genotypes given as allele-index arrays.

Every function here takes genotypes as pairs of integer arrays (indices into the locus's allele
universe) that broadcast against each other, so the same code computes one comparison (pairwise API)
or a whole table over every possible reference genotype (database search).  Using one code path for
both is what makes search results bit-for-bit equal to pairwise results.

Notation (see docs/kinship.md for the derivations):

* ``p`` allele frequencies, ``θ`` the Balding–Nichols co-ancestry coefficient.
* Conditional sampling: after ``s`` alleles have been drawn from the subpopulation, of which ``n_x`` are
  ``x``, the next allele is ``x`` with probability ``(n_x θ + (1-θ) p_x) / (1 + (s-1) θ)``.
* ``t_P(x) = ½ (M[P₁, x] + M[P₂, x])``: probability that parent ``P`` transmits ``x`` (``M`` its sex's
  mutation matrix; the identity without mutation).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from functools import cached_property

import numpy as np

from .frequencies import LocusFrequencies
from .mutation import MutationModel

Pair = tuple[np.ndarray, np.ndarray]


@dataclass(frozen=True)
class LocusContext:
    """Frequencies and mutation matrices of one locus, computed once per (table, model).

    With a model that can mutate, ``p`` is the locus's frequencies divided by their sum (a published
    table sums to 1 only up to rounding, and unseen alleles add the minimum frequency on top), and the
    matrices are built from that proper distribution (``data`` stays the table's locus).  Without
    mutation ``p`` is the table's values as given, so that the classic formulas (``1/(2p)``…) use the
    published numbers.  ``untyped_*`` are the matrices of transmissions from parents untyped at the
    locus (the mutation matrix under ``mutate``, the identity under ``plain``) and ``untyped_*_bar``
    the distribution ``pᵀU`` of the allele such a parent passes on.
    """

    data: LocusFrequencies
    p: np.ndarray
    male: np.ndarray
    female: np.ndarray
    untyped_male: np.ndarray
    untyped_female: np.ndarray
    untyped_male_bar: np.ndarray
    untyped_female_bar: np.ndarray

    @classmethod
    def build(cls, data: LocusFrequencies, model: MutationModel) -> LocusContext:
        distribution = data if model.is_trivial else data.distribution()
        male = model.matrix(distribution, "male")
        female = model.matrix(distribution, "female")
        if model.mutate_untyped:
            untyped_male, untyped_female = male, female
        else:
            untyped_male = untyped_female = np.eye(data.size)
        p = distribution.frequencies
        return cls(data, p, male, female, untyped_male, untyped_female, p @ untyped_male, p @ untyped_female)

    def matrix(self, sex: str) -> np.ndarray:
        return self.male if sex == "male" else self.female

    def untyped(self, sex: str) -> tuple[np.ndarray, np.ndarray]:
        if sex == "male":
            return self.untyped_male, self.untyped_male_bar
        return self.untyped_female, self.untyped_female_bar

    @cached_property
    def untyped_pair(self) -> np.ndarray:
        """``J[x, y] = Σ_z p_z U_f[z, x] U_m[z, y]``: one founder allele passed on by both untyped parents.

        Needed under θ, where the allele of an untyped mother and that of an untyped random man are
        drawn from the same subpopulation and can be the same founder allele's copies (IBD).
        """
        return self.untyped_female.T @ (self.p[:, None] * self.untyped_male)


def _count(genotype: Pair, allele: np.ndarray) -> np.ndarray:
    """How many copies of ``allele`` the genotype carries (0, 1 or 2), as float."""
    return (genotype[0] == allele).astype(np.float64) + (genotype[1] == allele)


def _draw(count: np.ndarray, freq: np.ndarray, theta: float, seen: int) -> np.ndarray:
    """Conditional sampling probability of one more allele after ``seen`` alleles (``count`` alike)."""
    return (count * theta + (1.0 - theta) * freq) / (1.0 + (seen - 1) * theta)


def _genotype_given(
    child: Pair, counts: tuple[np.ndarray, np.ndarray], p: np.ndarray, theta: float, seen: int
) -> np.ndarray:
    """P(unordered genotype | ``seen`` alleles already drawn) under θ (HW when θ = 0)."""
    a, b = child
    n_a, n_b = counts
    first = _draw(n_a, p[a], theta, seen)
    homozygous = first * _draw(n_a + 1.0, p[a], theta, seen + 1)
    heterozygous = 2.0 * first * _draw(n_b, p[b], theta, seen + 1)
    return np.where(a == b, homozygous, heterozygous)


def _transmit(matrix: np.ndarray, parent: Pair, allele: np.ndarray) -> np.ndarray:
    return 0.5 * (matrix[parent[0], allele] + matrix[parent[1], allele])


def _assign(child: Pair, first_source, second_source) -> np.ndarray:
    """Σ over the ways the child's alleles split between two sources: f(x)·g(y) (+ f(y)·g(x) if het)."""
    a, b = child
    straight = first_source(a) * second_source(b)
    crossed = first_source(b) * second_source(a)
    return np.where(a == b, straight, straight + crossed)


def untyped_parent_source(ctx: LocusContext, sex: str, seen: Sequence[np.ndarray], theta: float):
    """Distribution of the allele an untyped founder parent passes on, given the alleles ``seen``.

    ``Σ_z P_θ(z | seen) M[z, y] = [(1-θ) (pᵀM)_y + θ Σ_{s ∈ seen} M[s, y]] / (1 + (|seen|-1) θ)``.
    """
    matrix, bar = ctx.untyped(sex)

    def source(allele: np.ndarray) -> np.ndarray:
        seen_sum = matrix[seen[0], allele]
        for other in seen[1:]:
            seen_sum = seen_sum + matrix[other, allele]
        return ((1.0 - theta) * bar[allele] + theta * seen_sum) / (1.0 + (len(seen) - 1) * theta)

    return source


def duo_lr(ctx: LocusContext, parent: Pair, child: Pair, theta: float, parent_sex: str = "male"):
    """Parent–child duo against unrelated; the child's other parent is an untyped founder.

    LR = [Σ t_P(x) u(y)] / P_θ(child | parent's two alleles), ``u`` the untyped parent's source.
    """
    other_sex = "female" if parent_sex == "male" else "male"
    matrix = ctx.matrix(parent_sex)
    numerator = _assign(
        child,
        lambda x: _transmit(matrix, parent, x),
        untyped_parent_source(ctx, other_sex, [parent[0], parent[1]], theta),
    )
    counts = (_count(parent, child[0]), _count(parent, child[1]))
    denominator = _genotype_given(child, counts, ctx.p, theta, seen=2)
    return numerator / denominator


def trio_lr(ctx: LocusContext, mother: Pair, father: Pair, child: Pair, theta: float):
    """Known mother, alleged father vs. known mother and an untyped random man as father.

    LR = [Σ t_M(x) t_AF(y)] / [Σ t_M(x) r(y)], ``r`` the random man's source given the four alleles of
    mother and alleged father; 1 when both are 0 (mother–child inconsistent without mutation).
    """
    numerator = _assign(
        child,
        lambda x: _transmit(ctx.female, mother, x),
        lambda y: _transmit(ctx.male, father, y),
    )
    seen = [mother[0], mother[1], father[0], father[1]]
    denominator = _assign(
        child,
        lambda x: _transmit(ctx.female, mother, x),
        untyped_parent_source(ctx, "male", seen, theta),
    )
    # Both hypotheses share the mother's transmission: if she cannot give the child either allele
    # (only possible without mutation), both likelihoods are 0 and the locus carries no information
    # about the alleged father; it is then neutral (LR 1) and reported as inconsistent.
    with np.errstate(invalid="ignore", divide="ignore"):
        return np.where(denominator > 0.0, numerator / denominator, 1.0)


def trio_mother_untyped_lr(ctx: LocusContext, father: Pair, child: Pair, theta: float):
    """Trio at a locus where the mother is untyped: the marginal LR of alleged father and child.

    Both hypotheses make the untyped mother a founder whose allele reaches the child through her
    untyped transmission (``U_f``).  Numerator: ``A(m, t_AF)`` with ``m(x) = Σ_z S(z | AF's 2) U_f[z, x]``
    (exactly the duo numerator).  Denominator: the child's alleles come from two untyped founders, the
    mother and the random man, drawn in that order after the alleged father's two alleles:
    ``Σ_{z1, z2} S(z1 | 2) S(z2 | 3) U_f[z1, x] U_m[z2, y] = m(x) r(y) + θ/(1+2θ) Σ_z S(z | 2) U_f[z, x] U_m[z, y]``
    with ``r(y) = [(1-θ)(pᵀU_m)_y + θ Σ_{AF} U_m[s, y]]/(1+2θ)``; the last term (only under θ) is the random
    man's allele being a copy of the same founder allele as the mother's.
    Under ``plain`` (or a stationary model) the denominator is ``P_θ(child | AF's 2 alleles)`` and the
    LR equals the father–child duo LR exactly; under ``mutate`` with a non-stationary model (equal,
    stepwise) it differs from the duo LR by the untyped transmissions in the denominator.
    """
    seen = [father[0], father[1]]
    mother_source = untyped_parent_source(ctx, "female", seen, theta)
    numerator = _assign(child, mother_source, lambda y: _transmit(ctx.male, father, y))
    matrix_m, bar_m = ctx.untyped("male")
    matrix_f, _ = ctx.untyped("female")
    joint = ctx.untyped_pair

    def man(allele: np.ndarray) -> np.ndarray:
        return (
            (1.0 - theta) * bar_m[allele]
            + theta * (matrix_m[father[0], allele] + matrix_m[father[1], allele])
        ) / (1.0 + 2.0 * theta)

    def together(x: np.ndarray, y: np.ndarray) -> np.ndarray:
        """θ/(1+2θ) · Σ_z S(z | AF's 2) U_f[z, x] U_m[z, y]."""
        if theta == 0.0:
            return np.zeros(np.broadcast(x, y).shape)
        same = (
            matrix_f[father[0], x] * matrix_m[father[0], y] + matrix_f[father[1], x] * matrix_m[father[1], y]
        )
        drawn = ((1.0 - theta) * joint[x, y] + theta * same) / (1.0 + theta)
        return theta * drawn / (1.0 + 2.0 * theta)

    a, b = child
    straight = mother_source(a) * man(b) + together(a, b)
    crossed = mother_source(b) * man(a) + together(b, a)
    denominator = np.where(a == b, straight, straight + crossed)
    return numerator / denominator


def partly_typed_lr(
    ctx: LocusContext,
    relationship: str,
    genotypes: Sequence[Pair | None],
    theta: float,
    parent_sex: str = "male",
):
    """Per-locus LR of a parentage hypothesis when some parties are untyped at the locus.

    ``genotypes`` follows the person order of `lr.compute_lr`, ``None`` for untyped.  Returns
    ``(lr, inconsistent)`` or ``None`` when the locus carries no information (LR 1): the child untyped;
    the duo's parent untyped; the trio's alleged father untyped (both hypotheses then make the father an
    untyped founder); both parents of a couple untyped.  Otherwise: a trio with the mother untyped →
    `trio_mother_untyped_lr` (the marginal of alleged father and child); a couple with one parent
    untyped → the duo LR of the typed parent with their sex (the other parent untyped in the numerator,
    the child unrelated in the denominator: exactly the duo's hypotheses).
    """
    child = genotypes[-1]
    if child is None:
        return None
    if relationship == "trio":
        mother, father = genotypes[0], genotypes[1]
        if father is None:
            return None
        if mother is None:
            return trio_mother_untyped_lr(ctx, father, child, theta), duo_inconsistent(father, child)
    elif relationship == "couple":
        mother, father = genotypes[0], genotypes[1]
        if mother is None and father is None:
            return None
        if mother is None:
            return duo_lr(ctx, father, child, theta, "male"), duo_inconsistent(father, child)
        if father is None:
            return duo_lr(ctx, mother, child, theta, "female"), duo_inconsistent(mother, child)
    return None


def couple_lr(ctx: LocusContext, mother: Pair, father: Pair, child: Pair, theta: float):
    """Both parents alleged vs. a child unrelated to both.

    LR = [Σ t_M(x) t_F(y)] / P_θ(child | the four parental alleles).
    """
    numerator = _assign(
        child,
        lambda x: _transmit(ctx.female, mother, x),
        lambda y: _transmit(ctx.male, father, y),
    )
    counts = (
        _count(mother, child[0]) + _count(father, child[0]),
        _count(mother, child[1]) + _count(father, child[1]),
    )
    denominator = _genotype_given(child, counts, ctx.p, theta, seen=4)
    return numerator / denominator


def kinship_lr(ctx: LocusContext, first: Pair, second: Pair, theta: float, kappa: tuple[float, float, float]):
    """Pairwise relationship with IBD probabilities κ = (κ0, κ1, κ2) vs. unrelated (no mutation).

    LR = κ0 + (κ1 P1 + κ2 P2) / P0 with, given the first person's two alleles,
    P0 = P_θ(second | 2 seen), P1 = Σ (n_x/2) · P_θ(other allele | 2 seen), P2 = [second == first].
    """
    kappa0, kappa1, kappa2 = kappa
    a, b = second
    n_a, n_b = _count(first, a), _count(first, b)
    p = ctx.p
    p0 = _genotype_given(second, (n_a, n_b), p, theta, seen=2)
    shared_a = 0.5 * n_a * _draw(n_b, p[b], theta, seen=2)
    shared_b = 0.5 * n_b * _draw(n_a, p[a], theta, seen=2)
    p1 = np.where(a == b, shared_a, shared_a + shared_b)
    same = ((first[0] == a) & (first[1] == b)) | ((first[0] == b) & (first[1] == a))
    p2 = same.astype(np.float64)
    return kappa0 + (kappa1 * p1 + kappa2 * p2) / p0


def duo_inconsistent(parent: Pair, child: Pair) -> np.ndarray:
    """True where the child carries no allele of the parent (impossible without mutation)."""
    a, b = child
    return ~((parent[0] == a) | (parent[1] == a) | (parent[0] == b) | (parent[1] == b))


def parents_inconsistent(mother: Pair, father: Pair, child: Pair) -> np.ndarray:
    """True where the child's alleles cannot be split one from each parent without mutation."""
    a, b = child

    def has(genotype: Pair, allele: np.ndarray) -> np.ndarray:
        return (genotype[0] == allele) | (genotype[1] == allele)

    return ~((has(mother, a) & has(father, b)) | (has(mother, b) & has(father, a)))
