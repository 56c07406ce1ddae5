"""The assessment arithmetic, apart from the database: each criterion's raw values across the targets are
normalised to 0–100 (the best target gets 100; a missing value counts 0), then weighted."""

from decimal import ROUND_HALF_UP, Decimal


def normalise(values: dict[int, float | None], higher_is_better: bool = True) -> dict[int, float]:
    present = {k: v for k, v in values.items() if v is not None}
    if not present:
        return dict.fromkeys(values, 0.0)
    if higher_is_better:
        best = max(present.values())
        return {k: (100.0 * v / best if best > 0 and v is not None else 0.0) for k, v in values.items()}
    best = min(present.values())
    return {k: (100.0 * best / v if v and v > 0 else (100.0 if v == 0 else 0.0)) for k, v in values.items()}


def weighted(parts: dict[str, float], weights: dict[str, Decimal]) -> Decimal:
    total_weight = sum(weights.values())
    if not total_weight:
        return Decimal(0)
    total = sum(Decimal(str(parts[code])) * weight for code, weight in weights.items())
    return (total / total_weight).quantize(Decimal("0.1"), rounding=ROUND_HALF_UP)


def rank(scores: dict[int, Decimal], vetoed: set[int]) -> dict[int, int]:
    """Rank by score, highest first; a vetoed target ranks after every other whatever its score."""
    order = sorted(scores, key=lambda k: (k in vetoed, -scores[k], k))
    return {key: position for position, key in enumerate(order, start=1)}
