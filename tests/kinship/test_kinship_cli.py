"""The command-line contract: ``fanguai kinship lr`` and ``fanguai kinship search``."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from fanguai.kinship.cli import main
from fanguai.kinship.lr import compute_lr
from fanguai.kinship.mutation import MutationModel
from fanguai.kinship.profiles import read_profiles

FREQUENCIES = """Locus,Allele,Frequency
D3S1358,10,0.1
D3S1358,11,0.2
D3S1358,12,0.3
D3S1358,13,0.4
vWA,14,0.25
vWA,15,0.25
vWA,16,0.25
vWA,17,0.25
"""

PROFILES = """sample,locus,allele1,allele2
M,D3S1358,10,11
M,vWA,14,15
AF,D3S1358,12,13
AF,vWA,16,17
C,D3S1358,10,12
C,vWA,14,16
X,D3S1358,13,13
X,vWA,15,15
Y,D3S1358,11,12
"""


@pytest.fixture
def files(tmp_path: Path) -> dict[str, Path]:
    (tmp_path / "freq.csv").write_text(FREQUENCIES, encoding="utf-8")
    (tmp_path / "profiles.csv").write_text(PROFILES, encoding="utf-8")
    (tmp_path / "couples.csv").write_text("mother,father\nM,AF\nM,X\nY,X\n", encoding="utf-8")
    return {
        "freq": tmp_path / "freq.csv",
        "profiles": tmp_path / "profiles.csv",
        "couples": tmp_path / "couples.csv",
    }


def run_json(capsys, argv) -> dict:
    assert main(argv) == 0
    return json.loads(capsys.readouterr().out)


def test_lr_json_trio(capsys, files):
    out = run_json(
        capsys,
        [
            "lr",
            "--profiles",
            str(files["profiles"]),
            "--ids",
            "M,AF,C",
            "--relationship",
            "trio",
            "--frequencies",
            str(files["freq"]),
            "--json",
        ],
    )
    assert set(out) == {"total_lr", "log10_lr", "loci", "inconsistent_loci", "conclusion"}
    # D3S1358: PI = 1/(2 p_12) = 1/0.6; vWA: mother 14/15, AF 16/17, child 14/16 → 1/(2·0.25) = 2.
    assert out["loci"] == [{"locus": "D3S1358", "lr": pytest.approx(1 / 0.6)}, {"locus": "vWA", "lr": 2.0}]
    assert out["total_lr"] == pytest.approx(2 / 0.6)
    assert out["inconsistent_loci"] == []
    assert out["conclusion"] == "inconclusive"


def test_lr_json_matches_api_with_mutation_and_theta(capsys, files):
    out = run_json(
        capsys,
        [
            "lr",
            "--profiles",
            str(files["profiles"]),
            "--ids",
            "X,C",
            "--relationship",
            "parent-child",
            "--frequencies",
            str(files["freq"]),
            "--mutation",
            "stepwise",
            "--rate",
            "0.003",
            "--range",
            "0.4",
            "--theta",
            "0.02",
            "--json",
        ],
    )
    from fanguai.kinship.frequencies import load_frequencies

    profiles = read_profiles(files["profiles"])
    expected = compute_lr(
        "parent-child",
        [profiles["X"], profiles["C"]],
        frequencies=load_frequencies(files["freq"]),
        mutation=MutationModel.uniform("stepwise", 0.003, range=0.4),
        theta=0.02,
    )
    assert out["total_lr"] == expected.total_lr
    assert out["inconsistent_loci"] == ["D3S1358", "vWA"]
    assert out["log10_lr"] == pytest.approx(expected.log10_lr)


def test_lr_zero_gives_null_log10(capsys, files):
    out = run_json(
        capsys,
        [
            "lr",
            "--profiles",
            str(files["profiles"]),
            "--ids",
            "X,C",
            "--relationship",
            "parent-child",
            "--frequencies",
            str(files["freq"]),
            "--json",
        ],
    )
    assert out["total_lr"] == 0.0 and out["log10_lr"] is None


@pytest.mark.parametrize(
    "relationship", ["couple", "full-siblings", "half-siblings", "grandparent", "avuncular"]
)
def test_lr_every_relationship_runs(capsys, files, relationship):
    ids = "M,AF,C" if relationship == "couple" else "M,C"
    out = run_json(
        capsys,
        [
            "lr",
            "--profiles",
            str(files["profiles"]),
            "--ids",
            ids,
            "--relationship",
            relationship,
            "--frequencies",
            str(files["freq"]),
            "--json",
        ],
    )
    assert out["total_lr"] > 0


def test_lr_table_output(capsys, files):
    assert (
        main(
            [
                "lr",
                "--profiles",
                str(files["profiles"]),
                "--ids",
                "M,AF,C",
                "--relationship",
                "trio",
                "--frequencies",
                str(files["freq"]),
            ]
        )
        == 0
    )
    text = capsys.readouterr().out
    assert "Combined LR" in text and "Conclusion: inconclusive" in text and "D3S1358" in text


@pytest.mark.parametrize(
    ("argv", "needle"),
    [
        (["--ids", "M,NOPE", "--relationship", "parent-child"], "NOPE"),
        (["--ids", "M,AF", "--relationship", "trio"], "needs 3 ids"),
        (["--ids", "M,C", "--relationship", "parent-child", "--theta", "1.5"], "theta"),
    ],
)
def test_lr_errors_go_to_stderr(capsys, files, argv, needle):
    code = main(["lr", "--profiles", str(files["profiles"]), "--frequencies", str(files["freq"]), *argv])
    captured = capsys.readouterr()
    assert code != 0 and needle in captured.err and captured.out == ""


def test_invalid_profile_file_lists_rows(capsys, tmp_path, files):
    bad = tmp_path / "bad.csv"
    bad.write_text("sample,locus,allele1,allele2\nA,vWA,14,x\nA,D99,1,2\n", encoding="utf-8")
    code = main(["lr", "--profiles", str(bad), "--ids", "A,B", "--relationship", "parent-child", "--json"])
    err = capsys.readouterr().err
    assert code == 1 and "row 2" in err and "row 3" in err


def test_usage_error_returns_two(capsys):
    assert main(["lr", "--relationship", "cousins"]) == 2


def test_search_parent_mode(capsys, files):
    out = run_json(
        capsys,
        [
            "search",
            "--profiles",
            str(files["profiles"]),
            "--query",
            "C",
            "--mode",
            "parent",
            "--frequencies",
            str(files["freq"]),
            "--top",
            "2",
            "--json",
        ],
    )
    assert out["references"] == 4 and len(out["results"]) == 2
    first = out["results"][0]
    assert first["rank"] == 1 and first["reference"] in {"M", "AF"}
    profiles = read_profiles(files["profiles"])
    from fanguai.kinship.frequencies import load_frequencies

    expected = compute_lr(
        "parent-child",
        [profiles[first["reference"]], profiles["C"]],
        frequencies=load_frequencies(files["freq"]),
    )
    assert first["total_lr"] == expected.total_lr


def test_search_couple_mode(capsys, files):
    out = run_json(
        capsys,
        [
            "search",
            "--profiles",
            str(files["profiles"]),
            "--query",
            "C",
            "--mode",
            "couple",
            "--couples",
            str(files["couples"]),
            "--frequencies",
            str(files["freq"]),
            "--json",
        ],
    )
    assert out["results"][0]["reference"] == ["M", "AF"]
    assert out["results"][0]["inconsistent_count"] == 0


def test_search_couple_mode_needs_couples(capsys, files):
    code = main(["search", "--profiles", str(files["profiles"]), "--query", "C", "--mode", "couple"])
    assert code == 2 and "--couples" in capsys.readouterr().err  # a usage error (exit 2 as documented)


def test_search_table_output(capsys, files):
    assert (
        main(
            [
                "search",
                "--profiles",
                str(files["profiles"]),
                "--query",
                "M,AF",
                "--mode",
                "child",
                "--frequencies",
                str(files["freq"]),
            ]
        )
        == 0
    )
    assert "Rank" in capsys.readouterr().out


def test_python_dash_m_runs_main(files):
    env = {**os.environ, "PYTHONPATH": str(Path(__file__).resolve().parents[2] / "src")}
    completed = subprocess.run(
        [
            sys.executable,
            "-m",
            "fanguai.kinship",
            "lr",
            "--profiles",
            str(files["profiles"]),
            "--ids",
            "M,C",
            "--relationship",
            "parent-child",
            "--frequencies",
            str(files["freq"]),
            "--json",
        ],
        capture_output=True,
        text=True,
        env=env,
        check=False,
    )
    assert completed.returncode == 0, completed.stderr
    assert json.loads(completed.stdout)["conclusion"] == "inconclusive"
