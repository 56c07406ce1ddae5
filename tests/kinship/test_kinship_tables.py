"""Frequency tables, locus aliases, kits and mutation matrices."""

from __future__ import annotations

import numpy as np
import pytest

from fanguai.kinship.frequencies import (
    FrequencyFormatError,
    default_frequencies,
    load_frequencies,
    minimum_frequency_for,
    parse_frequencies,
)
from fanguai.kinship.kits import KITS, kit_loci
from fanguai.kinship.loci import canonical_allele, canonical_locus, is_skipped_marker
from fanguai.kinship.mutation import MutationModel, mutation_matrix


def test_default_table_loads_41_loci_and_covers_every_kit():
    table = default_frequencies()
    assert len(table.loci) == 41
    for name, loci in KITS.items():
        assert all(locus in table for locus in loci), name
    assert len(kit_loci("GlobalFiler")) == 21
    assert len(kit_loci("codis 20")) == 20
    assert "9.3" in table.locus("TH01").alleles


def test_minimum_frequency_rule():
    # Default N = 5000 → 5/(2N) = 0.0005, for alleles the table does not list; listed alleles keep their
    # listed frequency (0.0001 stays 0.0001) unless floor_listed asks for the floor on them too.
    table = default_frequencies()
    assert table.minimum_frequency == pytest.approx(0.0005)
    assert minimum_frequency_for(100) == pytest.approx(0.025)
    assert table.frequency("D2S1776", "10.2") == pytest.approx(0.0001)  # listed as 0.0001
    assert table.frequency("D2S1776", "12") == pytest.approx(0.3749)
    assert table.frequency("D2S1776", "99") == pytest.approx(0.0005)  # unseen
    fixed = load_frequencies(minimum_frequency=0.001)
    assert fixed.frequency("D2S1776", "10.2") == pytest.approx(0.0001)
    assert fixed.frequency("D2S1776", "99") == pytest.approx(0.001)
    floored = load_frequencies(minimum_frequency=0.001, floor_listed=True)
    assert floored.frequency("D2S1776", "10.2") == pytest.approx(0.001)
    # The listed table is a distribution up to its 4-decimal rounding (the floor no longer inflates it).
    for locus in table.loci.values():
        assert abs(locus.total - 1.0) <= 0.001, locus.locus


def test_renormalisation_and_extension():
    text = "Locus,Allele,Frequency\nvWA,14,0.5\nvWA,15,0.5\n"
    plain = parse_frequencies(text, minimum_frequency=0.1)
    extended = plain.extended({"vWA": ["16"]})
    assert extended.locus("vWA").alleles == ("14", "15", "16")
    assert list(extended.locus("vWA").frequencies) == [0.5, 0.5, 0.1]
    assert plain.extended({"vWA": ["14"]}) is plain
    renormalised = parse_frequencies(text, minimum_frequency=0.1, renormalise=True).extended({"vWA": ["16"]})
    assert renormalised.locus("vWA").frequencies.sum() == pytest.approx(1.0)
    assert renormalised.locus("vWA").frequencies[2] == pytest.approx(0.1 / 1.1)


def test_frequency_errors_are_listed_with_rows():
    text = "Locus,Allele,Frequency\nvWA,x,0.5\nvWA,15,abc\nvWA,16,1.5\n"
    with pytest.raises(FrequencyFormatError) as error:
        parse_frequencies(text)
    assert [row for row, _, _ in error.value.errors] == [2, 3, 4]


@pytest.mark.parametrize(
    ("spelling", "canonical"),
    [
        ("VWA", "vWA"),
        ("vWA", "vWA"),
        ("Penta D", "PentaD"),
        ("Penta_D", "PentaD"),
        ("PENTAD", "PentaD"),
        ("penta e", "PentaE"),
        ("TH1", "TH01"),
        ("THO1", "TH01"),
        ("th01", "TH01"),
        ("d2s441", "D2S441"),
        ("D2S 441", "D2S441"),
        ("CSF1PO", "CSF1PO"),
        ("FIBRA", "FGA"),
        ("se33", "SE33"),
    ],
)
def test_locus_aliases(spelling, canonical):
    assert canonical_locus(spelling) == canonical


