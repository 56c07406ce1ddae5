"""Allele frequency tables: loading, the minimum-frequency rule, and extension by unseen alleles.

A `FrequencyTable` fixes, per locus, an ordered allele list (the *allele universe*) and the frequency of
each allele.  Everything downstream (mutation matrices, genotype codes of the search index) is defined
on that universe, so the table is immutable: adding an allele returns a new table whose existing alleles
keep their positions and new alleles are appended (this keeps genotype codes of an index valid).

Minimum frequency: every allele that the table does not list gets the minimum frequency.  Alleles the
table lists keep their listed frequency, also when it is smaller than the minimum, unless the caller
asks for the floor on listed alleles too (``floor_listed=True``, CLI ``--floor-listed``).  The default
minimum is 5/(2N) (NRC II recommendation 4.3 style), with N the number of individuals behind the table;
N defaults to `DEFAULT_SAMPLE_SIZE` because the source of the shipped table does not state it.  A fixed
floor can be given instead.

Sums: a table as published sums to 1 only up to rounding (the shipped one: 0.9998–1.0006 per locus),
and each unseen allele adds the minimum on top.  ``renormalise=True`` divides every locus by its sum
in the table itself (all computations then use the normalised values).  Without it the table keeps the
published values, and the likelihood engine normalises a locus itself wherever a mutation matrix is
built from it (see `LocusFrequencies.distribution` and `formulas.LocusContext`), so that mutation
matrices and the untyped transmissions are built on a proper distribution.
"""

from __future__ import annotations

import csv
import io
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from functools import cache
from importlib import resources
from pathlib import Path

import numpy as np

from .loci import allele_value, canonical_allele, canonical_locus, register_locus

DEFAULT_SAMPLE_SIZE = 5000
"""Assumed number of individuals behind the shipped table (its source does not say; its smallest
listed frequency, 0.0001, corresponds to one allele in 10,000, i.e. 5,000 people)."""

DEFAULT_TABLE = "str-allele-frequencies-chinese.csv"


class FrequencyFormatError(ValueError):
    """A frequency table could not be read; ``errors`` lists (row, field, message)."""

    def __init__(self, errors: list[tuple[int, str, str]]):
        self.errors = errors
        lines = "; ".join(f"row {row}, {name}: {message}" for row, name, message in errors[:20])
        super().__init__(f"invalid frequency table: {lines}")


@dataclass(frozen=True)
class LocusFrequencies:
    """Allele universe of one locus and the frequency of each allele (same order)."""

    locus: str
    alleles: tuple[str, ...]
    frequencies: np.ndarray
    index: Mapping[str, int] = field(repr=False, compare=False)

    @property
    def size(self) -> int:
        return len(self.alleles)

    @property
    def total(self) -> float:
        """Sum of the frequencies (1 only up to rounding, or more after unseen alleles were added)."""
        return float(np.sum(self.frequencies))

    def distribution(self) -> LocusFrequencies:
        """This locus with its frequencies divided by their sum (itself when the sum is exactly 1)."""
        total = self.total
        if total == 1.0:
            return self
        return _make_locus(self.locus, list(self.alleles), list(self.frequencies / total))

    @property
    def values(self) -> np.ndarray:
        """Numeric repeat numbers of the alleles (for stepwise mutation)."""
        return np.array([allele_value(a) for a in self.alleles], dtype=np.float64)


def _make_locus(locus: str, alleles: list[str], freqs: list[float]) -> LocusFrequencies:
    array = np.array(freqs, dtype=np.float64)
    array.setflags(write=False)
    return LocusFrequencies(locus, tuple(alleles), array, {a: i for i, a in enumerate(alleles)})


@dataclass(frozen=True, eq=False)
class FrequencyTable:
    """Immutable per-locus allele frequencies with a minimum frequency for unseen alleles."""

    loci: Mapping[str, LocusFrequencies]
    minimum_frequency: float
    renormalise: bool = False
    floor_listed: bool = False

    def __contains__(self, locus: str) -> bool:
        return locus in self.loci

    def locus(self, name: str) -> LocusFrequencies:
        return self.loci[name]

    def frequency(self, locus: str, allele: str) -> float:
        """Frequency of an allele; an allele the table lacks has the minimum frequency."""
        data = self.loci[locus]
        position = data.index.get(allele)
        return self.minimum_frequency if position is None else float(data.frequencies[position])

    def missing_alleles(self, alleles_by_locus: Mapping[str, Iterable[str]]) -> dict[str, list[str]]:
        """Alleles (per locus present in the table) that the table does not list yet."""
        missing: dict[str, list[str]] = {}
        for locus, alleles in alleles_by_locus.items():
            data = self.loci.get(locus)
            if data is None:
                continue
            new = sorted({a for a in alleles if a not in data.index}, key=allele_value)
            if new:
                missing[locus] = new
        return missing

    def extended(self, alleles_by_locus: Mapping[str, Iterable[str]]) -> FrequencyTable:
        """A table that also lists the given alleles (appended, at the minimum frequency).

        Returns ``self`` when nothing is new, so callers can compare identity cheaply.  With
        renormalisation on, the extended locus is renormalised again.
        """
        missing = self.missing_alleles(alleles_by_locus)
        if not missing:
            return self
        loci = dict(self.loci)
        for locus, new in missing.items():
            old = self.loci[locus]
            alleles = list(old.alleles) + new
            freqs = list(old.frequencies) + [self.minimum_frequency] * len(new)
            if self.renormalise:
                total = sum(freqs)
                freqs = [f / total for f in freqs]
            loci[locus] = _make_locus(locus, alleles, freqs)
        return FrequencyTable(loci, self.minimum_frequency, self.renormalise, self.floor_listed)


