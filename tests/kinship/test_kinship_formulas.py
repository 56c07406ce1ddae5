"""Hand-worked likelihood ratios for every hypothesis.

Frequencies (see conftest): p(10) = a = 0.1, p(11) = b = 0.2, p(12) = c = 0.3, p(13) = d = 0.4.
Each expected value is derived in the comment next to it; the θ cases are written out as the
conditional-sampling products so a reader can check them by hand.
"""

from __future__ import annotations

import math

import pytest

from fanguai.kinship.lr import KinshipModel, compute_lr
from fanguai.kinship.mutation import MutationModel


def lr(table, relationship, *genotypes, theta=0.0, mutation=None, kappa=None, locus="D3S1358"):
    persons = [{locus: g} for g in genotypes]
    model = KinshipModel(table, mutation, theta)
    return compute_lr(relationship, persons, model=model, kappa=kappa)


def close(value, expected):
    return value == pytest.approx(expected, rel=1e-12, abs=1e-15)


# ---- parent-child duo, no θ, no mutation --------------------------------------------------------


@pytest.mark.parametrize(
    ("parent", "child", "expected"),
    [
        # Parent ab, child ac: numerator ½·p_c (parent gives a, unknown mother gives c),
        # denominator 2 p_a p_c → 1/(4 p_a) = 1/0.4 = 2.5.
        (("10", "11"), ("10", "12"), 2.5),
        # Parent aa, child aa: 1·p_a / p_a² = 1/p_a = 10.
        (("10", "10"), ("10", "10"), 10.0),
        # Parent ab, child aa: ½·p_a / p_a² = 1/(2 p_a) = 5.
        (("10", "11"), ("10", "10"), 5.0),
        # Parent aa, child ab: 1·p_b / (2 p_a p_b) = 1/(2 p_a) = 5.
        (("10", "10"), ("10", "11"), 5.0),
        # Parent ab, child ab: (½ p_b + ½ p_a) / (2 p_a p_b) = (0.3/2)/0.04 = 3.75 = (p_a+p_b)/(4 p_a p_b).
        (("10", "11"), ("10", "11"), 3.75),
        # Parent ab, child cd: no shared allele → 0 (Mendelian inconsistency).
        (("10", "11"), ("12", "13"), 0.0),
    ],
)
def test_duo_without_theta(small_table, parent, child, expected):
    result = lr(small_table, "parent-child", parent, child)
    assert close(result.total_lr, expected)
    assert (result.inconsistent_loci == ("D3S1358",)) == (expected == 0.0)


def test_duo_with_theta_shared_allele(small_table):
    # Parent ab, child ac, θ = 0.01 (NRC II 4.10 form): (1 + 2θ) / (4 [θ + (1-θ) p_a])
    #   = 1.02 / (4 · 0.109) = 1.02 / 0.436 = 2.3394495412844036.
    result = lr(small_table, "parent-child", ("10", "11"), ("10", "12"), theta=0.01)
    assert close(result.total_lr, 1.02 / 0.436)


def test_duo_with_theta_homozygotes(small_table):
    # Parent aa, child aa, θ = 0.01: numerator P(mother gives a | a,a seen) = (2θ + (1-θ)p_a)/(1+θ);
    # denominator P(aa | a,a seen) = (2θ+(1-θ)p_a)/(1+θ) · (3θ+(1-θ)p_a)/(1+2θ);
    # ratio (1+2θ)/(3θ+(1-θ)p_a) = 1.02/0.129 = 7.906976744186046.
    result = lr(small_table, "parent-child", ("10", "10"), ("10", "10"), theta=0.01)
    assert close(result.total_lr, 1.02 / 0.129)


# ---- trio --------------------------------------------------------------------------------------


def test_trio_classic(small_table):
    # Mother ab, alleged father cd, child ac: the paternal allele is c.
    # Numerator ½ (mother gives a) · ½ (AF gives c) = ¼; denominator ½ · p_c; PI = 1/(2 p_c) = 1/0.6.
    result = lr(small_table, "trio", ("10", "11"), ("12", "13"), ("10", "12"))
    assert close(result.total_lr, 1 / 0.6)


