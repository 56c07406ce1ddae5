"""General reference pedigrees: the fixed hypotheses reproduced exactly, family cases, validation, CLI."""

from __future__ import annotations

import json
import math
from pathlib import Path

import numpy as np
import pytest

from fanguai.kinship import formulas
from fanguai.kinship.cli import main
from fanguai.kinship.frequencies import parse_frequencies
from fanguai.kinship.lr import KinshipModel, compute_lr
from fanguai.kinship.mutation import MutationModel
from fanguai.kinship.pedigree import (
    MAX_MEMBERS,
    Member,
    Pedigree,
    PedigreeError,
    _candidate_locus,
    compute_pedigree_lr,
    encode,
    parse_pedigree,
    pedigree_tables,
)

LOCI = ("D3S1358", "vWA", "TH01")
ALLELES = ("6", "7", "8", "9", "9.3", "10")
WEIGHTS = {"D3S1358": (5, 9, 14, 3, 7, 11), "vWA": (10, 20, 30, 40), "TH01": (1, 30, 12, 6, 2)}
TABLE_TEXT = "Locus,Allele,Frequency\n" + "".join(
    f"{locus},{allele},{w / sum(weights)}\n"
    for locus, weights in WEIGHTS.items()
    for allele, w in zip(ALLELES, weights, strict=False)
)
MUTATIONS = {
    "none": None,
    "equal": MutationModel.uniform("equal", 0.01),
    "stepwise": MutationModel("stepwise", 0.004, 0.002, 0.5, 0.0005),
    "stepwise-plain-untyped": MutationModel("stepwise", 0.004, 0.002, 0.5, 0.0005, mutate_untyped=False),
    "proportional": MutationModel.uniform("proportional", 0.005),
}


def close(a: float, b: float) -> bool:
    return math.isclose(a, b, rel_tol=1e-12, abs_tol=0.0)


@pytest.fixture(scope="module")
def table():
    return parse_frequencies(TABLE_TEXT, minimum_frequency=0.001)


def random_profiles(table, seed: int, count: int, related: bool = True) -> list[dict]:
    """Random profiles; with ``related`` the second shares an allele with the first half the time."""
    rng = np.random.default_rng(seed)
    result = []
    for _ in range(count):
        profile = {}
        for locus in LOCI:
            data = table.locus(locus)
            p = data.frequencies / data.frequencies.sum()
            a, b = rng.choice(data.size, 2, p=p)
            if related and result and rng.random() < 0.5:
                a = data.index[result[-1][locus][int(rng.integers(2))]]
            first, second = sorted((data.alleles[a], data.alleles[b]), key=float)
            profile[locus] = (first, second)
        result.append(profile)
    return result


def child_of(father: dict, mother: dict, rng) -> dict:
    """A child drawn by Mendelian transmission (no mutation)."""
    return {
        locus: tuple(
            sorted((father[locus][int(rng.integers(2))], mother[locus][int(rng.integers(2))]), key=float)
        )
        for locus in LOCI
    }


def ped(*rows: tuple[str, str | None, str | None, str]) -> Pedigree:
    return Pedigree([Member(i, f, m, "male" if s == "M" else "female") for i, f, m, s in rows])


DUO_FATHER = ped(("F", None, None, "M"), ("Mo", None, None, "F"), ("X", "F", "Mo", "M"))
DUO_MOTHER = ped(("F", None, None, "M"), ("Mo", None, None, "F"), ("X", "F", "Mo", "F"))
TRIO = DUO_FATHER
FULL = ped(("F", None, None, "M"), ("Mo", None, None, "F"), ("S", "F", "Mo", "F"), ("X", "F", "Mo", "M"))
HALF = ped(
    ("P", None, None, "M"),
    ("M1", None, None, "F"),
    ("M2", None, None, "F"),
    ("S", "P", "M1", "M"),
    ("X", "P", "M2", "M"),
)
GRANDPARENT = ped(
    ("G", None, None, "M"),
    ("GM", None, None, "F"),
    ("P", "G", "GM", "M"),
    ("O", None, None, "F"),
    ("X", "P", "O", "F"),
)
AVUNCULAR = ped(
    ("GF", None, None, "M"),
    ("GM", None, None, "F"),
    ("U", "GF", "GM", "M"),
    ("P", "GF", "GM", "F"),
    ("O", None, None, "M"),
    ("X", "O", "P", "M"),
)

