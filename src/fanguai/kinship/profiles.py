"""Reading STR profiles from the long CSV format and from GeneMapper ID-X genotype tables.

Both readers validate the whole file and raise one `ProfileFormatError` listing every problem with its
row number (1-based line of the file, the header being row 1), the field and a reason, so that a user
can fix all of them at once.

Long CSV: ``sample,locus,allele1,allele2``.  A homozygote is written as two equal alleles; both alleles
empty means "not typed"; exactly one allele is an error (ambiguous).
GeneMapper ID-X: ``Sample Name,Marker,Allele 1,Allele 2,…`` (tab- or comma-separated, other columns
ignored).  GeneMapper writes a homozygote as one allele, so a single allele is read as a homozygote.

Sex and Y markers (Amelogenin, Y-indel, DYS…) are skipped silently.  A locus that is neither known nor
skipped, a malformed allele (including ``OL`` off-ladder calls), a third allele, and one sample listed
twice for a locus with different genotypes are errors.
"""

from __future__ import annotations

import csv
import io
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from pathlib import Path

from .loci import allele_value, canonical_allele, canonical_locus, is_skipped_marker

Genotype = tuple[str, str]
"""An unordered genotype stored as two canonical allele labels, smaller repeat number first."""

Profile = dict[str, Genotype]
"""Typed loci of one person: canonical locus name → genotype.  Untyped loci are absent."""


@dataclass(frozen=True)
class ProfileError:
    """One problem found in a profile file."""

    row: int
    field: str
    message: str

    def __str__(self) -> str:
        return f"row {self.row}, {self.field}: {self.message}"


class ProfileFormatError(ValueError):
    """The profile file has problems; ``errors`` lists all of them (row, field, message)."""

    def __init__(self, errors: list[ProfileError]):
        self.errors = errors
        shown = "; ".join(str(e) for e in errors[:20])
        more = f" (and {len(errors) - 20} more)" if len(errors) > 20 else ""
        super().__init__(f"{len(errors)} problem(s) in profile file: {shown}{more}")


def make_genotype(first: str, second: str) -> Genotype:
    """Order two canonical alleles so that allele order in the input never matters."""
    return (first, second) if allele_value(first) <= allele_value(second) else (second, first)


def _known_locus(name: str, known: frozenset[str] | None) -> str | None:
    locus = canonical_locus(name)
    if locus is None and known is not None and name.strip() in known:
        return name.strip()
    if locus is not None and known is not None and locus not in known:
        return None
    return locus


def _collect(
    rows: Iterable[tuple[int, str, str, list[tuple[str, str]]]],
    *,
    single_allele_is_homozygote: bool,
    known_loci: frozenset[str] | None,
) -> dict[str, Profile]:
    """Validate (row, sample, marker, [(field, allele text)…]) records into profiles."""
    errors: list[ProfileError] = []
    profiles: dict[str, Profile] = {}
    first_row: dict[tuple[str, str], int] = {}
    for row_number, sample, marker, allele_cells in rows:
        if not sample:
            errors.append(ProfileError(row_number, "sample", "empty sample name"))
            continue
        if not marker:
            errors.append(ProfileError(row_number, "locus", "empty locus name"))
            continue
        if is_skipped_marker(marker):
            continue
        locus = _known_locus(marker, known_loci)
        if locus is None:
            errors.append(ProfileError(row_number, "locus", f"unknown locus {marker!r}"))
            continue
        alleles: list[str] = []
        bad = False
        for field_name, text in allele_cells:
            if not text:
                continue
            allele = canonical_allele(text)
            if allele is None:
                errors.append(ProfileError(row_number, field_name, f"malformed allele {text!r}"))
                bad = True
                continue
            alleles.append(allele)
        if bad:
            continue
        if len(alleles) > 2:
            errors.append(ProfileError(row_number, allele_cells[2][0], "third allele (mixture or artefact?)"))
            continue
        if not alleles:
            profiles.setdefault(sample, {})
            continue
        if len(alleles) == 1:
            if not single_allele_is_homozygote:
                errors.append(
                    ProfileError(
                        row_number, "allele2", "only one allele; write a homozygote as two equal alleles"
                    )
                )
                continue
            alleles.append(alleles[0])
        genotype = make_genotype(alleles[0], alleles[1])
        profile = profiles.setdefault(sample, {})
        previous = profile.get(locus)
        if previous is not None and previous != genotype:
            errors.append(
                ProfileError(
                    row_number,
                    "locus",
                    f"sample {sample!r} listed twice for {locus} with different genotypes "
                    f"({'/'.join(previous)} at row {first_row[(sample, locus)]}, now {'/'.join(genotype)})",
                )
            )
            continue
        if previous is None:
            profile[locus] = genotype
            first_row[(sample, locus)] = row_number
    if errors:
        raise ProfileFormatError(errors)
    return profiles


