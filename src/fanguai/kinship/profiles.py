"""Reading STR profiles from the long CSV format and from GeneMapper ID-X genotype tables.

Both readers validate the whole file and raise one `ProfileFormatError` listing every problem with its
row number (1-based line of the file, the header being row 1), the field and a reason, so that a user
can fix all of them at once.  Every problem (`ProfileError`) and warning (`ProfileWarning`) carries a
stable ``code`` and its ``params`` besides the English ``message``, so that an application can show it
in its own language (the DNA app renders them in Chinese); `MESSAGES` lists the codes.

Long CSV: ``sample,locus,allele1,allele2``.  A homozygote is written as two equal alleles; both alleles
empty means "not typed"; exactly one allele is an error (ambiguous).  A value in a column the header does
not name (a row longer than the header) is an error, never silently cut.
GeneMapper ID-X: ``Sample Name,Marker,Allele 1,Allele 2,…`` (tab- or comma-separated, other columns
ignored).  GeneMapper writes a homozygote as one allele, so a single allele is read as a homozygote.
Tables that R wrote from a GeneMapper export are accepted too: header names are compared without case,
spaces, underscores and dots (``Sample.Name``, ``Allele.1``), and ``NA`` in an allele cell is empty.

Sex and Y markers (Amelogenin, Y-indel, DYS…) are skipped silently.  An off-ladder call (``OL``) leaves
that locus untyped for that sample and is reported as a warning (``ProfileSet.warnings``), not an
error.  A locus that is neither known nor skipped, a malformed allele, a third allele, one sample listed
twice for a locus with different genotypes, and a file that is not UTF-8 text are errors.
"""

from __future__ import annotations

import csv
import io
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from .loci import allele_value, canonical_allele, canonical_locus, is_skipped_marker

Genotype = tuple[str, str]
"""An unordered genotype stored as two canonical allele labels, smaller repeat number first."""

Profile = dict[str, Genotype]
"""Typed loci of one person: canonical locus name → genotype.  Untyped loci are absent."""


MESSAGES: dict[str, str] = {
    "empty_file": "empty file",
    "missing_columns": "missing column(s): {columns}",
    "empty_sample": "empty sample name",
    "empty_locus": "empty locus name",
    "unknown_locus": "unknown locus {locus!r}",
    "malformed_allele": "malformed allele {allele!r}",
    "third_allele": "third allele (mixture or artefact?)",
    "single_allele": "only one allele; write a homozygote as two equal alleles",
    "conflicting_genotypes": "sample {sample!r} listed twice for {locus} with different genotypes "
    "({previous} at row {first_row}, now {genotype})",
    "unnamed_column": "value {value!r} in column {column}, which the header does not name",
    "not_utf8": "the file is not UTF-8 text (first undecodable byte on this row); save it as UTF-8",
    "off_ladder": "off-ladder call {allele!r} for sample {sample!r} at {locus}: locus left untyped",
}
"""English text of every error and warning code; ``params`` fill the placeholders."""


@dataclass(frozen=True)
class ProfileError:
    """One problem found in a profile file: row, field, English message, and its code with params."""

    row: int
    field: str
    message: str
    code: str = ""
    params: Mapping[str, Any] = field(default_factory=dict, compare=False, hash=False)

    def __str__(self) -> str:
        return f"row {self.row}, {self.field}: {self.message}"


@dataclass(frozen=True)
class ProfileWarning(ProfileError):
    """Something the analyst should see that did not stop the file from loading (e.g. an ``OL`` call)."""


def _problem(kind: type[ProfileError], row: int, field_name: str, code: str, **params: Any) -> ProfileError:
    return kind(row, field_name, MESSAGES[code].format(**params), code, params)


def _error(row: int, field_name: str, code: str, **params: Any) -> ProfileError:
    return _problem(ProfileError, row, field_name, code, **params)


class ProfileSet(dict[str, "Profile"]):
    """Profiles by sample id (a plain ``dict``), plus the ``warnings`` found while reading them."""

    def __init__(self, *args: Any, warnings: Iterable[ProfileWarning] = (), **kwargs: Any):
        super().__init__(*args, **kwargs)
        self.warnings: list[ProfileWarning] = list(warnings)


