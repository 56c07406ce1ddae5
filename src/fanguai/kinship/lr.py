"""Pairwise likelihood ratios of a relationship hypothesis against "unrelated", locus by locus.

Entry point: `compute_lr`.  It maps profiles onto allele indices of the frequency table (adding unseen
alleles at the minimum frequency), evaluates the per-locus formulas of `formulas`, multiplies the
per-locus LRs, lists the Mendelian-inconsistent loci and draws the conclusion.

Untyped loci: a locus absent from the frequency table contributes LR 1 (listed in ``skipped_loci``).
A locus untyped in one party contributes 1, except for partly typed parents (see
`formulas.partly_typed_lr`): a trio whose mother is untyped there uses the marginal LR of the alleged
father and the child, a couple with one untyped parent uses the duo LR of the typed parent; both can
be far below 1 when the typed parent and the child are inconsistent.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

import numpy as np

from . import formulas
from .conclusions import DEFAULT_THRESHOLDS, RECOMMENDATIONS, Thresholds, conclude
from .frequencies import FrequencyTable, default_frequencies
from .mutation import NO_MUTATION, MutationModel
from .profiles import Profile

PARENTAGE_RELATIONSHIPS = ("parent-child", "trio", "couple")
KAPPAS: dict[str, tuple[float, float, float]] = {
    "full-siblings": (0.25, 0.5, 0.25),
    "half-siblings": (0.5, 0.5, 0.0),
    "grandparent": (0.5, 0.5, 0.0),
    "avuncular": (0.5, 0.5, 0.0),
}
RELATIONSHIPS = (*PARENTAGE_RELATIONSHIPS, *KAPPAS, "kappa")
PARTIES = {"parent-child": 2, "trio": 3, "couple": 3, "kappa": 2, **{name: 2 for name in KAPPAS}}
ROLES = {
    "parent-child": ("parent", "child"),
    "trio": ("mother", "alleged-father", "child"),
    "couple": ("mother", "father", "child"),
}


class KinshipModel:
    """A frequency table, a mutation model and θ, with per-locus matrices computed once and cached.

    Pass the same model to `compute_lr` and to a search index to share the work (and to be certain both
    use identical numbers).
    """

    def __init__(
        self,
        frequencies: FrequencyTable | None = None,
        mutation: MutationModel | None = None,
        theta: float = 0.0,
    ):
        if not 0.0 <= theta < 1.0:
            raise ValueError("theta must be in [0, 1)")
        self.frequencies = frequencies if frequencies is not None else default_frequencies()
        self.mutation = mutation if mutation is not None else NO_MUTATION
        self.theta = float(theta)
        self._contexts: dict[str, formulas.LocusContext] = {}

    def context(self, locus: str) -> formulas.LocusContext:
        ctx = self._contexts.get(locus)
        if ctx is None:
            ctx = formulas.LocusContext.build(self.frequencies.locus(locus), self.mutation)
            self._contexts[locus] = ctx
        return ctx

    def covering(self, profiles: Sequence[Profile]) -> KinshipModel:
        """This model, or a copy whose table also lists every allele the profiles carry."""
        alleles: dict[str, set[str]] = {}
        for profile in profiles:
            for locus, genotype in profile.items():
                alleles.setdefault(locus, set()).update(genotype)
        table = self.frequencies.extended(alleles)
        if table is self.frequencies:
            return self
        model = KinshipModel(table, self.mutation, self.theta)
        model._contexts = {
            locus: ctx for locus, ctx in self._contexts.items() if table.locus(locus) is ctx.data
        }
        return model

    def locus_order(self, loci: set[str]) -> list[str]:
        order = {locus: i for i, locus in enumerate(self.frequencies.loci)}
        return sorted(loci, key=lambda locus: (order.get(locus, len(order)), locus))


@dataclass(frozen=True)
class LocusLR:
    """Result of one locus: its LR, whether every party was typed, and Mendelian inconsistency.

    ``partial`` is True for a parentage locus where a parent was untyped and the LR was computed from
    the typed parent and the child (``typed`` is then False); ``inconsistent`` then refers to them.
    """

    locus: str
    lr: float
    typed: bool = True
    inconsistent: bool = False
    partial: bool = False

    @property
    def log10_lr(self) -> float:
        return math.log10(self.lr) if self.lr > 0 else -math.inf


@dataclass(frozen=True)
class KinshipResult:
    """Combined result of one comparison."""

    relationship: str
    loci: tuple[LocusLR, ...]
    total_lr: float
    log10_lr: float
    inconsistent_loci: tuple[str, ...]
    conclusion: str
    skipped_loci: tuple[str, ...] = field(default=())

    @property
    def recommendation(self) -> str:
        return RECOMMENDATIONS[self.conclusion]

    def to_json_dict(self) -> dict[str, Any]:
        """The CLI's JSON object: exactly total_lr, log10_lr, loci, inconsistent_loci, conclusion.

        ``log10_lr`` is ``null`` when the LR is 0 (JSON has no -Infinity).
        """
        return {
            "total_lr": self.total_lr,
            "log10_lr": None if math.isinf(self.log10_lr) else self.log10_lr,
            "loci": [{"locus": r.locus, "lr": r.lr} for r in self.loci],
            "inconsistent_loci": list(self.inconsistent_loci),
            "conclusion": self.conclusion,
        }


def combine(lrs: Sequence[float]) -> tuple[float, float]:
    """Combined LR (product, in locus order) and its log10 (exactly summed per-locus log10s)."""
    total = math.prod(lrs)
    if any(lr == 0.0 for lr in lrs):
        return total, -math.inf
    return total, math.fsum(math.log10(lr) for lr in lrs)


def _indices(ctx: formulas.LocusContext, genotype: tuple[str, str]) -> formulas.Pair:
    index = ctx.data.index
    return np.asarray(index[genotype[0]]), np.asarray(index[genotype[1]])


def locus_lr(
    model: KinshipModel,
    relationship: str,
    locus: str,
    genotypes: Sequence[tuple[str, str]],
    *,
    kappa: tuple[float, float, float] | None = None,
    parent_sex: str = "male",
) -> tuple[float, bool]:
    """LR and Mendelian inconsistency of one fully typed locus (alleles must be in the table)."""
    ctx = model.context(locus)
    pairs = [_indices(ctx, g) for g in genotypes]
    lr, inconsistent = typed_values(ctx, relationship, pairs, model.theta, parent_sex=parent_sex, kappa=kappa)
    return float(lr), bool(inconsistent)


def typed_values(
    ctx: formulas.LocusContext,
    relationship: str,
    pairs: Sequence[formulas.Pair],
    theta: float,
    *,
    parent_sex: str = "male",
    kappa: tuple[float, float, float] | None = None,
) -> tuple[np.ndarray, np.ndarray]:
    """LR and Mendelian inconsistency of a locus where every party is typed, vectorised over genotype arrays
    (one comparison here, a whole reference table in the search)."""
    if relationship == "parent-child":
        lr = formulas.duo_lr(ctx, pairs[0], pairs[1], theta, parent_sex)
        bad = formulas.duo_inconsistent(pairs[0], pairs[1])
    elif relationship in ("trio", "couple"):
        formula = formulas.trio_lr if relationship == "trio" else formulas.couple_lr
        lr = formula(ctx, pairs[0], pairs[1], pairs[2], theta)
        bad = formulas.parents_inconsistent(pairs[0], pairs[1], pairs[2])
    else:
        lr = formulas.kinship_lr(ctx, pairs[0], pairs[1], theta, resolve_kappa(relationship, kappa))
        bad = np.zeros(np.shape(lr), dtype=bool)
    return np.asarray(lr, dtype=np.float64), np.asarray(bad, dtype=bool)


def partly_typed_locus_lr(
    model: KinshipModel,
    relationship: str,
    locus: str,
    genotypes: Sequence[tuple[str, str] | None],
) -> tuple[float, bool] | None:
    """LR and inconsistency of a trio/couple locus where some party is untyped (``None``).

    ``None`` when the locus carries no information (LR 1); see `formulas.partly_typed_lr`.
    """
    ctx = model.context(locus)
    pairs = [None if g is None else _indices(ctx, g) for g in genotypes]
    found = formulas.partly_typed_lr(ctx, relationship, pairs, model.theta)
    if found is None:
        return None
    lr, inconsistent = found
    return float(lr), bool(inconsistent)


def resolve_kappa(relationship: str, kappa: tuple[float, float, float] | None) -> tuple[float, float, float]:
    """IBD probabilities of a named relationship, or the validated general κ."""
    if relationship != "kappa":
        return KAPPAS[relationship]
    if kappa is None:
        raise ValueError("relationship 'kappa' needs kappa=(k0, k1, k2)")
    k0, k1, k2 = (float(k) for k in kappa)
    if min(k0, k1, k2) < 0 or not math.isclose(k0 + k1 + k2, 1.0, abs_tol=1e-9):
        raise ValueError("kappa must be three non-negative numbers summing to 1")
    if k0 == 0 and k1 == 0 and k2 < 1:
        raise ValueError("invalid kappa")
    return (k0, k1, k2)


def compute_lr(
    relationship: str,
    persons: Sequence[Profile],
    *,
    frequencies: FrequencyTable | None = None,
    mutation: MutationModel | None = None,
    theta: float = 0.0,
    kappa: tuple[float, float, float] | None = None,
    parent_sex: str = "male",
    thresholds: Thresholds = DEFAULT_THRESHOLDS,
    model: KinshipModel | None = None,
) -> KinshipResult:
    """Likelihood ratio of ``relationship`` against "unrelated" for the given persons.

    Person order: parent-child ``(parent, child)``; trio ``(mother, alleged father, child)``; couple
    ``(mother, father, child)``; the pairwise relationships ``(person1, person2)``.  A trio locus where
    the mother is untyped, and a couple locus where one parent is untyped, are computed from the typed
    parent and the child (see `formulas.partly_typed_lr`).  ``kappa`` is used
    with ``relationship="kappa"``.  ``parent_sex`` is the sex of the duo's tested parent (it selects the
    mutation rates).  Mutation models apply to parent-child transmissions only (duo, trio, couple).
    Supply ``model`` instead of frequencies/mutation/theta to reuse cached matrices.
    """
    if relationship not in RELATIONSHIPS:
        raise ValueError(f"unknown relationship {relationship!r}; choose one of {', '.join(RELATIONSHIPS)}")
    if len(persons) != PARTIES[relationship]:
        raise ValueError(f"{relationship} needs {PARTIES[relationship]} profiles, got {len(persons)}")
    if parent_sex not in ("male", "female"):
        raise ValueError("parent_sex must be 'male' or 'female'")
    if relationship not in PARENTAGE_RELATIONSHIPS:
        resolve_kappa(relationship, kappa)
    if model is None:
        model = KinshipModel(frequencies, mutation, theta)
    model = model.covering(persons)
    all_loci = set().union(*(profile.keys() for profile in persons))
    results: list[LocusLR] = []
    skipped: list[str] = []
    for locus in model.locus_order(all_loci):
        if locus not in model.frequencies:
            skipped.append(locus)
            continue
        genotypes = [profile.get(locus) for profile in persons]
        if any(g is None for g in genotypes):
            partial = None
            if relationship in ("trio", "couple"):
                partial = partly_typed_locus_lr(model, relationship, locus, genotypes)
            if partial is None:
                results.append(LocusLR(locus, 1.0, typed=False))
            else:
                lr, inconsistent = partial
                results.append(LocusLR(locus, lr, typed=False, inconsistent=inconsistent, partial=True))
            continue
        lr, inconsistent = locus_lr(
            model,
            relationship,
            locus,
            genotypes,
            kappa=kappa,
            parent_sex=parent_sex,  # type: ignore[arg-type]
        )
        results.append(LocusLR(locus, lr, typed=True, inconsistent=inconsistent))
    total, log10_total = combine([r.lr for r in results])
    inconsistent_loci = tuple(r.locus for r in results if r.inconsistent)
    conclusion = conclude(
        total,
        len(inconsistent_loci),
        parentage=relationship in PARENTAGE_RELATIONSHIPS,
        thresholds=thresholds,
    )
    return KinshipResult(
        relationship, tuple(results), total, log10_total, inconsistent_loci, conclusion, tuple(skipped)
    )