def _rows(text: str) -> list[list[str]]:
    sample = text[:4096]
    delimiter = "\t" if sample.count("\t") > sample.count(",") else ","
    return list(csv.reader(io.StringIO(text), delimiter=delimiter))


def _normalise_header(cell: str) -> str:
    return "".join(cell.strip().lower().split()).replace("_", "")


def parse_long_csv(text: str, *, known_loci: Iterable[str] | None = None) -> dict[str, Profile]:
    """Parse the long format ``sample,locus,allele1,allele2`` (extra ``alleleN`` columns allowed)."""
    rows = _rows(text)
    if not rows:
        raise ProfileFormatError([ProfileError(1, "header", "empty file")])
    header = [_normalise_header(h) for h in rows[0]]
    missing = [name for name in ("sample", "locus", "allele1", "allele2") if name not in header]
    if missing:
        raise ProfileFormatError([ProfileError(1, "header", f"missing column(s): {', '.join(missing)}")])
    sample_col, locus_col = header.index("sample"), header.index("locus")
    allele_cols = [(i, h) for i, h in enumerate(header) if h.startswith("allele") and h[6:].isdigit()]
    allele_cols.sort(key=lambda item: int(item[1][6:]))
    return _collect(
        _records(rows, sample_col, locus_col, allele_cols),
        single_allele_is_homozygote=False,
        known_loci=frozenset(known_loci) if known_loci is not None else None,
    )


def parse_genemapper(text: str, *, known_loci: Iterable[str] | None = None) -> dict[str, Profile]:
    """Parse a GeneMapper ID-X genotype table (``Sample Name``, ``Marker``, ``Allele 1``…)."""
    rows = _rows(text)
    if not rows:
        raise ProfileFormatError([ProfileError(1, "header", "empty file")])
    header = [_normalise_header(h) for h in rows[0]]
    missing = [name for name in ("samplename", "marker", "allele1") if name not in header]
    if missing:
        raise ProfileFormatError([ProfileError(1, "header", f"missing column(s): {', '.join(missing)}")])
    sample_col, locus_col = header.index("samplename"), header.index("marker")
    allele_cols = [(i, h) for i, h in enumerate(header) if h.startswith("allele") and h[6:].isdigit()]
    allele_cols.sort(key=lambda item: int(item[1][6:]))
    return _collect(
        _records(rows, sample_col, locus_col, allele_cols),
        single_allele_is_homozygote=True,
        known_loci=frozenset(known_loci) if known_loci is not None else None,
    )


def _records(
    rows: list[list[str]], sample_col: int, locus_col: int, allele_cols: list[tuple[int, str]]
) -> Iterable[tuple[int, str, str, list[tuple[str, str]]]]:
    for row_number, row in enumerate(rows[1:], start=2):
        if not row or all(not cell.strip() for cell in row):
            continue

        def cell(index: int, row: list[str] = row) -> str:
            return row[index].strip() if index < len(row) else ""

        yield row_number, cell(sample_col), cell(locus_col), [(name, cell(i)) for i, name in allele_cols]


def parse_profiles(text: str, *, known_loci: Iterable[str] | None = None) -> dict[str, Profile]:
    """Parse either format, recognised by its header (``Sample Name``/``Marker`` → GeneMapper)."""
    first_line = text.lstrip("\ufeff").splitlines()[0] if text.strip() else ""
    header = {_normalise_header(h) for h in first_line.replace("\t", ",").split(",")}
    text = text.lstrip("\ufeff")
    if "samplename" in header and "marker" in header:
        return parse_genemapper(text, known_loci=known_loci)
    return parse_long_csv(text, known_loci=known_loci)


def read_profiles(path: str | Path, *, known_loci: Iterable[str] | None = None) -> dict[str, Profile]:
    """Read a profile file in either supported format (see `parse_profiles`)."""
    return parse_profiles(Path(path).read_text(encoding="utf-8-sig"), known_loci=known_loci)


def profile_from_mapping(genotypes: Mapping[str, tuple[str, str] | None]) -> Profile:
    """Build a profile from ``{locus: (allele, allele)}`` with alias and allele normalisation.

    Convenience for callers (the Django app, tests) that hold genotypes in memory; invalid input raises
    `ProfileFormatError` with row 0.
    """
    errors: list[ProfileError] = []
    profile: Profile = {}
    for name, pair in genotypes.items():
        if is_skipped_marker(name):
            continue
        locus = canonical_locus(name)
        if locus is None:
            errors.append(ProfileError(0, "locus", f"unknown locus {name!r}"))
            continue
        if pair is None:
            continue
        first, second = canonical_allele(str(pair[0])), canonical_allele(str(pair[1]))
        if first is None or second is None:
            errors.append(ProfileError(0, locus, f"malformed allele in {pair!r}"))
            continue
        profile[locus] = make_genotype(first, second)
    if errors:
        raise ProfileFormatError(errors)
    return profile