CASES = [
    # (name, pedigree, family roles, missing, relationship, person order for compute_lr, kwargs)
    ("duo-father", DUO_FATHER, ("F",), "X", "parent-child", ("F", "cand"), {"parent_sex": "male"}),
    ("duo-mother", DUO_MOTHER, ("Mo",), "X", "parent-child", ("Mo", "cand"), {"parent_sex": "female"}),
    ("duo-missing-parent", DUO_FATHER, ("X",), "F", "parent-child", ("cand", "X"), {"parent_sex": "male"}),
    ("trio", TRIO, ("Mo", "X"), "F", "trio", ("Mo", "cand", "X"), {}),
    ("couple", TRIO, ("Mo", "F"), "X", "couple", ("Mo", "F", "cand"), {}),
]
KAPPA_CASES = [
    ("full-siblings", FULL, ("S",), "X", "full-siblings", ("S", "cand"), {}),
    ("half-siblings", HALF, ("S",), "X", "half-siblings", ("S", "cand"), {}),
    ("grandparent", GRANDPARENT, ("G",), "X", "grandparent", ("G", "cand"), {}),
    ("avuncular", AVUNCULAR, ("U",), "X", "avuncular", ("U", "cand"), {}),
]


def check_against_fixed(table, case, mutation, theta, seeds) -> int:
    _name, pedigree, roles, missing, relationship, order, kwargs = case
    model = KinshipModel(table, mutation, theta)
    compared = 0
    for seed in seeds:
        people = random_profiles(table, seed, len(roles) + 1)
        family = dict(zip(roles, people[:-1], strict=True))
        persons = {**family, "cand": people[-1]}
        expected = compute_lr(relationship, [persons[r] for r in order], model=model, **kwargs)
        got = compute_pedigree_lr(pedigree, family, missing, people[-1], model=model)
        for want, have in zip(expected.loci, got.loci, strict=True):
            assert want.locus == have.locus
            assert close(want.lr, have.lr), (relationship, seed, want, have)
            assert want.inconsistent == have.inconsistent, (relationship, seed, want, have)
            compared += 1
        assert close(expected.total_lr, got.total_lr)
    return compared


# A typed child of two untyped parents gets its genotype probability through the mutation matrices in
# the pedigree; the duo formula draws it from the population.  Both agree for stationary or plain
# untyped transmissions (and, with θ, for plain untyped transmissions only: the mutated draw of an
# untyped parent is no longer the urn's draw), which is where the missing-parent duo is compared.
def comparable(case, mutation, theta) -> bool:
    if case[0] != "duo-missing-parent":
        return True
    return mutation in (
        ("none", "stepwise-plain-untyped") if theta else ("none", "proportional", "stepwise-plain-untyped")
    )


PARENTAGE_PARAMS = [
    pytest.param(case, mutation, theta, id=f"{case[0]}-{mutation}-{theta}")
    for case in CASES
    for mutation in MUTATIONS
    for theta in (0.0, 0.03)
    if comparable(case, mutation, theta)
]


@pytest.mark.parametrize(("case", "mutation", "theta"), PARENTAGE_PARAMS)
def test_parentage_hypotheses_reproduced(table, case, mutation, theta):
    assert check_against_fixed(table, case, MUTATIONS[mutation], theta, range(12)) == 36


@pytest.mark.parametrize("case", KAPPA_CASES, ids=[c[0] for c in KAPPA_CASES])
@pytest.mark.parametrize("theta", [0.0, 0.02])
def test_kappa_relationships_reproduced_without_mutation(table, case, theta):
    seeds = range(10) if theta == 0 or case[0] != "avuncular" else range(3)
    assert check_against_fixed(table, case, None, theta, seeds) == 3 * len(seeds)


