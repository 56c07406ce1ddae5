"""Verbal conclusions from a combined likelihood ratio, following Chinese parentage-testing practice.

For parentage hypotheses (duo, trio, couple): a combined index ≥ 10,000 supports parentage; 3 or more
Mendelian-inconsistent loci together with an index below 0.0001 support exclusion; anything else is
inconclusive, and more loci or another relative should be typed.  For the other relationships, which
have no Mendelian exclusions, the same two index thresholds give "relationship-supported",
"relationship-not-supported" or "inconclusive".  The words are stable machine values; user-facing text
belongs to the application's translations.
"""

from __future__ import annotations

from dataclasses import dataclass

PARENTAGE_SUPPORTED = "parentage-supported"
EXCLUDED = "excluded"
INCONCLUSIVE = "inconclusive"
RELATIONSHIP_SUPPORTED = "relationship-supported"
RELATIONSHIP_NOT_SUPPORTED = "relationship-not-supported"

CONCLUSIONS = (
    PARENTAGE_SUPPORTED,
    EXCLUDED,
    INCONCLUSIVE,
    RELATIONSHIP_SUPPORTED,
    RELATIONSHIP_NOT_SUPPORTED,
)

RECOMMENDATIONS = {
    PARENTAGE_SUPPORTED: "",
    EXCLUDED: "",
    RELATIONSHIP_SUPPORTED: "",
    RELATIONSHIP_NOT_SUPPORTED: "",
    INCONCLUSIVE: "type more loci (a larger kit) or another relative, then compare again",
}


@dataclass(frozen=True)
class Thresholds:
    """Configurable decision thresholds (defaults per Chinese parentage-testing practice)."""

    support: float = 10_000.0
    exclusion: float = 1e-4
    min_inconsistent: int = 3

    def __post_init__(self) -> None:
        if not 0.0 <= self.exclusion < 1.0 < self.support:
            raise ValueError("thresholds must satisfy 0 <= exclusion < 1 < support")
        if self.min_inconsistent < 1:
            raise ValueError("min_inconsistent must be at least 1")


DEFAULT_THRESHOLDS = Thresholds()


def conclude(
    total_lr: float,
    inconsistent_count: int,
    *,
    parentage: bool,
    thresholds: Thresholds = DEFAULT_THRESHOLDS,
) -> str:
    """Machine word for the conclusion of one comparison."""
    if parentage:
        if total_lr >= thresholds.support:
            return PARENTAGE_SUPPORTED
        if inconsistent_count >= thresholds.min_inconsistent and total_lr < thresholds.exclusion:
            return EXCLUDED
        return INCONCLUSIVE
    if total_lr >= thresholds.support:
        return RELATIONSHIP_SUPPORTED
    if total_lr < thresholds.exclusion:
        return RELATIONSHIP_NOT_SUPPORTED
    return INCONCLUSIVE