def test_skipped_and_unknown_markers():
    for marker in ("AMEL", "Amelogenin", "Yindel", "Y indel", "DYS391", "DYS576"):
        assert is_skipped_marker(marker), marker
    assert canonical_locus("D99S999") is None
    assert not is_skipped_marker("vWA")


@pytest.mark.parametrize(
    ("text", "canonical"),
    [
        ("9", "9"),
        ("09", "9"),
        ("9.3", "9.3"),
        ("12.0", "12"),
        (" 30.2 ", "30.2"),
        ("OL", None),
        ("9.33", None),
        ("X", None),
        ("", None),
        ("-1", None),
    ],
)
def test_allele_labels(text, canonical):
    assert canonical_allele(text) == canonical


def _locus(alleles, freqs):
    text = "Locus,Allele,Frequency\n" + "".join(f"vWA,{a},{f}\n" for a, f in zip(alleles, freqs, strict=True))
    return parse_frequencies(text, minimum_frequency=1e-6).locus("vWA")


def test_equal_matrix():
    matrix = mutation_matrix("equal", _locus(["14", "15", "16", "17"], [0.25] * 4), 0.03)
    assert matrix[0, 0] == pytest.approx(0.97)
    assert matrix[0, 1] == pytest.approx(0.01)
    assert np.allclose(matrix.sum(axis=1), 1.0)


def test_proportional_matrix_is_stationary_with_overall_rate():
    data = _locus(["14", "15", "16", "17"], [0.1, 0.2, 0.3, 0.4])
    matrix = mutation_matrix("proportional", data, 0.005)
    p = data.frequencies
    # α = R / Σ p(1-p) = 0.005 / 0.7; off-diagonal M[i, j] = α p_j.
    assert matrix[0, 3] == pytest.approx(0.005 / 0.7 * 0.4)
    assert np.allclose(p @ matrix, p)
    assert float(np.sum(p * (1 - np.diag(matrix)))) == pytest.approx(0.005)


def test_stepwise_matrix_by_hand():
    # Alleles 10, 11, 12, 12.3; R = 0.01, R2 = 0.001, range 0.5.
    # Row 10: integer group {11, 12}: weights 0.5, 0.25 normalised to R → 0.00667, 0.00333;
    #         to 12.3 (the only other-group allele): R2; diagonal 1 - R - R2 = 0.989.
    # Row 12.3: alone in its group → diagonal 1 - R2, R2/3 to each integer allele.
    data = _locus(["10", "11", "12", "12.3"], [0.3, 0.3, 0.3, 0.1])
    matrix = mutation_matrix("stepwise", data, 0.01, range_=0.5, microvariant_rate=0.001)
    assert matrix[0].tolist() == pytest.approx([0.989, 0.01 * 0.5 / 0.75, 0.01 * 0.25 / 0.75, 0.001])
    assert matrix[3].tolist() == pytest.approx([0.001 / 3] * 3 + [0.999])
    assert np.allclose(matrix.sum(axis=1), 1.0)


def test_per_sex_and_per_locus_rates():
    model = MutationModel("equal", male_rate=0.004, female_rate=0.001, locus_rates={"vWA": (0.01, 0.02)})
    data = _locus(["14", "15"], [0.5, 0.5])
    assert model.matrix(data, "male")[0, 1] == pytest.approx(0.01)
    assert model.matrix(data, "female")[0, 1] == pytest.approx(0.02)
    assert model.rate("TH01", "male") == 0.004
    with pytest.raises(ValueError):
        MutationModel("bogus")
    with pytest.raises(ValueError):
        MutationModel("equal", male_rate=1.5)