def test_tables_cover_every_genotype_code(table):
    """The per-code table (what a database scan reads) equals the pairwise LR for every genotype."""
    model = KinshipModel(table, MUTATIONS["stepwise"], 0.01)
    family = {"Mo": random_profiles(table, 5, 1)[0]}
    tables = pedigree_tables(DUO_MOTHER, family, "X", model, ["TH01"])
    ctx = model.context("TH01")
    mother = tuple(np.asarray(ctx.data.index[a]) for a in family["Mo"]["TH01"])
    for j in range(ctx.data.size):
        for i in range(j + 1):
            want = formulas.duo_lr(ctx, mother, (np.asarray(i), np.asarray(j)), 0.01, "female")
            assert close(float(want), float(tables.lr[0][encode(i, j)]))
    assert tables.lr[0][0] == 1.0


def both_grandparents():
    return ped(
        ("GF", None, None, "M"),
        ("GM", None, None, "F"),
        ("P", "GF", "GM", "M"),
        ("O", None, None, "F"),
        ("X", "P", "O", "M"),
    )


def test_both_grandparents_true_grandchild_beats_one_grandparent(table):
    """Typing both grandparents gives more evidence for a true grandchild than one grandparent."""
    rng = np.random.default_rng(7)
    model = KinshipModel(table)
    both_sum = one_sum = 0.0
    for round_ in range(40):
        gf, gm, o = random_profiles(table, 100 + round_, 3, related=False)
        x = child_of(child_of(gf, gm, rng), o, rng)
        both = compute_pedigree_lr(both_grandparents(), {"GF": gf, "GM": gm}, "X", x, model=model)
        one = compute_pedigree_lr(both_grandparents(), {"GF": gf}, "X", x, model=model)
        single = compute_lr("grandparent", [gf, x], model=model)
        assert close(one.total_lr, single.total_lr)
        assert both.total_lr > 0
        both_sum += both.log10_lr
        one_sum += one.log10_lr
    assert both_sum > one_sum > 0


def test_parent_plus_sibling_and_mother_plus_grandmother(table):
    """The common families: hand-checked structure through independent pedigree equivalences."""
    model = KinshipModel(table)
    rng = np.random.default_rng(3)
    mother, father = random_profiles(table, 3, 2, related=False)
    sibling, cand = child_of(father, mother, rng), child_of(father, mother, rng)
    parent_sib = ped(
        ("F", None, None, "M"), ("Mo", None, None, "F"), ("S", "F", "Mo", "F"), ("X", "F", "Mo", "M")
    )
    with_sib = compute_pedigree_lr(parent_sib, {"Mo": mother, "S": sibling}, "X", cand, model=model)
    without = compute_pedigree_lr(parent_sib, {"Mo": mother}, "X", cand, model=model)
    duo = compute_lr("parent-child", [mother, cand], model=model, parent_sex="female")
    assert close(without.total_lr, duo.total_lr)
    assert with_sib.total_lr > 0 and without.total_lr > 0
    assert not close(with_sib.total_lr, without.total_lr)
    # Any genotype sharing an allele with the mother at every locus can be her mother's.
    grandmother = child_of(mother, random_profiles(table, 4, 1)[0], rng)
    maternal = ped(
        ("GF", None, None, "M"),
        ("GM", None, None, "F"),
        ("Mo", "GF", "GM", "F"),
        ("F", None, None, "M"),
        ("X", "F", "Mo", "M"),
    )
    both = compute_pedigree_lr(maternal, {"Mo": mother, "GM": grandmother}, "X", cand, model=model)
    # The grandmother adds nothing once the mother is typed (she is an ancestor only through her).
    assert close(both.total_lr, duo.total_lr)
    assert both.conclusion == duo.conclusion


