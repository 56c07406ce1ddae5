"""Exactness of the parentage LRs against an independent brute-force pedigree likelihood.

The reference here is written from the definitions only, not from the engine's formulas: a pedigree
likelihood as forrel/pedprobr define it (every founder allele drawn from p; every parent → child
transmission through the transmitting parent's mutation matrix, or, under Familias's ``plain``
convention, the identity for parents untyped at the locus), computed by enumerating every ordered
genotype of every untyped member and every ordered state of the typed ones in plain Python loops, with
θ = 0.  The mutation matrices are written here from pedmut's definitions (not by calling the engine).
LR = P(data | H1) / P(data | H2).  Agreement is required to 1e-9 relative.
"""

from __future__ import annotations

import itertools
import math

import pytest

from fanguai.kinship.frequencies import parse_frequencies
from fanguai.kinship.lr import compute_lr
from fanguai.kinship.mutation import MutationModel

LOCUS = "D8S1179"
ALLELES = ["9", "10", "11", "12", "12.2", "13"]
FREQS = [0.125, 0.25, 0.125, 0.25, 0.0625, 0.1875]  # binary fractions: sum exactly 1
MALE_RATE, FEMALE_RATE = 0.03, 0.01  # different, so a wrong sex's matrix is noticed
RANGE = 0.4
MICROVARIANT = 0.004
RTOL = 1e-9


def _table():
    lines = ["Locus,Allele,Frequency"] + [f"{LOCUS},{a},{f}" for a, f in zip(ALLELES, FREQS, strict=True)]
    return parse_frequencies("\n".join(lines) + "\n", minimum_frequency=1e-6)


# --- pedmut matrices, written from their definitions -------------------------------------------------


def _equal(rate):
    n = len(ALLELES)
    return [[1 - rate if i == j else rate / (n - 1) for j in range(n)] for i in range(n)]


def _proportional(rate):
    alpha = rate / sum(p * (1 - p) for p in FREQS)
    n = len(ALLELES)
    return [[(1 - alpha if i == j else 0.0) + alpha * FREQS[j] for j in range(n)] for i in range(n)]


def _stepwise(rate, rate2, range_):
    values = [float(a) for a in ALLELES]
    decimal = [round((v - math.floor(v)) * 10) for v in values]
    n = len(values)
    matrix = []
    for i in range(n):
        same = [j for j in range(n) if j != i and decimal[j] == decimal[i]]
        other = [j for j in range(n) if decimal[j] != decimal[i]]
        row = [0.0] * n
        total = sum(range_ ** abs(values[j] - values[i]) for j in same)
        for j in same:
            row[j] = rate * range_ ** abs(values[j] - values[i]) / total
        for j in other:
            row[j] = rate2 / len(other)
        row[i] = 1 - (rate if same else 0.0) - (rate2 if other else 0.0)
        matrix.append(row)
    return matrix


def _matrices(kind):
    if kind == "equal":
        return _equal(MALE_RATE), _equal(FEMALE_RATE)
    if kind == "proportional":
        return _proportional(MALE_RATE), _proportional(FEMALE_RATE)
    return _stepwise(MALE_RATE, MICROVARIANT, RANGE), _stepwise(FEMALE_RATE, MICROVARIANT, RANGE)


def _identity():
    n = len(ALLELES)
    return [[1.0 if i == j else 0.0 for j in range(n)] for i in range(n)]


# --- brute-force pedigree likelihood -------------------------------------------------------------------


def _states(genotype):
    """Ordered allele-index states of a person: every pair if untyped, else the 1–2 orders."""
    n = len(ALLELES)
    if genotype is None:
        return list(itertools.product(range(n), range(n)))
    a, b = (ALLELES.index(x) for x in genotype)
    return [(a, b)] if a == b else [(a, b), (b, a)]


def _likelihood(pedigree, male, female, plain, theta=0.0):
    """``pedigree``: ``[(name, father, mother, genotype or None)]`` with parents listed first.

    A non-founder's ordered state is (paternal allele, maternal allele).  Founders draw their alleles
    from p, in pedigree order; with θ > 0 by Balding–Nichols sequential sampling (the k-th founder
    allele is x with probability (θ·#x among earlier founder alleles + (1-θ)p_x) / (1 + (k-1)θ)).
    A transmission: the parent passes either allele with probability ½, then it mutates
    through the parent's sex's matrix (the identity under ``plain`` when that parent is untyped).
    """
    names = [person[0] for person in pedigree]
    total = 0.0
    for assignment in itertools.product(*(_states(person[3]) for person in pedigree)):
        state = dict(zip(names, assignment, strict=True))
        probability = 1.0
        drawn: list[int] = []
        for name, father, mother, _genotype in pedigree:
            first, second = state[name]
            if father is None:
                for allele in (first, second):
                    seen = len(drawn)
                    probability *= (theta * drawn.count(allele) + (1 - theta) * FREQS[allele]) / (
                        1 + (seen - 1) * theta
                    )
                    drawn.append(allele)
                continue
            typed = {person[0]: person[3] is not None for person in pedigree}
            paternal = _identity() if plain and not typed[father] else male
            maternal = _identity() if plain and not typed[mother] else female
            probability *= sum(0.5 * paternal[z][first] for z in state[father])
            probability *= sum(0.5 * maternal[z][second] for z in state[mother])
        total += probability
    return total


