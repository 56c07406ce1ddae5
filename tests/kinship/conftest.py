"""Shared fixtures of the kinship engine tests (plain pytest; no Django)."""

from __future__ import annotations

import pytest

from fanguai.kinship.frequencies import FrequencyTable, parse_frequencies

# A four-allele locus with round frequencies, so hand-worked expectations stay readable:
# allele 10 → p_a = 0.1, 11 → p_b = 0.2, 12 → p_c = 0.3, 13 → p_d = 0.4.
SMALL_TABLE = """Locus,Allele,Frequency
D3S1358,10,0.1
D3S1358,11,0.2
D3S1358,12,0.3
D3S1358,13,0.4
vWA,14,0.25
vWA,15,0.25
vWA,16,0.25
vWA,17,0.25
"""


@pytest.fixture
def small_table() -> FrequencyTable:
    """Two loci with exact frequencies and a tiny floor, so the floor never changes them."""
    return parse_frequencies(SMALL_TABLE, minimum_frequency=1e-6)