def test_brute_force_full_siblings_with_typed_parent(table):
    """An independent brute-force enumeration over the untyped father's genotypes (θ = 0, no mutation)."""
    model = KinshipModel(table)
    rng = np.random.default_rng(21)
    mother, father, cand = random_profiles(table, 21, 3)
    sibling = child_of(father, mother, rng)
    pedigree = ped(
        ("F", None, None, "M"), ("Mo", None, None, "F"), ("S", "F", "Mo", "F"), ("X", "F", "Mo", "M")
    )
    got = compute_pedigree_lr(pedigree, {"Mo": mother, "S": sibling}, "X", cand, model=model)
    for row in got.loci:
        data = table.locus(row.locus)
        p = dict(zip(data.alleles, data.frequencies, strict=True))

        def trans(parent, allele):
            return 0.5 * ((parent[0] == allele) + (parent[1] == allele))

        def child_prob(father, mo, child):
            a, b = child
            straight = trans(father, b) * trans(mo, a)
            return straight if a == b else straight + trans(father, a) * trans(mo, b)

        num = den = 0.0
        for x in data.alleles:
            for y in data.alleles:
                father = (x, y)
                prior = p[x] * p[y]
                s = child_prob(father, mother[row.locus], sibling[row.locus])
                num += prior * s * child_prob(father, mother[row.locus], cand[row.locus])
                den += prior * s
        a, b = cand[row.locus]
        hw = p[a] ** 2 if a == b else 2 * p[a] * p[b]
        assert math.isclose(row.lr, num / (den * hw), rel_tol=1e-10)


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("id,father,mother,sex\nA,B,C,M\nB,,,F\nC,,,F\n", "must have sex M"),
        ("id,father,mother,sex\nA,B,,M\nB,,,M\n", "both parents or none"),
        ("id,father,mother,sex\nA,Z,Y,M\n", "unknown father"),
        ("id,father,mother,sex\nA,B,C,M\nB,A,C,M\nC,,,F\n", "cycle"),
        ("id,father,mother,sex\nA,,,X\n", "not M or F"),
        ("id,father,mother\nA,,\n", "missing column"),
        ("id,father,mother,sex\nA,,,M\nA,,,F\n", "listed twice"),
    ],
)
def test_invalid_pedigrees(text, message):
    with pytest.raises(PedigreeError) as error:
        parse_pedigree(text)
    assert message in str(error.value)


def test_size_and_depth_limits():
    rows = "".join(f"F{i},,,M\n" for i in range(MAX_MEMBERS + 1))
    with pytest.raises(PedigreeError, match="at most 15"):
        parse_pedigree("id,father,mother,sex\n" + rows)
    chain = "id,father,mother,sex\nA0,,,M\nB0,,,F\n"
    for g in range(1, 5):
        chain += f"A{g},A{g - 1},B{g - 1},M\nB{g},,,F\n"
    with pytest.raises(PedigreeError, match="generations"):
        parse_pedigree(chain)


def test_invalid_use(table):
    model = KinshipModel(table)
    person = random_profiles(table, 1, 1)[0]
    with pytest.raises(PedigreeError, match="not in the pedigree"):
        compute_pedigree_lr(FULL, {"S": person}, "Nobody", person, model=model)
    with pytest.raises(PedigreeError, match="no typed member"):
        compute_pedigree_lr(FULL, {}, "X", person, model=model)
    with pytest.raises(PedigreeError, match="must not be a typed"):
        compute_pedigree_lr(FULL, {"S": person, "X": person}, "X", person, model=model)


PROFILES = """sample,locus,allele1,allele2
MO,D3S1358,6,7
MO,vWA,7,8
SIB,D3S1358,6,8
SIB,vWA,8,9
CAND,D3S1358,7,8
CAND,vWA,6,8
"""
PEDIGREE = """id,father,mother,sex
F,,,M
MO,,,F
SIB,F,MO,F
X,F,MO,M
"""


@pytest.fixture
def files(tmp_path: Path):
    (tmp_path / "p.csv").write_text(PROFILES)
    (tmp_path / "ped.csv").write_text(PEDIGREE)
    (tmp_path / "f.csv").write_text(TABLE_TEXT)
    return tmp_path


def run(capsys, *args):
    code = main(list(args))
    out = capsys.readouterr()
    return code, out.out, out.err