def _reference_lr(kind, plain, h1, h2, theta=0.0):
    male, female = _matrices(kind)
    return _likelihood(h1, male, female, plain, theta) / _likelihood(h2, male, female, plain, theta)


def _engine_lr(kind, plain, relationship, persons, parent_sex="male", theta=0.0):
    model = MutationModel(
        kind,
        MALE_RATE,
        FEMALE_RATE,
        RANGE,
        MICROVARIANT if kind == "stepwise" else 0.0,
        mutate_untyped=not plain,
    )
    profiles = [{} if genotype is None else {LOCUS: genotype} for genotype in persons]
    result = compute_lr(
        relationship, profiles, frequencies=_table(), mutation=model, parent_sex=parent_sex, theta=theta
    )
    return result.loci[0].lr if result.loci else 1.0


def _duo(parent, child, parent_sex="male"):
    if parent_sex == "male":
        h1 = [("F", None, None, parent), ("Mo", None, None, None), ("C", "F", "Mo", child)]
    else:
        h1 = [("Fa", None, None, None), ("Mo", None, None, parent), ("C", "Fa", "Mo", child)]
    h2 = [("P", None, None, parent), ("C", None, None, child)]
    return h1, h2


def _trio(mother, father, child):
    h1 = [("AF", None, None, father), ("Mo", None, None, mother), ("C", "AF", "Mo", child)]
    h2 = [
        ("AF", None, None, father),
        ("Mo", None, None, mother),
        ("R", None, None, None),
        ("C", "R", "Mo", child),
    ]
    return h1, h2


def _couple(mother, father, child):
    h1 = [("F", None, None, father), ("Mo", None, None, mother), ("C", "F", "Mo", child)]
    h2 = [
        person for person in [("F", None, None, father), ("Mo", None, None, mother)] if person[3] is not None
    ]
    return h1, [*h2, ("C", None, None, child)]


KINDS = ("equal", "proportional", "stepwise")
CONVENTIONS = (False, True)  # plain?

DUO_CASES = [
    (("10", "11"), ("11", "12")),  # consistent, shared allele 11
    (("12", "12"), ("12", "12.2")),  # homozygous parent, microvariant child allele
    (("9", "10"), ("11", "13")),  # excluded: only a mutation (10 → 11) explains it
]


@pytest.mark.parametrize("kind", KINDS)
@pytest.mark.parametrize("plain", CONVENTIONS)
@pytest.mark.parametrize("parent_sex", ["male", "female"])
@pytest.mark.parametrize(("parent", "child"), DUO_CASES)
def test_duo_matches_brute_force(kind, plain, parent_sex, parent, child):
    expected = _reference_lr(kind, plain, *_duo(parent, child, parent_sex))
    got = _engine_lr(kind, plain, "parent-child", [parent, child], parent_sex)
    assert got == pytest.approx(expected, rel=RTOL, abs=0)


TRIO_CASES = [
    (("9", "12.2"), ("10", "11"), ("11", "12.2")),  # consistent
    (("12", "13"), ("10", "10"), ("10", "13")),  # consistent, homozygous father
    (("12", "13"), ("9", "9"), ("10", "13")),  # father excluded: 9 → 10 mutation
    (("9", "9"), ("11", "12"), ("10", "12")),  # mother explained only by a mutation
]


@pytest.mark.parametrize("kind", KINDS)
@pytest.mark.parametrize("plain", CONVENTIONS)
@pytest.mark.parametrize(("mother", "father", "child"), TRIO_CASES)
def test_trio_matches_brute_force(kind, plain, mother, father, child):
    expected = _reference_lr(kind, plain, *_trio(mother, father, child))
    got = _engine_lr(kind, plain, "trio", [mother, father, child])
    assert got == pytest.approx(expected, rel=RTOL, abs=0)


