"""Indicators computed from the platform's data, for evaluations, assessment and the dashboards. Each app
registers its own in AppConfig.ready, so the evaluation pages show them as soon as the app lands.

`compute(year, unit=None, county=None)` returns the figure for the whole city (no scope), for one county
(a Region), or for one unit's own records; None where the indicator does not apply to that scope."""

from collections.abc import Callable
from dataclasses import dataclass

Compute = Callable[..., float | None]


@dataclass(frozen=True)
class Indicator:
    code: str
    label: str
    measure: str  # what the number counts, e.g. "people", "%"
    compute: Compute
    higher_is_better: bool = True


_indicators: dict[str, Indicator] = {}


def register_indicator(code: str, *, label, measure, compute: Compute, higher_is_better: bool = True) -> None:
    _indicators[code] = Indicator(code, label, measure, compute, higher_is_better)


def indicators() -> list[Indicator]:
    return sorted(_indicators.values(), key=lambda i: i.code)


def get_indicator(code: str) -> Indicator:
    return _indicators[code]


def compute_all(year: int, *, unit=None, county=None) -> dict[str, float | None]:
    return {i.code: i.compute(year, unit=unit, county=county) for i in indicators()}