def minimum_frequency_for(sample_size: int) -> float:
    """The 5/(2N) minimum allele frequency for a database of N individuals."""
    if sample_size <= 0:
        raise ValueError("sample size must be positive")
    return 5.0 / (2.0 * sample_size)


def parse_frequencies(
    text: str,
    *,
    sample_size: int = DEFAULT_SAMPLE_SIZE,
    minimum_frequency: float | None = None,
    renormalise: bool = False,
    floor_listed: bool = False,
) -> FrequencyTable:
    """Parse a ``Locus,Allele,Frequency`` CSV text into a `FrequencyTable`.

    ``minimum_frequency`` (a fixed floor) overrides the 5/(2N) rule computed from ``sample_size``.  The
    minimum applies to alleles the table does not list; with ``floor_listed`` also to listed alleles
    rarer than it.
    Unknown locus names are accepted (a custom table may carry loci the engine has no alias for) and
    registered under their own spelling.
    """
    floor = minimum_frequency if minimum_frequency is not None else minimum_frequency_for(sample_size)
    if not 0.0 < floor < 1.0:
        raise ValueError("minimum frequency must be between 0 and 1")
    reader = csv.reader(io.StringIO(text))
    errors: list[tuple[int, str, str]] = []
    header = next(reader, None)
    wanted = ["locus", "allele", "frequency"]
    if header is None or [h.strip().lower() for h in header[:3]] != wanted:
        raise FrequencyFormatError([(1, "header", "expected columns Locus,Allele,Frequency")])
    table: dict[str, dict[str, float]] = {}
    for row_number, row in enumerate(reader, start=2):
        if not row or all(not cell.strip() for cell in row):
            continue
        if len(row) < 3:
            errors.append((row_number, "row", "expected three columns"))
            continue
        locus_text, allele_text, freq_text = (cell.strip() for cell in row[:3])
        locus = canonical_locus(locus_text)
        if locus is None:
            if not locus_text:
                errors.append((row_number, "Locus", "empty locus name"))
                continue
            register_locus(locus_text)
            locus = canonical_locus(locus_text) or locus_text
        allele = canonical_allele(allele_text)
        if allele is None:
            errors.append((row_number, "Allele", f"malformed allele {allele_text!r}"))
            continue
        try:
            freq = float(freq_text)
        except ValueError:
            errors.append((row_number, "Frequency", f"not a number: {freq_text!r}"))
            continue
        if not 0.0 < freq <= 1.0:
            errors.append((row_number, "Frequency", f"must be in (0, 1]: {freq_text!r}"))
            continue
        alleles = table.setdefault(locus, {})
        if allele in alleles:
            errors.append((row_number, "Allele", f"allele {allele} listed twice for {locus}"))
            continue
        alleles[allele] = freq
    if errors:
        raise FrequencyFormatError(errors)
    loci: dict[str, LocusFrequencies] = {}
    for locus, alleles in table.items():
        ordered = sorted(alleles, key=allele_value)
        freqs = [max(alleles[a], floor) if floor_listed else alleles[a] for a in ordered]
        if renormalise:
            total = sum(freqs)
            freqs = [f / total for f in freqs]
        loci[locus] = _make_locus(locus, ordered, freqs)
    return FrequencyTable(loci, floor, renormalise, floor_listed)


def load_frequencies(
    path: str | Path | None = None,
    *,
    sample_size: int = DEFAULT_SAMPLE_SIZE,
    minimum_frequency: float | None = None,
    renormalise: bool = False,
    floor_listed: bool = False,
) -> FrequencyTable:
    """Load a frequency table from a CSV file; without a path, the shipped Chinese table."""
    if path is None:
        text = (
            resources.files(__package__).joinpath("data").joinpath(DEFAULT_TABLE).read_text(encoding="utf-8")
        )
    else:
        text = Path(path).read_text(encoding="utf-8-sig")
    return parse_frequencies(
        text,
        sample_size=sample_size,
        minimum_frequency=minimum_frequency,
        renormalise=renormalise,
        floor_listed=floor_listed,
    )


@cache
def default_frequencies() -> FrequencyTable:
    """The shipped Chinese population table with the default minimum frequency (cached)."""
    return load_frequencies()