class ProfileFormatError(ValueError):
    """The profile file has problems; ``errors`` lists all of them (row, field, message)."""

    def __init__(self, errors: list[ProfileError]):
        self.errors = errors
        shown = "; ".join(str(e) for e in errors[:20])
        more = f" (and {len(errors) - 20} more)" if len(errors) > 20 else ""
        super().__init__(f"{len(errors)} problem(s) in profile file: {shown}{more}")


OFF_LADDER = frozenset({"OL"})
"""Allele calls GeneMapper writes for a peak outside the allelic ladder."""
MISSING_VALUES = frozenset({"NA"})
"""Cell values that mean "empty" (R writes NA for an empty cell)."""


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


Record = tuple[int, str, str, list[tuple[str, str]]]
"""(row, sample, marker, [(field, allele text)…]) of one data row."""


def _collect(
    rows: Iterable[Record | ProfileError],
    *,
    single_allele_is_homozygote: bool,
    known_loci: frozenset[str] | None,
) -> ProfileSet:
    """Validate records into profiles; row-level problems may arrive as `ProfileError` items."""
    errors: list[ProfileError] = []
    warnings: list[ProfileWarning] = []
    profiles: dict[str, Profile] = {}
    first_row: dict[tuple[str, str], int] = {}
    for record in rows:
        if isinstance(record, ProfileError):
            errors.append(record)
            continue
        row_number, sample, marker, allele_cells = record
        if not sample:
            errors.append(_error(row_number, "sample", "empty_sample"))
            continue
        if not marker:
            errors.append(_error(row_number, "locus", "empty_locus"))
            continue
        if is_skipped_marker(marker):
            continue
        locus = _known_locus(marker, known_loci)
        if locus is None:
            errors.append(_error(row_number, "locus", "unknown_locus", locus=marker))
            continue
        alleles: list[str] = []
        bad = False
        off_ladder = ""
        for field_name, text in allele_cells:
            if not text or text in MISSING_VALUES:
                continue
            if text.upper() in OFF_LADDER:
                off_ladder = off_ladder or field_name
                continue
            allele = canonical_allele(text)
            if allele is None:
                errors.append(_error(row_number, field_name, "malformed_allele", allele=text))
                bad = True
                continue
            alleles.append(allele)
        if bad:
            continue
        if off_ladder:
            profiles.setdefault(sample, {})
            warning = _problem(
                ProfileWarning, row_number, off_ladder, "off_ladder", allele="OL", sample=sample, locus=locus
            )
            warnings.append(warning)  # type: ignore[arg-type]
            continue
        if len(alleles) > 2:
            errors.append(_error(row_number, allele_cells[2][0], "third_allele"))
            continue
        if not alleles:
            profiles.setdefault(sample, {})
            continue
        if len(alleles) == 1:
            if not single_allele_is_homozygote:
                errors.append(_error(row_number, "allele2", "single_allele"))
                continue
            alleles.append(alleles[0])
        genotype = make_genotype(alleles[0], alleles[1])
        profile = profiles.setdefault(sample, {})
        previous = profile.get(locus)
        if previous is not None and previous != genotype:
            errors.append(
                _error(
                    row_number,
                    "locus",
                    "conflicting_genotypes",
                    sample=sample,
                    locus=locus,
                    previous="/".join(previous),
                    first_row=first_row[(sample, locus)],
                    genotype="/".join(genotype),
                )
            )
            continue
        if previous is None:
            profile[locus] = genotype
            first_row[(sample, locus)] = row_number
    if errors:
        raise ProfileFormatError(errors)
    return ProfileSet(profiles, warnings=warnings)


def _rows(text: str) -> list[list[str]]:
    sample = text[:4096]
    delimiter = "\t" if sample.count("\t") > sample.count(",") else ","
    return list(csv.reader(io.StringIO(text), delimiter=delimiter))


def _normalise_header(cell: str) -> str:
    """Header name without case, spaces, underscores and dots (``Sample.Name`` as R writes it)."""
    return "".join(cell.strip().lower().split()).replace("_", "").replace(".", "")


def _allele_columns(header: list[str]) -> list[tuple[int, str]]:
    columns = [(i, h) for i, h in enumerate(header) if h.startswith("allele") and h[6:].isdigit()]
    return sorted(columns, key=lambda item: int(item[1][6:]))


