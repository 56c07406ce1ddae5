"""Autosomal STR loci of the commercial kits used in Chinese parentage and missing-person work.

Only autosomal STR loci are listed: Amelogenin, Y-indel and DYS markers of the kits are skipped by the
profile readers (see `loci.is_skipped_marker`).  The lists follow the manufacturers' kit descriptions;
check them against the manual of the kit lot you actually use.
"""

from __future__ import annotations

CODIS_20: tuple[str, ...] = (
    "CSF1PO",
    "FGA",
    "TH01",
    "TPOX",
    "vWA",
    "D3S1358",
    "D5S818",
    "D7S820",
    "D8S1179",
    "D13S317",
    "D16S539",
    "D18S51",
    "D21S11",
    "D1S1656",
    "D2S441",
    "D2S1338",
    "D10S1248",
    "D12S391",
    "D19S433",
    "D22S1045",
)

IDENTIFILER_PLUS: tuple[str, ...] = (
    "D8S1179",
    "D21S11",
    "D7S820",
    "CSF1PO",
    "D3S1358",
    "TH01",
    "D13S317",
    "D16S539",
    "D2S1338",
    "D19S433",
    "vWA",
    "TPOX",
    "D18S51",
    "D5S818",
    "FGA",
)

GOLDENEYE_20A: tuple[str, ...] = (
    "D19S433",
    "D5S818",
    "D21S11",
    "D18S51",
    "D6S1043",
    "D3S1358",
    "D13S317",
    "D7S820",
    "D16S539",
    "CSF1PO",
    "PentaD",
    "vWA",
    "D8S1179",
    "TPOX",
    "PentaE",
    "TH01",
    "D12S391",
    "D2S1338",
    "FGA",
)

AGCU_EX22: tuple[str, ...] = (
    "D3S1358",
    "D13S317",
    "D7S820",
    "D5S818",
    "CSF1PO",
    "D2S1338",
    "D21S11",
    "D16S539",
    "D18S51",
    "D8S1179",
    "FGA",
    "D6S1043",
    "TH01",
    "TPOX",
    "D19S433",
    "vWA",
    "D12S391",
    "PentaE",
    "PentaD",
    "D1S1656",
    "D2S441",
)

POWERPLEX_21: tuple[str, ...] = (
    "D3S1358",
    "D1S1656",
    "D6S1043",
    "D13S317",
    "PentaE",
    "D16S539",
    "D18S51",
    "D2S1338",
    "CSF1PO",
    "PentaD",
    "TH01",
    "vWA",
    "D21S11",
    "D7S820",
    "D5S818",
    "TPOX",
    "D8S1179",
    "D12S391",
    "D19S433",
    "FGA",
)

GLOBALFILER: tuple[str, ...] = (
    "D3S1358",
    "vWA",
    "D16S539",
    "CSF1PO",
    "TPOX",
    "D8S1179",
    "D21S11",
    "D18S51",
    "D2S441",
    "D19S433",
    "TH01",
    "FGA",
    "D22S1045",
    "D5S818",
    "D13S317",
    "D7S820",
    "SE33",
    "D10S1248",
    "D1S1656",
    "D12S391",
    "D2S1338",
)

KITS: dict[str, tuple[str, ...]] = {
    "codis-20": CODIS_20,
    "identifiler-plus": IDENTIFILER_PLUS,
    "goldeneye-20a": GOLDENEYE_20A,
    "agcu-ex22": AGCU_EX22,
    "powerplex-21": POWERPLEX_21,
    "globalfiler": GLOBALFILER,
}


def kit_loci(name: str) -> tuple[str, ...]:
    """Autosomal loci of a kit, by its machine name (``"globalfiler"``, ``"goldeneye-20a"``, …)."""
    key = name.strip().lower().replace(" ", "-").replace("_", "-")
    try:
        return KITS[key]
    except KeyError:
        raise KeyError(f"unknown kit {name!r}; known kits: {', '.join(sorted(KITS))}") from None