def test_cli_json_matches_api(files, capsys, table):
    args = ["pedigree", "--profiles", str(files / "p.csv"), "--pedigree", str(files / "ped.csv")]
    args += ["--missing", "X", "--candidate", "CAND", "--frequencies", str(files / "f.csv"), "--json"]
    code, out, err = run(capsys, *args, "--mutation", "stepwise", "--theta", "0.01")
    assert code == 0, err
    data = json.loads(out)
    assert set(data) == {"total_lr", "log10_lr", "loci", "inconsistent_loci", "conclusion"}
    from fanguai.kinship.cli import _model, build_parser
    from fanguai.kinship.profiles import read_profiles

    model = _model(build_parser().parse_args(args + ["--mutation", "stepwise", "--theta", "0.01"]))
    profiles = read_profiles(files / "p.csv")
    expected = compute_pedigree_lr(
        parse_pedigree(PEDIGREE), {k: profiles[k] for k in ("MO", "SIB")}, "X", profiles["CAND"], model=model
    )
    assert data["total_lr"] == expected.total_lr
    assert [row["locus"] for row in data["loci"]] == ["D3S1358", "vWA"]
    code, out, _ = run(capsys, *args[:-1])
    assert code == 0 and "Combined LR" in out


@pytest.mark.parametrize(
    ("extra", "message", "status"),
    [
        (["--missing", "Q", "--candidate", "CAND"], "not in the pedigree", 1),
        (["--missing", "X", "--candidate", "NOPE"], "no profile", 1),
        (["--missing", "X", "--candidate", "SIB"], "typed member", 2),
    ],
)
def test_cli_errors(files, capsys, extra, message, status):
    args = ["pedigree", "--profiles", str(files / "p.csv"), "--pedigree", str(files / "ped.csv"), *extra]
    code, _, err = run(capsys, *args)
    assert code == status
    assert message in err


def test_cli_bad_pedigree_file_and_usage(files, capsys):
    (files / "bad.csv").write_text("id,father,mother,sex\nA,B,,M\n")
    args = ["pedigree", "--profiles", str(files / "p.csv"), "--pedigree", str(files / "bad.csv")]
    code, _, err = run(capsys, *args, "--missing", "A", "--candidate", "CAND")
    assert code == 1 and "both parents" in err
    code, _, _ = run(capsys, "pedigree", "--profiles", str(files / "p.csv"))
    assert code == 2


# --- θ > 0 with untyped founders: an independent brute-force enumeration ----------------------------

UNCLE_ONLY = ped(
    ("GF", None, None, "M"),
    ("GM", None, None, "F"),
    ("U", "GF", "GM", "M"),
    ("P", "GF", "GM", "M"),
    ("O", None, None, "F"),
    ("X", "P", "O", "M"),
)
SMALL_TABLE = "Locus,Allele,Frequency\n" + "".join(
    f"{locus},{allele},{frequency}\n"
    for locus, alleles in (
        ("TH01", (("7", 0.2), ("8", 0.5), ("9.3", 0.3))),
        ("vWA", (("14", 0.1), ("15", 0.35), ("16", 0.3), ("17", 0.25))),
    )
    for allele, frequency in alleles
)


def brute_force_likelihood(pedigree, typed, ctx, theta) -> float:
    """P(typed genotypes) by summing over every ordered genotype of every untyped member.

    Founder alleles are drawn one by one from the Pólya urn; each child allele is drawn from one of
    its parent's two alleles (½ each) through the mutation matrix of the parent's sex (the untyped
    matrix when the parent is untyped).  Nothing of the engine's elimination is used.
    """
    rows = list(pedigree.members.values())
    n = len(ctx.p)
    everything = [(x, y) for x in range(n) for y in range(n)]
    options = [sorted({typed[m.id], typed[m.id][::-1]}) if m.id in typed else everything for m in rows]

    def matrix(parent: str, sex: str):
        return ctx.matrix(sex) if parent in typed else ctx.untyped(sex)[0]

    def urn(allele: int, drawn: list[int]) -> float:
        seen = drawn.count(allele)
        return (seen * theta + (1 - theta) * ctx.p[allele]) / (1 + (len(drawn) - 1) * theta)

    def visit(k: int, assigned: dict, drawn: list[int], probability: float) -> float:
        if probability == 0.0:
            return 0.0
        if k == len(rows):
            return probability
        member, total = rows[k], 0.0
        for x, y in options[k]:
            if member.founder:
                factor = urn(x, drawn) * urn(y, [*drawn, x])
                more = [*drawn, x, y]
            else:
                factor = 1.0
                for parent, allele, sex in ((member.father, x, "male"), (member.mother, y, "female")):
                    a, b = assigned[parent]
                    m = matrix(parent, sex)
                    factor *= 0.5 * (m[a, allele] + m[b, allele])
                more = drawn
            total += visit(k + 1, {**assigned, member.id: (x, y)}, more, probability * factor)
        return total

    return visit(0, {}, [], 1.0)


