"""Input details: laboratory exports (R-written GeneMapper tables, OL calls), strict columns, encodings,
the minimum-frequency options, normalisation where mutation matrices are built, and CLI usage errors."""

from __future__ import annotations

import json

import numpy as np
import pytest

from fanguai.kinship.cli import main
from fanguai.kinship.formulas import LocusContext
from fanguai.kinship.frequencies import parse_frequencies
from fanguai.kinship.lr import compute_lr
from fanguai.kinship.mutation import MutationModel
from fanguai.kinship.profiles import (
    MESSAGES,
    ProfileFormatError,
    ProfileWarning,
    parse_profiles,
    read_profiles,
)

# What R's write.csv makes of a GeneMapper ID-X export: a row-names column, dotted headers, NA cells.
R_GENEMAPPER = (
    '"","Sample.Name","Marker","Allele.1","Allele.2","Allele.3"\n'
    '"1","S1","D3S1358","15","16",NA\n'
    '"2","S1","vWA","17",NA,NA\n'
    '"3","S1","AMEL","X","Y",NA\n'
    '"4","S2","D3S1358","OL","16",NA\n'
    '"5","S2","vWA","14","18",NA\n'
)


def test_r_written_genemapper_table_loads():
    profiles = parse_profiles(R_GENEMAPPER)
    assert profiles["S1"] == {"D3S1358": ("15", "16"), "vWA": ("17", "17")}  # NA → homozygote
    assert profiles["S2"] == {"vWA": ("14", "18")}


def test_off_ladder_call_leaves_the_locus_untyped_with_a_warning():
    profiles = parse_profiles(R_GENEMAPPER)
    assert "D3S1358" not in profiles["S2"]
    assert isinstance(profiles, dict)  # existing callers keep a dict of profiles
    (warning,) = profiles.warnings
    assert isinstance(warning, ProfileWarning)
    assert (warning.row, warning.field, warning.code) == (5, "allele1", "off_ladder")
    assert warning.params == {"allele": "OL", "sample": "S2", "locus": "D3S1358"}
    assert "S2" in warning.message and "D3S1358" in warning.message


def test_off_ladder_in_the_long_format_too():
    text = "sample,locus,allele1,allele2\nA,TH01,ol,9\nA,vWA,14,15\n"
    profiles = parse_profiles(text)
    assert profiles == {"A": {"vWA": ("14", "15")}}
    assert [w.row for w in profiles.warnings] == [2]


def test_value_in_an_unnamed_extra_column_is_rejected():
    text = "sample,locus,allele1,allele2\nA,vWA,14,15\nA,TH01,6,7,9.3\nA,FGA,20,21,\n"
    with pytest.raises(ProfileFormatError) as error:
        parse_profiles(text)
    (problem,) = error.value.errors  # the empty trailing cell of row 4 is fine
    assert (problem.row, problem.code) == (3, "unnamed_column")
    assert problem.params == {"value": "9.3", "column": 5}


def test_every_error_has_a_code_and_params_matching_its_message():
    text = "sample,locus,allele1,allele2\nA,D99S9,1,2\nA,vWA,x,15\nA,TPOX,8,\n,FGA,20,21\n"
    with pytest.raises(ProfileFormatError) as error:
        parse_profiles(text)
    codes = [e.code for e in error.value.errors]
    assert codes == ["unknown_locus", "malformed_allele", "single_allele", "empty_sample"]
    for problem in error.value.errors:
        assert problem.message == MESSAGES[problem.code].format(**problem.params)


def test_non_utf8_file_error_names_the_row(tmp_path):
    path = tmp_path / "gbk.csv"
    path.write_bytes("sample,locus,allele1,allele2\nA,vWA,14,15\n样本,TH01,6,7\n".encode("gb18030"))
    with pytest.raises(ProfileFormatError) as error:
        read_profiles(path)
    (problem,) = error.value.errors
    assert (problem.row, problem.code) == (3, "not_utf8")


# --- frequencies: minimum only for unseen alleles, normalisation where a matrix is built ---------------

TABLE = "Locus,Allele,Frequency\nvWA,10,0.1\nvWA,11,0.2\nvWA,12,0.3\nvWA,13,0.38\n"  # sums to 0.98


def test_listed_alleles_keep_their_frequency_and_unseen_get_the_minimum():
    table = parse_frequencies("Locus,Allele,Frequency\nvWA,10,0.0001\nvWA,11,0.9999\n", sample_size=100)
    assert table.frequency("vWA", "10") == 0.0001
    assert table.frequency("vWA", "12") == pytest.approx(0.025)
    floored = parse_frequencies(
        "Locus,Allele,Frequency\nvWA,10,0.0001\nvWA,11,0.9999\n", sample_size=100, floor_listed=True
    )
    assert floored.frequency("vWA", "10") == pytest.approx(0.025)


def test_locus_is_a_distribution_where_a_mutation_matrix_is_built():
    table = parse_frequencies(TABLE, minimum_frequency=0.02).extended({"vWA": ["14"]})  # now sums to 1.0
    table = table.extended({"vWA": ["15"]})  # 1.02
    data = table.locus("vWA")
    assert data.total == pytest.approx(1.02)
    for kind in ("equal", "proportional", "stepwise"):
        ctx = LocusContext.build(data, MutationModel.uniform(kind, 0.01))
        assert ctx.p.sum() == pytest.approx(1.0, abs=1e-15)
        assert np.allclose(ctx.male.sum(axis=1), 1.0, atol=1e-15)
        assert np.allclose(ctx.p, np.array([0.1, 0.2, 0.3, 0.38, 0.02, 0.02]) / 1.02)
    # Without mutation the table's values are used as given (hand calculations with the table agree).
    ctx = LocusContext.build(data, MutationModel())
    assert ctx.p[1] == 0.2
    # Duo parent 10/11, child 11/11: 1/(2·p11) = 2.5 exactly with the listed 0.2.
    result = compute_lr("parent-child", [{"vWA": ("10", "11")}, {"vWA": ("11", "11")}], frequencies=table)
    assert result.total_lr == pytest.approx(2.5, rel=1e-12)