def _missing_columns(header: list[str], wanted: tuple[str, ...]) -> None:
    missing = [name for name in wanted if name not in header]
    if missing:
        raise ProfileFormatError([_error(1, "header", "missing_columns", columns=", ".join(missing))])


def parse_long_csv(text: str, *, known_loci: Iterable[str] | None = None) -> ProfileSet:
    """Parse the long format ``sample,locus,allele1,allele2`` (extra ``alleleN`` columns allowed)."""
    rows = _rows(text)
    if not rows:
        raise ProfileFormatError([_error(1, "header", "empty_file")])
    header = [_normalise_header(h) for h in rows[0]]
    _missing_columns(header, ("sample", "locus", "allele1", "allele2"))
    return _collect(
        _records(
            rows, header.index("sample"), header.index("locus"), _allele_columns(header), strict_width=True
        ),
        single_allele_is_homozygote=False,
        known_loci=frozenset(known_loci) if known_loci is not None else None,
    )


def parse_genemapper(text: str, *, known_loci: Iterable[str] | None = None) -> ProfileSet:
    """Parse a GeneMapper ID-X genotype table (``Sample Name``, ``Marker``, ``Allele 1``…)."""
    rows = _rows(text)
    if not rows:
        raise ProfileFormatError([_error(1, "header", "empty_file")])
    header = [_normalise_header(h) for h in rows[0]]
    _missing_columns(header, ("samplename", "marker", "allele1"))
    return _collect(
        _records(rows, header.index("samplename"), header.index("marker"), _allele_columns(header)),
        single_allele_is_homozygote=True,
        known_loci=frozenset(known_loci) if known_loci is not None else None,
    )


def _records(
    rows: list[list[str]],
    sample_col: int,
    locus_col: int,
    allele_cols: list[tuple[int, str]],
    *,
    strict_width: bool = False,
) -> Iterable[Record | ProfileError]:
    width = len(rows[0])
    for row_number, row in enumerate(rows[1:], start=2):
        if not row or all(not cell.strip() for cell in row):
            continue
        if strict_width and len(row) > width:
            extra = [(i, cell.strip()) for i, cell in enumerate(row) if i >= width and cell.strip()]
            if extra:
                column, value = extra[0]
                yield _error(
                    row_number, f"column {column + 1}", "unnamed_column", value=value, column=column + 1
                )
                continue

        def cell(index: int, row: list[str] = row) -> str:
            return row[index].strip() if index < len(row) else ""

        yield row_number, cell(sample_col), cell(locus_col), [(name, cell(i)) for i, name in allele_cols]


def parse_profiles(text: str, *, known_loci: Iterable[str] | None = None) -> ProfileSet:
    """Parse either format, recognised by its header (``Sample Name``/``Marker`` → GeneMapper).

    Returns a `ProfileSet`: a ``dict`` of profiles by sample id whose ``warnings`` list the off-ladder
    calls that left a locus untyped.
    """
    first_line = text.lstrip("\ufeff").splitlines()[0] if text.strip() else ""
    header = {_normalise_header(h.strip('"')) for h in first_line.replace("\t", ",").split(",")}
    text = text.lstrip("\ufeff")
    if "samplename" in header and "marker" in header:
        return parse_genemapper(text, known_loci=known_loci)
    return parse_long_csv(text, known_loci=known_loci)


def decode_profile_bytes(data: bytes) -> str:
    """Decode a profile file as UTF-8 (a BOM is dropped); an undecodable byte is an error naming its row."""
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError as error:
        row = data[: error.start].count(b"\n") + 1
        raise ProfileFormatError([_error(row, "file", "not_utf8")]) from None


def read_profiles(path: str | Path, *, known_loci: Iterable[str] | None = None) -> ProfileSet:
    """Read a profile file in either supported format (see `parse_profiles`)."""
    return parse_profiles(decode_profile_bytes(Path(path).read_bytes()), known_loci=known_loci)


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
            errors.append(_error(0, "locus", "unknown_locus", locus=name))
            continue
        if pair is None:
            continue
        first, second = canonical_allele(str(pair[0])), canonical_allele(str(pair[1]))
        if first is None or second is None:
            errors.append(_error(0, locus, "malformed_allele", allele=f"{pair[0]}/{pair[1]}"))
            continue
        profile[locus] = make_genotype(first, second)
    if errors:
        raise ProfileFormatError(errors)
    return profile