def brute_force_lr(pedigree, typed, missing, candidate, ctx, theta) -> float:
    numerator = brute_force_likelihood(pedigree, {**typed, missing: candidate}, ctx, theta)
    # The alternative: the candidate is one more founder; the missing member (no children) sums to 1.
    members = [m for m in pedigree.members.values() if m.id != missing]
    alternative_pedigree = Pedigree([*members, Member("CAND", None, None, "male")])
    alternative = brute_force_likelihood(alternative_pedigree, {**typed, "CAND": candidate}, ctx, theta)
    return numerator / alternative


BRUTE_CASES = [
    # (pedigree, locus, typed genotypes as allele labels, candidate): unseen alleles are lumped in vWA
    ("uncle-only", UNCLE_ONLY, "TH01", {"U": ("7", "9.3")}, ("8", "9.3")),
    ("half-sibling", HALF, "vWA", {"S": ("14", "15")}, ("15", "15")),
    ("half-sibling-excluded", HALF, "vWA", {"S": ("16", "16")}, ("14", "15")),
]


@pytest.mark.parametrize("mutation", list(MUTATIONS))
@pytest.mark.parametrize("case", BRUTE_CASES, ids=[c[0] for c in BRUTE_CASES])
def test_theta_with_untyped_founders_matches_brute_force(case, mutation):
    """θ > 0, several untyped founders, every mutation model: equal to a plain enumeration (1e-9)."""
    _name, pedigree, locus, typed_labels, candidate_labels = case
    table = parse_frequencies(SMALL_TABLE, minimum_frequency=0.001)
    model = KinshipModel(table, MUTATIONS[mutation], 0.03)
    ctx = model.context(locus)
    index = ctx.data.index
    typed = {member: (index[a], index[b]) for member, (a, b) in typed_labels.items()}
    candidate = (index[candidate_labels[0]], index[candidate_labels[1]])
    want = brute_force_lr(pedigree, typed, "X", candidate, ctx, 0.03)
    family = {member: {locus: genotype} for member, genotype in typed_labels.items()}
    got = compute_pedigree_lr(pedigree, family, "X", {locus: candidate_labels}, model=model)
    assert math.isclose(got.total_lr, want, rel_tol=1e-9), (got.total_lr, want)
    tables = pedigree_tables(pedigree, family, "X", model, [locus])
    assert math.isclose(float(tables.lr[0][encode(*candidate)]), want, rel_tol=1e-9)


@pytest.mark.parametrize("mutation", list(MUTATIONS))
def test_lumped_equals_full_alleles(table, mutation):
    """Allele lumping (where exact) changes no LR: the same loci computed with every allele kept."""
    model = KinshipModel(table, MUTATIONS[mutation], 0.02)
    uncle, cand = random_profiles(table, 11, 2)
    for locus in LOCI:
        ctx = model.context(locus)
        index = ctx.data.index
        genotypes = {"U": (index[uncle[locus][0]], index[uncle[locus][1]])}
        tested = (index[cand[locus][0]], index[cand[locus][1]])
        lumped = _candidate_locus(UNCLE_ONLY, genotypes, "X", tested, ctx, model, lump=True)
        full = _candidate_locus(UNCLE_ONLY, genotypes, "X", tested, ctx, model, lump=False)
        assert math.isclose(lumped[0], full[0], rel_tol=1e-12) and lumped[1] == full[1]