def test_trio_child_shares_both_mother_alleles(small_table):
    # Mother ab, AF ac, child ab: numerator = t_M(b) t_AF(a) = ½·½ = ¼ (t_AF(b) = 0);
    # denominator = ½ p_b + ½ p_a = 0.15; PI = 1/(2 (p_a + p_b)) = 0.25/0.15 = 5/3.
    result = lr(small_table, "trio", ("10", "11"), ("10", "12"), ("10", "11"))
    assert close(result.total_lr, 0.25 / 0.15)


def test_trio_with_theta(small_table):
    # As test_trio_classic with θ = 0.01: the random man's allele c is drawn given the four alleles
    # a, b, c, d of mother and AF: (1·θ + (1-θ) p_c)/(1 + 3θ) = 0.307/1.03.
    # PI = ¼ / (½ · 0.307/1.03) = 1.03 / (2 · 0.307) = 1.6775244299674268.
    result = lr(small_table, "trio", ("10", "11"), ("12", "13"), ("10", "12"), theta=0.01)
    assert close(result.total_lr, 1.03 / 0.614)


def test_trio_exclusion(small_table):
    # AF dd cannot give the child's paternal allele c → 0 and the locus is inconsistent.
    result = lr(small_table, "trio", ("10", "11"), ("13", "13"), ("10", "12"))
    assert result.total_lr == 0.0
    assert result.inconsistent_loci == ("D3S1358",)
    assert result.log10_lr == -math.inf


def test_trio_mother_child_inconsistent_is_neutral(small_table):
    # Mother aa, child cc: without mutation both hypotheses have probability 0 (the mother cannot give
    # c); the locus says nothing about the alleged father → LR 1, reported inconsistent.
    result = lr(small_table, "trio", ("10", "10"), ("12", "13"), ("12", "12"))
    assert result.total_lr == 1.0
    assert result.inconsistent_loci == ("D3S1358",)


# ---- couple --------------------------------------------------------------------------------------


def test_couple_heterozygous_child(small_table):
    # Mother ab, father cd, child ac: numerator ½·½ = ¼; denominator 2 p_a p_c = 0.06; LR = 25/6.
    result = lr(small_table, "couple", ("10", "11"), ("12", "13"), ("10", "12"))
    assert close(result.total_lr, 0.25 / 0.06)


def test_couple_homozygous_child(small_table):
    # Mother aa, father ab, child aa: numerator 1 · ½; denominator p_a² = 0.01; LR = 50.
    result = lr(small_table, "couple", ("10", "10"), ("10", "11"), ("10", "10"))
    assert close(result.total_lr, 50.0)


def test_couple_with_theta(small_table):
    # Mother ab, father cd, child ac, θ = 0.01: the unrelated child's genotype given the four parental
    # alleles a, b, c, d: 2 · (θ + (1-θ) p_a)/(1+3θ) · (θ + (1-θ) p_c)/(1+4θ).
    denominator = 2 * (0.01 + 0.99 * 0.1) / 1.03 * (0.01 + 0.99 * 0.3) / 1.04
    result = lr(small_table, "couple", ("10", "11"), ("12", "13"), ("10", "12"), theta=0.01)
    assert close(result.total_lr, 0.25 / denominator)