def test_proportional_model_is_stationary_on_the_normalised_locus():
    table = parse_frequencies(TABLE, minimum_frequency=0.02)
    ctx = LocusContext.build(table.locus("vWA"), MutationModel.uniform("proportional", 0.05))
    assert np.allclose(ctx.p @ ctx.male, ctx.p, rtol=0, atol=1e-15)


def test_microvariant_rate_defaults_to_zero():
    model = MutationModel.uniform("stepwise", 0.01)
    assert model.microvariant_rate == 0.0


# --- command line ---------------------------------------------------------------------------------------

CLI_TABLE = "Locus,Allele,Frequency\nvWA,10,0.1\nvWA,11,0.2\nvWA,12,0.3\nvWA,13,0.4\n"
CLI_PROFILES = (
    "sample,locus,allele1,allele2\nP,vWA,10,99\nC,vWA,99,99\nF,vWA,10,10\nX,vWA,12,13\nO,vWA,OL,11\n"
)


@pytest.fixture
def cli_files(tmp_path):
    freq = tmp_path / "freq.csv"
    freq.write_text(CLI_TABLE)
    profiles = tmp_path / "profiles.csv"
    profiles.write_text(CLI_PROFILES)
    return freq, profiles


def _lr(capsys, freq, profiles, ids, *extra, relationship="parent-child"):
    code = main(
        [
            "lr",
            "--profiles",
            str(profiles),
            "--frequencies",
            str(freq),
            "--ids",
            ids,
            "--relationship",
            relationship,
            "--json",
            *extra,
        ]
    )
    captured = capsys.readouterr()
    return code, (json.loads(captured.out) if code == 0 else None), captured.err


def test_cli_minimum_frequency_options(cli_files, capsys):
    freq, profiles = cli_files
    # Parent 10/99, child 99/99, allele 99 unseen with frequency q: LR = 1/(2q).
    _, default, _ = _lr(capsys, freq, profiles, "P,C")
    assert default["total_lr"] == pytest.approx(1 / (2 * 0.0005), rel=1e-12)  # q = 5/(2·5000)
    _, by_n, _ = _lr(capsys, freq, profiles, "P,C", "--sample-size", "100")
    assert by_n["total_lr"] == pytest.approx(1 / (2 * 0.025), rel=1e-12)  # q = 5/(2·100)
    _, fixed, _ = _lr(capsys, freq, profiles, "P,C", "--minimum-frequency", "0.01")
    assert fixed["total_lr"] == pytest.approx(50.0, rel=1e-12)
    code, _, err = _lr(capsys, freq, profiles, "P,C", "--sample-size", "100", "--minimum-frequency", "0.01")
    assert code == 2 and "not allowed with" in err


def test_cli_untyped_transmission(cli_files, capsys):
    freq, profiles = cli_files
    args = ("--mutation", "equal", "--rate", "0.01")
    _, mutate, _ = _lr(capsys, freq, profiles, "F,X", *args)
    _, plain, _ = _lr(capsys, freq, profiles, "F,X", *args, "--untyped-transmission", "plain")
    # Plain: father 10/10 → 12 or 13 with R/3 each; the other parent gives p:
    # LR = (R/3)(p13 + p12) / (2·p12·p13) = (0.01/3)(0.7)/(0.24).
    assert plain["total_lr"] == pytest.approx((0.01 / 3) * 0.7 / 0.24, rel=1e-12)
    assert mutate["total_lr"] != pytest.approx(plain["total_lr"], rel=1e-6)
    assert mutate["loci"][0]["lr"] == mutate["total_lr"]  # the JSON keys are unchanged


@pytest.mark.parametrize(
    ("extra", "ids", "message"),
    [
        (("--rate", "0.01"), "P,C", "--rate"),
        (("--mutation", "equal", "--microvariant-rate", "0.001"), "P,C", "--microvariant-rate"),
        ((), "P,P", "more than once"),
        ((), "P,C,F", "needs 2 ids"),
        (("--sample-size", "0"), "P,C", "--sample-size"),
    ],
)
def test_cli_usage_errors_exit_2(cli_files, capsys, extra, ids, message):
    freq, profiles = cli_files
    code, _, err = _lr(capsys, freq, profiles, ids, *extra)
    assert code == 2 and message in err


def test_cli_trio_with_an_id_twice_is_a_usage_error(cli_files, capsys):
    freq, profiles = cli_files
    code, _, err = _lr(capsys, freq, profiles, "F,X,F", relationship="trio")
    assert code == 2 and "F" in err


def test_cli_off_ladder_is_a_warning_not_a_failure(cli_files, capsys):
    freq, profiles = cli_files
    code, out, err = _lr(capsys, freq, profiles, "F,O")
    assert code == 0 and out["total_lr"] == 1.0  # O untyped at vWA
    assert "warning" in err and "row 6" in err and "off-ladder" in err


def test_cli_non_utf8_profiles_name_the_row(tmp_path, capsys):
    freq = tmp_path / "freq.csv"
    freq.write_text(CLI_TABLE)
    profiles = tmp_path / "p.csv"
    profiles.write_bytes(
        "sample,locus,allele1,allele2\nA,vWA,10,11\nB,vWA,12,12\n样,vWA,10,10\n".encode("gbk")
    )
    code, _, err = _lr(capsys, freq, profiles, "A,B")
    assert code == 1 and "row 4" in err and "UTF-8" in err
