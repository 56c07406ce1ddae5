"""Reading profiles: long CSV and GeneMapper ID-X tables, and the listed validation errors."""

from __future__ import annotations

import pytest

from fanguai.kinship.profiles import ProfileFormatError, parse_profiles, profile_from_mapping, read_profiles


def test_long_csv_with_aliases_homozygotes_and_untyped(tmp_path):
    path = tmp_path / "profiles.csv"
    path.write_text(
        "sample,locus,allele1,allele2\n"
        "C1,VWA,17,14\n"  # allele order does not matter
        "C1,Penta D,9,9\n"  # homozygote as two equal alleles
        "C1,TH1,9.3,6\n"
        "C1,AMEL,X,Y\n"  # skipped sex marker
        "C1,D3S1358,,\n"  # untyped
        "C1,vWA,14,17\n"  # repeated with the same genotype: accepted
        "M1,vWA,15,16\n",
        encoding="utf-8",
    )
    profiles = read_profiles(path)
    assert profiles["C1"] == {"vWA": ("14", "17"), "PentaD": ("9", "9"), "TH01": ("6", "9.3")}
    assert profiles["M1"] == {"vWA": ("15", "16")}


def test_long_csv_reports_every_error_with_row_and_field():
    text = (
        "sample,locus,allele1,allele2,allele3\n"
        "C1,D99S999,10,11,\n"  # row 2 unknown locus
        "C1,vWA,14,15,16\n"  # row 3 third allele
        "C1,TH01,9/3,9\n"  # row 4 malformed allele (OL is a warning now: test_kinship_inputs.py)
        "C1,FGA,22,23\n"
        "C1,FGA,22,24\n"  # row 6 conflicting genotype
        "C1,TPOX,8,\n"  # row 7 only one allele
        ",TPOX,8,8\n"  # row 8 empty sample
    )
    with pytest.raises(ProfileFormatError) as error:
        parse_profiles(text)
    found = [(e.row, e.field) for e in error.value.errors]
    assert found == [
        (2, "locus"),
        (3, "allele3"),
        (4, "allele1"),
        (6, "locus"),
        (7, "allele2"),
        (8, "sample"),
    ]
    messages = " ".join(e.message for e in error.value.errors)
    assert "unknown locus" in messages and "third allele" in messages and "malformed allele" in messages
    assert "different genotypes" in messages


def test_genemapper_table():
    text = (
        "Sample File\tSample Name\tPanel\tMarker\tAllele 1\tAllele 2\tAllele 3\tSize 1\n"
        "a.fsa\tS1\tGF\tD3S1358\t15\t16\t\t120.1\n"
        "a.fsa\tS1\tGF\tvWA\t17\t\t\t160.2\n"  # GeneMapper homozygote: one allele
        "a.fsa\tS1\tGF\tAMEL\tX\tY\t\t100\n"
        "a.fsa\tS1\tGF\tYindel\t2\t\t\t\n"
        "a.fsa\tS1\tGF\tDYS391\t10\t\t\t\n"
        "a.fsa\tS1\tGF\tD2S441\t\t\t\t\n"  # untyped
    )
    assert parse_profiles(text) == {"S1": {"D3S1358": ("15", "16"), "vWA": ("17", "17")}}


def test_genemapper_third_allele_is_an_error():
    text = "Sample Name,Marker,Allele 1,Allele 2,Allele 3\nS1,FGA,21,22,23\n"
    with pytest.raises(ProfileFormatError) as error:
        parse_profiles(text)
    assert [(e.row, e.field) for e in error.value.errors] == [(2, "allele3")]


def test_missing_columns():
    with pytest.raises(ProfileFormatError) as error:
        parse_profiles("name,locus,a,b\nx,vWA,1,2\n")
    assert error.value.errors[0].row == 1


def test_profile_from_mapping():
    assert profile_from_mapping({"Penta_E": ("12", "5"), "AMEL": ("X", "X"), "TH01": None}) == {
        "PentaE": ("5", "12")
    }
    with pytest.raises(ProfileFormatError):
        profile_from_mapping({"vWA": ("14", "x")})