@pytest.mark.parametrize("kind", KINDS)
@pytest.mark.parametrize("plain", CONVENTIONS)
@pytest.mark.parametrize(("mother", "father", "child"), TRIO_CASES)
def test_couple_matches_brute_force(kind, plain, mother, father, child):
    expected = _reference_lr(kind, plain, *_couple(mother, father, child))
    got = _engine_lr(kind, plain, "couple", [mother, father, child])
    assert got == pytest.approx(expected, rel=RTOL, abs=0)


PARTLY_TYPED = [
    ("trio", (None, ("10", "11"), ("11", "12"))),  # mother untyped: marginal of father and child
    ("trio", (None, ("9", "10"), ("11", "13"))),  # ... inconsistent with the father
    ("couple", (("12", "13"), None, ("10", "13"))),  # father untyped: mother's duo
    ("couple", (None, ("9", "9"), ("10", "13"))),  # mother untyped: father's duo, inconsistent
]


@pytest.mark.parametrize("kind", KINDS)
@pytest.mark.parametrize("plain", CONVENTIONS)
@pytest.mark.parametrize(("relationship", "persons"), PARTLY_TYPED)
def test_partly_typed_parents_match_brute_force(kind, plain, relationship, persons):
    build = _trio if relationship == "trio" else _couple
    expected = _reference_lr(kind, plain, *build(*persons))
    got = _engine_lr(kind, plain, relationship, list(persons))
    assert got == pytest.approx(expected, rel=RTOL, abs=0)
    assert got != 1.0


@pytest.mark.parametrize("kind", KINDS)
@pytest.mark.parametrize("plain", CONVENTIONS)
@pytest.mark.parametrize(("relationship", "persons"), PARTLY_TYPED[:2] + [("trio", TRIO_CASES[0])])
def test_theta_matches_sequential_sampling_brute_force(kind, plain, relationship, persons):
    """θ = 0.05: founders are drawn sequentially (typed founders first, as the engine conditions)."""
    expected = _reference_lr(kind, plain, *_trio(*persons), theta=0.05)
    got = _engine_lr(kind, plain, relationship, list(persons), theta=0.05)
    assert got == pytest.approx(expected, rel=RTOL, abs=0)


@pytest.mark.parametrize("kind", KINDS)
@pytest.mark.parametrize(("parent", "child"), DUO_CASES)
def test_duo_with_theta_matches_sequential_sampling_brute_force(kind, parent, child):
    expected = _reference_lr(kind, False, *_duo(parent, child), theta=0.05)
    got = _engine_lr(kind, False, "parent-child", [parent, child], theta=0.05)
    assert got == pytest.approx(expected, rel=RTOL, abs=0)


def test_reference_is_sensitive_to_the_convention():
    """The two conventions really differ for a non-stationary model (so the tests above discriminate)."""
    case = _duo(("9", "10"), ("11", "13"))
    assert _reference_lr("equal", False, *case) != pytest.approx(
        _reference_lr("equal", True, *case), rel=1e-6
    )
    case = _trio(None, ("10", "11"), ("11", "12"))
    assert _reference_lr("stepwise", False, *case) != pytest.approx(
        _reference_lr("stepwise", True, *case), rel=1e-6
    )


def test_reference_matches_the_published_pedmut_example():
    """Sanity of the reference itself: forrel/pedmut README, 4 equifrequent alleles, rate 0.1, father 1/1,
    son 2/2 (mother untyped): the published pedigree likelihood is 0.0005208333."""
    global ALLELES, FREQS  # noqa: PLW0603 - the helper functions read the module-level locus
    saved = ALLELES, FREQS
    ALLELES, FREQS = ["1", "2", "3", "4"], [0.25] * 4
    try:
        rate = 0.1
        h1, _ = _duo(("1", "1"), ("2", "2"))
        assert _likelihood(h1, _equal(rate), _equal(rate), plain=False) == pytest.approx(
            0.0005208333, rel=1e-6
        )
    finally:
        ALLELES, FREQS = saved


# --- partly typed parents: hand-worked values without mutation ----------------------------------------
# p: 9 → 0.125, 10 → 0.25, 11 → 0.125, 12 → 0.25, 12.2 → 0.0625, 13 → 0.1875.


def _plain_lr(relationship, persons, mutation=None):
    profiles = [{} if genotype is None else {LOCUS: genotype} for genotype in persons]
    return compute_lr(relationship, profiles, frequencies=_table(), mutation=mutation).loci[0]