# ---- κ relationships -------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("relationship", "first", "second", "expected"),
    [
        # Full siblings ab/ab: (1 + p_a + p_b + 2 p_a p_b)/(8 p_a p_b) = 1.34/0.16 = 8.375.
        ("full-siblings", ("10", "11"), ("10", "11"), 8.375),
        # Full siblings aa/aa: (1 + p_a)² / (4 p_a²) = 1.21/0.04 = 30.25.
        ("full-siblings", ("10", "10"), ("10", "10"), 30.25),
        # Full siblings ab/ac: ¼ + ½ · (½ p_c)/(2 p_a p_c) = (1 + 2 p_a)/(8 p_a) = 1.5.
        ("full-siblings", ("10", "11"), ("10", "12"), 1.5),
        # Full siblings ab/cd: only IBD 0 possible → κ0 = ¼.
        ("full-siblings", ("10", "11"), ("12", "13"), 0.25),
        # Half siblings ab/ac: ½ + ½ · 1/(4 p_a) = ½ + 1.25 = 1.75.
        ("half-siblings", ("10", "11"), ("10", "12"), 1.75),
        # Half siblings aa/aa: ½ + ½ · p_a / p_a² = ½ + 1/(2 p_a) = 5.5.
        ("half-siblings", ("10", "10"), ("10", "10"), 5.5),
        # Grandparent and avuncular have the same κ = (½, ½, 0) as half siblings.
        ("grandparent", ("10", "11"), ("10", "12"), 1.75),
        ("avuncular", ("10", "10"), ("10", "10"), 5.5),
        # Half siblings ab/cd: ½.
        ("half-siblings", ("10", "11"), ("12", "13"), 0.5),
    ],
)
def test_kappa_relationships(small_table, relationship, first, second, expected):
    assert close(lr(small_table, relationship, first, second).total_lr, expected)


def test_general_kappa(small_table):
    # κ = (0, 1, 0) is the parent-child IBD pattern: ab/ac → 1/(4 p_a) = 2.5.
    assert close(lr(small_table, "kappa", ("10", "11"), ("10", "12"), kappa=(0, 1, 0)).total_lr, 2.5)
    # κ = (0, 0, 1) (monozygotic twins), ab/ab → 1/(2 p_a p_b) = 1/0.04 = 25.
    assert close(lr(small_table, "kappa", ("10", "11"), ("10", "11"), kappa=(0, 0, 1)).total_lr, 25.0)
    with pytest.raises(ValueError):
        lr(small_table, "kappa", ("10", "11"), ("10", "11"), kappa=(0.5, 0.6, 0))


def test_full_siblings_with_theta(small_table):
    # aa/aa, θ = 0.01.  P0 = P(aa | a,a) = (2θ+(1-θ)p)/(1+θ) · (3θ+(1-θ)p)/(1+2θ);
    # P1 = (2/2) · (2θ+(1-θ)p)/(1+θ); P2 = 1.  LR = ¼ + (½ P1 + ¼ P2)/P0.
    theta, p = 0.01, 0.1
    first = (2 * theta + (1 - theta) * p) / (1 + theta)
    p0 = first * (3 * theta + (1 - theta) * p) / (1 + 2 * theta)
    expected = 0.25 + (0.5 * first + 0.25) / p0
    assert close(lr(small_table, "full-siblings", ("10", "10"), ("10", "10"), theta=theta).total_lr, expected)


# ---- mutation -----------------------------------------------------------------------------------


def test_pedmut_readme_example(small_table):
    # pedmut/forrel README: four equifrequent alleles, equal model rate 0.1; father 1/1, son 2/2.
    # Published pedigree likelihood 0.0005208333 = p_1² · M[1,2] · Σ_z p_z M[z,2]
    #   = 0.0625 · (0.1/3) · 0.25.  The LR divides by p_1² p_2²: (0.1/3)·0.25/0.0625 = 0.1333…
    result = lr(
        small_table,
        "parent-child",
        ("14", "14"),
        ("15", "15"),
        mutation=MutationModel.uniform("equal", 0.1),
        locus="vWA",
    )
    assert close(result.total_lr, (0.1 / 3) * 0.25 / 0.0625)
    assert 0.0625 * 0.0625 * result.total_lr == pytest.approx(0.0005208333, rel=1e-7)
    assert result.inconsistent_loci == ("vWA",)


