"""Locus names, their aliases, and canonical allele labels.

Laboratories, kits and frequency tables spell the same STR locus differently (``vWA``/``VWA``,
``Penta D``/``PentaD``/``Penta_D``, ``TH01``/``TH1``/``THO1``).  Everything inside the engine uses one
canonical spelling, so that a profile typed with one kit can be compared with a profile typed with
another and with the frequency table.  Sex and Y-chromosome markers (Amelogenin, Y-indel, DYS…) carry
no autosomal kinship information for these hypotheses and are recognised only so that they can be
skipped when reading profiles.
"""

from __future__ import annotations

import re

# Canonical names of the autosomal STR loci the engine knows.  The spelling follows the shipped
# Chinese frequency table (which itself follows STRBase), so table and profiles agree without mapping.
CANONICAL_LOCI: tuple[str, ...] = (
    "CSF1PO",
    "D10S1248",
    "D10S1435",
    "D11S4463",
    "D12ATA63",
    "D12S391",
    "D13S317",
    "D14S1434",
    "D16S539",
    "D17S1301",
    "D18S51",
    "D18S853",
    "D19S433",
    "D1GATA113",
    "D1S1627",
    "D1S1656",
    "D1S1677",
    "D20S482",
    "D21S11",
    "D22S1045",
    "D2S1338",
    "D2S1776",
    "D2S441",
    "D3S1358",
    "D3S4529",
    "D4S2408",
    "D5S2500",
    "D5S818",
    "D6S1017",
    "D6S1043",
    "D6S474",
    "D7S820",
    "D8S1179",
    "D9S1122",
    "FGA",
    "PentaD",
    "PentaE",
    "SE33",
    "TH01",
    "TPOX",
    "vWA",
)

# Extra spellings that do not reduce to the canonical name by the normalisation in `locus_key`.
_EXTRA_ALIASES: dict[str, str] = {
    "TH1": "TH01",
    "THO1": "TH01",  # letter O instead of zero, common in hand-typed sheets
    "HUMTH01": "TH01",
    "CSF": "CSF1PO",
    "HUMCSF1PO": "CSF1PO",
    "FIBRA": "FGA",
    "HUMFIBRA": "FGA",
    "HUMVWA": "vWA",
    "VWA31": "vWA",
    "HUMTPOX": "TPOX",
    "ACTBP2": "SE33",
    "PENTA.D": "PentaD",
    "PENTA.E": "PentaE",
    "PD": "PentaD",
    "PE": "PentaE",
}

# Markers that are recognised and deliberately ignored when reading profiles: they are sex or
# Y-chromosome markers, which autosomal kinship likelihoods do not use.
_SKIPPED_PATTERNS: tuple[re.Pattern[str], ...] = (
    re.compile(r"^AMEL(OGENIN)?(X|Y)?$"),
    re.compile(r"^AM$"),
    re.compile(r"^Y(INDEL|GATAH4|GATA.*)$"),
    re.compile(r"^DYS\w*$"),
    re.compile(r"^DXS\w*$"),
    re.compile(r"^HPRTB$"),
)


def locus_key(name: str) -> str:
    """Reduce a locus spelling to a comparison key: upper case, no spaces, underscores or hyphens."""
    return re.sub(r"[\s_\-]+", "", name.strip()).upper()


_ALIASES: dict[str, str] = {locus_key(name): name for name in CANONICAL_LOCI}
_ALIASES.update({locus_key(alias): name for alias, name in _EXTRA_ALIASES.items()})


def canonical_locus(name: str) -> str | None:
    """Return the canonical spelling of an autosomal STR locus, or ``None`` when it is not known."""
    return _ALIASES.get(locus_key(name))


def register_locus(name: str) -> None:
    """Make a locus known under its own spelling (used for loci that only a custom table lists)."""
    _ALIASES.setdefault(locus_key(name), name)


def is_skipped_marker(name: str) -> bool:
    """True for sex and Y markers (Amelogenin, Y-indel, DYS…), which profiles may carry but we ignore."""
    key = locus_key(name).replace(".", "")
    return any(pattern.match(key) for pattern in _SKIPPED_PATTERNS)


_ALLELE_PATTERN = re.compile(r"^(\d{1,3})(?:\.(\d))?$")


def canonical_allele(text: str) -> str | None:
    """Canonical label of an STR allele (``"09"`` → ``"9"``, ``"9.30"`` is rejected), or ``None``.

    Alleles are repeat numbers with at most one decimal digit for microvariants (``9.3``).  A trailing
    ``.0`` is dropped so that ``"12.0"`` and ``"12"`` are the same allele.
    """
    match = _ALLELE_PATTERN.match(text.strip())
    if match is None:
        return None
    whole, tenth = match.groups()
    whole = str(int(whole))
    if tenth is None or tenth == "0":
        return whole
    return f"{whole}.{tenth}"


def allele_value(label: str) -> float:
    """Numeric repeat number of a canonical allele label (used for sorting and stepwise mutation)."""
    return float(label)
