"""Mutation models for parent → child transmissions (pedmut matrices; forrel or Familias convention).

A model turns a locus's allele universe into a row-stochastic matrix ``M`` where ``M[i, j]`` is the
probability that a parent's allele ``i`` is received by the child as ``j``.  The matrices follow
`pedmut::mutationMatrix` (used by forrel and pedprobr) exactly:

* ``none``: the identity.
* ``equal``: ``M[i, j] = R/(n-1)`` for ``j ≠ i``, ``M[i, i] = 1 - R``.
* ``proportional``: ``M = (1-α) I + α 1 pᵀ`` with ``α = R / Σ p_k (1 - p_k)``, so the overall mutation
  rate is ``R`` and the matrix is stationary for ``p``.
* ``stepwise``: alleles with the same decimal part (integer alleles, ``.1``, ``.2``, ``.3`` …) form a
  group; within the group, weights ``range^|i - j|`` normalised to total ``R``; to each allele of another
  group ``R2 / (number of alleles in other groups)``; the diagonal is ``1 - R - R2`` (``1 - R`` when every
  allele is in the group, ``1 - R2`` when the allele is alone in its group).

Rates can differ by sex (paternal and maternal meioses) and by locus.

Which transmissions mutate is a convention that differs between established programs: forrel/pedprobr
send every parent → child transmission of the pedigree through the mutation matrix, including those
from untyped founders (the unknown other parent of a duo, the random man of the trio's alternative);
Familias applies mutation only to transmissions from typed persons.  `MutationModel.mutate_untyped`
chooses (``True``, the default, is forrel's ``mutate``; ``False`` is Familias's ``plain``).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field

import numpy as np

from .frequencies import LocusFrequencies

MODELS = ("none", "equal", "proportional", "stepwise")
DEFAULT_RATE = 0.002
"""Default mutation rate per meiosis when a model is chosen without a rate (typical autosomal STR)."""
DEFAULT_RANGE = 0.5
DEFAULT_MICROVARIANT_RATE = 0.0
"""Stepwise rate of steps between allele groups (integer ↔ microvariant); 0 as in forrel and Familias."""
UNTYPED_TRANSMISSIONS = ("mutate", "plain")


@dataclass(frozen=True)
class MutationModel:
    """Mutation model with per-sex rates and optional per-locus overrides.

    ``locus_rates`` maps a canonical locus name to ``(male_rate, female_rate)``.
    ``mutate_untyped`` says whether transmissions from parents untyped at the locus (the unknown other
    parent of a duo, the random man of the trio's alternative, an untyped mother of a trio) also pass
    through the mutation matrix: ``True`` is forrel/pedprobr's convention (every parent → child
    transmission of the pedigree mutates; CLI ``--untyped-transmission mutate``), ``False`` is
    Familias's (only typed parents' transmissions mutate; ``plain``).
    """

    kind: str = "none"
    male_rate: float = 0.0
    female_rate: float = 0.0
    range: float = DEFAULT_RANGE
    microvariant_rate: float = 0.0
    locus_rates: Mapping[str, tuple[float, float]] = field(default_factory=dict)
    mutate_untyped: bool = True

    def __post_init__(self) -> None:
        if self.kind not in MODELS:
            raise ValueError(f"unknown mutation model {self.kind!r}; choose one of {', '.join(MODELS)}")
        rates = [self.male_rate, self.female_rate, self.microvariant_rate]
        rates += [r for pair in self.locus_rates.values() for r in pair]
        if any(not 0.0 <= r <= 1.0 for r in rates):
            raise ValueError("mutation rates must be between 0 and 1")
        if self.kind == "stepwise" and self.range <= 0:
            raise ValueError("stepwise range must be positive")

    @classmethod
    def uniform(
        cls,
        kind: str,
        rate: float | None = None,
        *,
        range: float = DEFAULT_RANGE,  # noqa: A002 - the conventional name of the parameter
        microvariant_rate: float | None = None,
        mutate_untyped: bool = True,
    ) -> MutationModel:
        """Same rate for both sexes and all loci (what the CLI offers)."""
        if kind == "none":
            return cls()
        rate = DEFAULT_RATE if rate is None else rate
        if microvariant_rate is None:
            microvariant_rate = DEFAULT_MICROVARIANT_RATE if kind == "stepwise" else 0.0
        return cls(kind, rate, rate, range, microvariant_rate, mutate_untyped=mutate_untyped)

    @property
    def is_trivial(self) -> bool:
        """True when no transmission can mutate: model ``none``, or every rate is 0 (identity matrices)."""
        if self.kind == "none":
            return True
        rates = [self.male_rate, self.female_rate, self.microvariant_rate]
        rates += [r for pair in self.locus_rates.values() for r in pair]
        return all(r == 0.0 for r in rates)

    def rate(self, locus: str, sex: str) -> float:
        male, female = self.locus_rates.get(locus, (self.male_rate, self.female_rate))
        return male if sex == "male" else female

    def matrix(self, data: LocusFrequencies, sex: str) -> np.ndarray:
        """Mutation matrix of a locus for a transmission from a parent of the given sex."""
        return mutation_matrix(
            self.kind,
            data,
            self.rate(data.locus, sex),
            range_=self.range,
            microvariant_rate=self.microvariant_rate,
        )


NO_MUTATION = MutationModel()


def mutation_matrix(
    kind: str,
    data: LocusFrequencies,
    rate: float,
    *,
    range_: float = DEFAULT_RANGE,
    microvariant_rate: float = 0.0,
) -> np.ndarray:
    """Build the mutation matrix of one locus (see the module docstring for the formulas)."""
    n = data.size
    if kind == "none" or n == 1:
        return np.eye(n)
    if kind == "equal":
        matrix = np.full((n, n), rate / (n - 1))
        np.fill_diagonal(matrix, 1.0 - rate)
        return matrix
    if kind == "proportional":
        p = data.frequencies
        alpha = rate / float(np.sum(p * (1.0 - p)))
        matrix = (1.0 - alpha) * np.eye(n) + alpha * np.broadcast_to(p, (n, n))
        if np.any(matrix > 1.0) or np.any(matrix < 0.0):
            raise ValueError(f"impossible proportional mutation matrix at {data.locus}; reduce the rate")
        return matrix
    if kind == "stepwise":
        return _stepwise(data.values, rate, microvariant_rate, range_)
    raise ValueError(f"unknown mutation model {kind!r}")


def _stepwise(values: np.ndarray, rate: float, rate2: float, range_: float) -> np.ndarray:
    if rate + rate2 > 1.0:
        raise ValueError("rate + microvariant rate must not exceed 1")
    n = len(values)
    group = np.rint((values - np.floor(values)) * 10).astype(int)
    matrix = np.zeros((n, n))
    for i in range(n):
        same = group == group[i]
        n_same = int(same.sum())
        others = n - n_same
        if others:
            matrix[i, ~same] = rate2 / others
        steps = same.copy()
        steps[i] = False
        if steps.any():
            weights = range_ ** np.rint(np.abs(values[steps] - values[i]))
            matrix[i, steps] = weights / weights.sum() * rate
        if n_same == n:
            matrix[i, i] = 1.0 - rate
        elif n_same == 1:
            matrix[i, i] = 1.0 - rate2
        else:
            matrix[i, i] = 1.0 - rate - rate2
    return matrix