def test_trio_with_untyped_mother_is_the_father_child_duo():
    # AF 10/11, child 11/12: the father gives 11 with ½, the child's other allele 12 is random:
    # LR = ½·p12 / (2·p11·p12) = 1/(4·p11) = 1/(4·0.125) = 2.
    row = _plain_lr("trio", [None, ("10", "11"), ("11", "12")])
    assert row.lr == pytest.approx(2.0, rel=1e-12)
    assert row.partial and not row.typed and not row.inconsistent
    # AF 11/11, child 11/12: 1/(2·p11) = 4.
    assert _plain_lr("trio", [None, ("11", "11"), ("11", "12")]).lr == pytest.approx(4.0, rel=1e-12)


def test_trio_with_untyped_mother_counts_an_exclusion():
    # AF 9/10, child 11/13: no shared allele → LR 0 without mutation, listed as inconsistent.
    row = _plain_lr("trio", [None, ("9", "10"), ("11", "13")])
    assert row.lr == 0.0 and row.inconsistent
    # Equal model, rate R, n = 6 alleles, plain: t_AF(11) = t_AF(13) = R/5, the mother gives p:
    # LR = (R/5)(p13 + p11) / (2·p11·p13) = (0.03/5)(0.3125)/(2·0.125·0.1875) = 0.04.
    model = MutationModel("equal", 0.03, 0.03, mutate_untyped=False)
    row = _plain_lr("trio", [None, ("9", "10"), ("11", "13")], model)
    assert row.lr == pytest.approx(0.006 * 0.3125 / (2 * 0.125 * 0.1875), rel=1e-12)
    assert row.lr == pytest.approx(0.04, rel=1e-12)


def test_trio_with_untyped_alleged_father_or_child_is_neutral():
    assert _plain_lr("trio", [("10", "11"), None, ("11", "12")]).lr == 1.0
    assert _plain_lr("trio", [("10", "11"), ("11", "12"), None]).lr == 1.0
    model = MutationModel.uniform("stepwise", 0.01)
    row = _plain_lr("trio", [("9", "9"), None, ("11", "12")], model)
    assert row.lr == 1.0 and not row.partial


def test_couple_with_one_untyped_parent_is_the_typed_parents_duo():
    # Father untyped; mother 12/13, child 10/13: 1/(4·p13) = 1/0.75.
    row = _plain_lr("couple", [("12", "13"), None, ("10", "13")])
    assert row.lr == pytest.approx(1 / 0.75, rel=1e-12)
    assert row.partial
    # Mother untyped; father 12/12, child 12/12: 1/p12 = 4.
    assert _plain_lr("couple", [None, ("12", "12"), ("12", "12")]).lr == pytest.approx(4.0, rel=1e-12)
    # Inconsistent typed parent: LR 0 and listed.
    row = _plain_lr("couple", [None, ("9", "9"), ("10", "13")])
    assert row.lr == 0.0 and row.inconsistent
    # Both parents untyped: no information.
    assert _plain_lr("couple", [None, None, ("10", "13")]).lr == 1.0


def test_couple_partly_typed_uses_the_typed_parents_sex():
    # Mother typed: her (female) rate applies. Equal model, female rate 0.01, male 0.5, plain:
    # mother 9/9, child 10/12 → t_M(10) = t_M(12) = 0.01/5; LR = 0.002·(p12 + p10)/(2·p10·p12) = 0.008.
    model = MutationModel("equal", 0.5, 0.01, mutate_untyped=False)
    row = _plain_lr("couple", [("9", "9"), None, ("10", "12")], model)
    assert row.lr == pytest.approx(0.002 * 0.5 / (2 * 0.25 * 0.25), rel=1e-12)


def test_partly_typed_trio_with_theta_under_plain_equals_the_duo():
    """Under ``plain`` the untyped mother's and random man's alleles are plain founder draws, so the
    marginal trio LR is the duo LR exactly, θ included (see formulas.trio_mother_untyped_lr)."""
    table = _table()
    for father, child in [
        (("10", "11"), ("11", "12")),
        (("12", "12"), ("12", "12")),
        (("10", "11"), ("10", "11")),
    ]:
        for kind in ("none", "equal", "stepwise"):
            model = None if kind == "none" else MutationModel(kind, 0.02, 0.01, 0.5, mutate_untyped=False)
            trio = compute_lr(
                "trio", [{}, {LOCUS: father}, {LOCUS: child}], frequencies=table, mutation=model, theta=0.03
            )
            duo = compute_lr(
                "parent-child",
                [{LOCUS: father}, {LOCUS: child}],
                frequencies=table,
                mutation=model,
                theta=0.03,
            )
            assert trio.total_lr == pytest.approx(duo.total_lr, rel=1e-12)