def test_candidate_path_equals_tables(table):
    """`compute_pedigree_lr` (candidate typed, lumped) equals the scan tables' entry at every locus."""
    model = KinshipModel(table, MUTATIONS["proportional"], 0.02)
    for seed in range(3):
        gf, u, cand = random_profiles(table, 40 + seed, 3)
        family = {"GF": gf, "U": u}
        result = compute_pedigree_lr(UNCLE_ONLY, family, "X", cand, model=model)
        tables = pedigree_tables(UNCLE_ONLY, family, "X", model.covering([gf, u, cand]), list(LOCI))
        for position, row in enumerate(result.loci):
            index = model.context(row.locus).data.index
            code = encode(index[cand[row.locus][0]], index[cand[row.locus][1]])
            assert math.isclose(row.lr, float(tables.lr[position][code]), rel_tol=1e-12)
            assert row.inconsistent == bool(tables.inconsistent[position][code])


def test_over_limit_pedigree_is_refused(table):
    """Many untyped founders whose alleles all matter, with θ > 0: refused with PedigreeError."""
    rows = [("A", None, None, "M"), ("B", None, None, "F"), ("C", None, None, "M"), ("D", None, None, "F")]
    rows += [("E", None, None, "M"), ("F", None, None, "F")]
    rows += [(f"AB{i}", "A", "B", "M" if i % 2 else "F") for i in range(2)]
    rows += [(f"CD{i}", "C", "D", "M" if i % 2 else "F") for i in range(2)]
    rows += [(f"EF{i}", "E", "F", "M" if i % 2 else "F") for i in range(2)]
    rows += [("G1", "AB1", "CD0", "M"), ("G2", "CD1", "EF0", "F"), ("X", "EF1", "AB0", "M")]
    pedigree = ped(*rows)
    people = random_profiles(table, 5, 3)
    family = {"G1": people[0], "G2": people[1]}
    with pytest.raises(PedigreeError, match="θ"):
        compute_pedigree_lr(pedigree, family, "X", people[2], model=KinshipModel(table, None, 0.01))
    # The same family without θ is computed.
    assert compute_pedigree_lr(pedigree, family, "X", people[2], model=KinshipModel(table)).total_lr > 0


@pytest.mark.parametrize("theta", [0.0, 0.02])
def test_missing_grandparent_through_untyped_parent(table, theta):
    """The missing member is a grandparent (a free founder above a summed-out untyped parent)."""
    model = KinshipModel(table, None, theta)
    for seed in range(4):
        grandchild, cand = random_profiles(table, 60 + seed, 2)
        result = compute_pedigree_lr(GRANDPARENT, {"X": grandchild}, "G", cand, model=model)
        expected = compute_lr("grandparent", [cand, grandchild], model=model)
        assert close(result.total_lr, expected.total_lr)
    mutated = KinshipModel(table, MUTATIONS["stepwise"], theta)
    result = compute_pedigree_lr(GRANDPARENT, {"X": grandchild}, "G", cand, model=mutated)
    tables = pedigree_tables(
        GRANDPARENT, {"X": grandchild}, "G", mutated.covering([grandchild, cand]), list(LOCI)
    )
    for position, row in enumerate(result.loci):
        index = mutated.context(row.locus).data.index
        code = encode(index[cand[row.locus][0]], index[cand[row.locus][1]])
        assert math.isclose(row.lr, float(tables.lr[position][code]), rel_tol=1e-12)


def test_pedigree_problems_carry_codes_and_keep_their_english_text():
    from fanguai.kinship.pedigree import PedigreeError, parse_pedigree

    with pytest.raises(PedigreeError) as exc:
        parse_pedigree("id,father,mother,sex\nA,,,M\nB,A,,F\nC,,,X\n")
    assert [p.code for p in exc.value.problems] == ["bad_sex_cell"]
    assert exc.value.errors == ["row 4, sex: 'X' is not M or F"]
    with pytest.raises(PedigreeError) as exc:
        parse_pedigree("id,father,mother,sex\nA,,,M\nB,A,,F\n")
    problem = exc.value.problems[0]
    assert (problem.code, dict(problem.params)) == ("one_parent", {"member": "B"})
    assert (
        str(problem)
        == "member 'B': give both parents or none (add an untyped founder for the unknown parent)"
    )