def test_duo_equal_model_untyped_mother_mutates(small_table):
    # Parent ab (10/11), child ac (10/12), equal model R = 0.01 on four alleles (R/3 off-diagonal).
    # t_P(a) = ½ (0.99 + R/3), t_P(c) = R/3; the untyped mother's allele y has probability
    # q(y) = Σ_z p_z M[z, y] = 0.99 p_y + (1 - p_y) R/3.
    rate = 0.01
    off = rate / 3
    t_a, t_c = 0.5 * (0.99 + off), off
    q_a, q_c = 0.99 * 0.1 + 0.9 * off, 0.99 * 0.3 + 0.7 * off
    expected = (t_a * q_c + t_c * q_a) / (2 * 0.1 * 0.3)
    result = lr(
        small_table, "parent-child", ("10", "11"), ("10", "12"), mutation=MutationModel.uniform("equal", rate)
    )
    assert close(result.total_lr, expected)


def test_duo_equal_model_without_untyped_mutation(small_table):
    # Same case with mutate_untyped=False: q(y) = p_y exactly.
    rate = 0.01
    off = rate / 3
    expected = (0.5 * (0.99 + off) * 0.3 + off * 0.1) / 0.06
    model = MutationModel("equal", rate, rate, mutate_untyped=False)
    result = lr(small_table, "parent-child", ("10", "11"), ("10", "12"), mutation=model)
    assert close(result.total_lr, expected)


def test_duo_stepwise_exclusion_becomes_small_lr(small_table):
    # Parent 10/10, child 11/11, stepwise R = 0.002, range 0.5, integer alleles 10..13.
    # Row 10 of M: weights 0.5, 0.25, 0.125 to 11, 12, 13, normalised to R → M[10,11] = R · 0.5/0.875.
    # q(11) = Σ_z p_z M[z, 11]: rows 10 and 12 give R·0.5/0.875 and R·0.5/0.75 (12's neighbours 11, 13
    # weigh 0.5 each and 10 weighs 0.25), row 13 gives R·0.25/0.875, row 11 gives 1 - R.
    rate = 0.002
    m_10_11 = rate * 0.5 / 0.875
    q_11 = 0.1 * m_10_11 + 0.2 * (1 - rate) + 0.3 * rate * 0.5 / 1.25 + 0.4 * rate * 0.25 / 0.875
    expected = m_10_11 * q_11 / (0.2 * 0.2)
    result = lr(
        small_table,
        "parent-child",
        ("10", "10"),
        ("11", "11"),
        mutation=MutationModel.uniform("stepwise", rate, microvariant_rate=0.0),
    )
    assert close(result.total_lr, expected)


def test_trio_with_mutation_random_man_mutates(small_table):
    # Mother 10/11, AF 13/13, child 10/12, equal model R = 0.01 (off-diagonal R/3 = off).
    # Numerator: mother gives 10 with ½(0.99 + off) and AF gives 12 with off; mother gives 12 with
    # ½(off + off) = off and AF gives 10 with off.  Denominator: the random man's allele y has
    # q(y) = Σ p_z M[z, y] (θ = 0) = 0.99 p_y + (1 - p_y) off.
    rate = 0.01
    off = rate / 3
    t_m_10, t_m_12 = 0.5 * (0.99 + off), off
    numerator = t_m_10 * off + t_m_12 * off
    q_10, q_12 = 0.99 * 0.1 + 0.9 * off, 0.99 * 0.3 + 0.7 * off
    denominator = t_m_10 * q_12 + t_m_12 * q_10
    result = lr(
        small_table,
        "trio",
        ("10", "11"),
        ("13", "13"),
        ("10", "12"),
        mutation=MutationModel.uniform("equal", rate),
    )
    assert close(result.total_lr, numerator / denominator)


def test_untyped_party_contributes_one(small_table):
    model = KinshipModel(small_table)
    persons = [{"D3S1358": ("10", "11"), "vWA": ("14", "15")}, {"D3S1358": ("10", "12")}]
    result = compute_lr("parent-child", persons, model=model)
    by_locus = {row.locus: row for row in result.loci}
    assert by_locus["vWA"].lr == 1.0 and not by_locus["vWA"].typed
    assert close(result.total_lr, 2.5)
    assert close(result.log10_lr, math.log10(2.5))
