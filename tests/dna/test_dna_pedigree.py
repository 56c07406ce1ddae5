"""Family references registered as pedigrees (issue 12): both grandparents of a missing child, searched like
a couple against the found side; validation; laboratory-only pages with audited reads."""

import pytest
from django.core.exceptions import PermissionDenied

from fanguai.audit.models import AuditEvent
from fanguai.core.errors import ValidationFailed
from fanguai.dna import comparison, services
from fanguai.dna.models import Candidate, Category, FamilyPedigree, PedigreeMember
from fanguai.dna.simulate import child_of, long_csv, random_profile
from fanguai.kinship.pedigree import compute_pedigree_lr, parse_pedigree

from ..permissions import Row, check_matrix, count_of
from .conftest import collect

GRANDPARENTS = """id,father,mother,sex,specimen
GF,,,M,{gf}
GM,,,F,{gm}
P,GF,GM,M,
O,,,F,
X,P,O,M,
"""


@pytest.fixture
def grandparents(alice, analyst, rng, django_capture_on_commit_callbacks):
    """Typed paternal grandparents, their grandchild found as a child of unknown origin, an unrelated child."""
    gf_profile, gm_profile, other_parent = random_profile(rng), random_profile(rng), random_profile(rng)
    grandchild_profile = child_of(rng, other_parent, child_of(rng, gm_profile, gf_profile))
    _, gf = collect(alice, Category.RELATIVE, relation="grandparent", sex="male", analyst=analyst)
    _, gm = collect(alice, Category.RELATIVE, relation="grandparent", sex="female", analyst=analyst)
    _, grandchild = collect(alice, Category.UNKNOWN_ORIGIN, analyst=analyst)
    _, stranger = collect(alice, Category.UNKNOWN_ORIGIN, analyst=analyst)
    profiles = {
        gf.number: gf_profile,
        gm.number: gm_profile,
        grandchild.number: grandchild_profile,
        stranger.number: random_profile(rng),
    }
    with django_capture_on_commit_callbacks(execute=True):
        services.import_profiles(actor=analyst, text=long_csv(profiles), kit="globalfiler")
    return {"gf": gf, "gm": gm, "grandchild": grandchild, "stranger": stranger, "profiles": profiles}


def register(analyst, s, capture, missing="X", text=None):
    with capture(execute=True):
        return services.register_pedigree(
            actor=analyst,
            text=text or GRANDPARENTS.format(gf=s["gf"].number, gm=s["gm"].number),
            missing=missing,
        )


def expected_lr(s, found):
    model = comparison.model_for(comparison.active_settings())
    pedigree = parse_pedigree(GRANDPARENTS.format(gf="", gm=""))
    family = {"GF": s["profiles"][s["gf"].number], "GM": s["profiles"][s["gm"].number]}
    covering = model.covering(list(s["profiles"].values()))
    return compute_pedigree_lr(pedigree, family, "X", s["profiles"][found.number], model=covering)


def test_registered_grandparents_find_the_grandchild(
    grandparents, analyst, django_capture_on_commit_callbacks
):
    s = grandparents
    pedigree = register(analyst, s, django_capture_on_commit_callbacks)
    assert PedigreeMember.objects.filter(pedigree=pedigree).count() == 5
    assert set(
        PedigreeMember.objects.filter(pedigree=pedigree, specimen__isnull=False).values_list(
            "member_id", flat=True
        )
    ) == {"GF", "GM"}
    found = Candidate.objects.get(pedigree=pedigree, found_specimen=s["grandchild"])
    assert found.relationship == "pedigree" and found.family_specimen == s["gf"]
    expected = expected_lr(s, s["grandchild"])
    # The stored numbers come from the search tables; `compute_pedigree_lr` enters the candidate as typed
    # and equals them up to rounding.
    assert found.total_lr == pytest.approx(expected.total_lr, rel=1e-12)
    assert [row["lr"] for row in found.loci] == pytest.approx([row.lr for row in expected.loci], rel=1e-12)
    assert found.total_lr > 1
    stranger = Candidate.objects.filter(pedigree=pedigree, found_specimen=s["stranger"]).first()
    if stranger is not None:
        assert stranger.total_lr < found.total_lr
    event = AuditEvent.objects.filter(action="dna.pedigree.register").get()
    assert event.details == {"members": 5, "typed": 2}


def test_a_new_found_profile_is_searched_against_registered_pedigrees(
    grandparents, analyst, alice, rng, django_capture_on_commit_callbacks
):
    s = grandparents
    pedigree = register(analyst, s, django_capture_on_commit_callbacks)
    Candidate.objects.filter(pedigree=pedigree).delete()
    # a second grandchild (a sibling of the first), typed after the pedigree was registered
    _, sibling = collect(alice, Category.RESCUED, analyst=analyst)
    profile = child_of(
        rng, random_profile(rng), child_of(rng, s["profiles"][s["gm"].number], s["profiles"][s["gf"].number])
    )
    s["profiles"][sibling.number] = profile
    with django_capture_on_commit_callbacks(execute=True):
        services.import_profiles(actor=analyst, text=long_csv({sibling.number: profile}), kit="globalfiler")
    found = Candidate.objects.get(pedigree=pedigree, found_specimen=sibling)
    assert found.total_lr == pytest.approx(expected_lr(s, sibling).total_lr, rel=1e-12)


@pytest.mark.parametrize(
    ("text", "missing", "field"),
    [
        ("id,father,mother,sex,specimen\nGF,,,M,{gf}\nX,GF,,M,\n", "X", "members"),
        ("id,father,mother,sex,specimen\nGF,,,M,{gf}\nGM,,,F,\nX,GF,GM,M,\n", "Y", "missing"),
        ("id,father,mother,sex,specimen\nGF,,,M,{gf}\nGM,,,F,\nX,GF,GM,M,{gm}\n", "X", "missing"),
        ("id,father,mother,sex,specimen\nGF,,,M,DNA0000000000\nGM,,,F,\nX,GF,GM,M,\n", "X", "GF"),
        ("id,father,mother,sex,specimen\nGF,,,M,{child}\nGM,,,F,\nX,GF,GM,M,\n", "X", "GF"),
        ("id,father,mother,sex,specimen\nGF,,,M,\nGM,,,F,\nX,GF,GM,M,\n", "X", "specimen"),
    ],
)
def test_invalid_pedigrees_are_refused(grandparents, analyst, text, missing, field):
    s = grandparents
    text = text.format(gf=s["gf"].number, gm=s["gm"].number, child=s["grandchild"].number)
    with pytest.raises(ValidationFailed) as exc:
        services.register_pedigree(actor=analyst, text=text, missing=missing, enqueue=False)
    assert field in {e.field for e in exc.value.errors}
    assert FamilyPedigree.objects.count() == 0


def test_only_the_laboratory_registers(grandparents, alice):
    s = grandparents
    with pytest.raises(PermissionDenied):
        services.register_pedigree(
            actor=alice, text=GRANDPARENTS.format(gf=s["gf"].number, gm=s["gm"].number), missing="X"
        )


@pytest.fixture
def scenario(grandparents, analyst, cast, django_capture_on_commit_callbacks):
    s = grandparents
    pedigree = register(analyst, s, django_capture_on_commit_callbacks)
    return {**s, "pedigree": pedigree, "users": cast}


LAB = frozenset({"analyst"})
PEDIGREE_MATRIX = [
    Row("pedigree list", lambda s: "/dna/lab/pedigrees/", LAB, secret=lambda s: s["gf"].number),
    Row(
        "pedigree detail",
        lambda s: f"/dna/lab/pedigrees/{s['pedigree'].pk}/",
        LAB,
        secret=lambda s: s["gm"].number,
    ),
    Row(
        "pedigree register",
        lambda s: "/dna/lab/pedigrees/",
        LAB,
        method="post",
        data=lambda s: {
            "members": f"id,father,mother,sex,specimen\nGM,,,F,{s['gm'].number}\nF,,,M,\nX,F,GM,M,\n",
            "missing": "X",
        },
        effect=count_of("dna.FamilyPedigree"),
    ),
]


def test_pedigree_permission_matrix(scenario):
    check_matrix(PEDIGREE_MATRIX, scenario, scenario["users"])


def test_reading_a_pedigree_is_audited(scenario, login):
    client = login(scenario["users"]["analyst"])
    response = client.get(f"/dna/lab/pedigrees/{scenario['pedigree'].pk}/")
    assert response.status_code == 200
    assert scenario["gm"].number in response.content.decode()
    assert AuditEvent.objects.filter(
        action="dna.pedigree.view", object_id=str(scenario["pedigree"].pk)
    ).exists()


# --- Pedigrees the engine cannot compute; problems in the user's language ---------------------------------


def test_a_pedigree_the_engine_cannot_search_is_shown_to_the_analyst(
    grandparents, analyst, login, monkeypatch, django_capture_on_commit_callbacks
):
    """θ > 0 beyond the engine's limit of founder-allele structures: the pedigree is not searched, and the
    pedigree page, the list and the run page say so (not silently dropped); a later search clears it."""
    from django.utils.html import escape

    from fanguai.dna.models import AnalysisSettings, ComparisonRun
    from fanguai.kinship import pedigree as kinship_pedigree

    s = grandparents
    AnalysisSettings.objects.filter(is_active=True).update(theta=0.01)
    monkeypatch.setattr(kinship_pedigree, "MAX_THETA_STRUCTURES", 1)
    pedigree = register(analyst, s, django_capture_on_commit_callbacks)
    pedigree.refresh_from_db()
    assert not Candidate.objects.filter(pedigree=pedigree).exists()
    assert pedigree.search_skipped_at is not None
    assert [p["message"] for p in pedigree.search_problems] and all(
        "θ" in p["message"] for p in pedigree.search_problems
    )
    client = login(analyst)
    page = client.get(f"/dna/lab/pedigrees/{pedigree.pk}/").content.decode()
    assert 'id="pedigree-skipped"' in page
    text = pedigree.search_problem_texts[0]
    assert "θ" in text and escape(text) in page
    assert "not searched" in client.get("/dna/lab/pedigrees/").content.decode()
    run = ComparisonRun.objects.order_by("-id").first()
    run_page = client.get(f"/dna/lab/runs/{run.pk}/").content.decode()
    assert 'id="skipped-pedigrees"' in run_page and f"/dna/lab/pedigrees/{pedigree.pk}/" in run_page

    monkeypatch.setattr(kinship_pedigree, "MAX_THETA_STRUCTURES", 5_000)
    with django_capture_on_commit_callbacks(execute=True):
        services.start_full_run(actor=analyst)
    pedigree.refresh_from_db()
    assert pedigree.search_skipped_at is None and pedigree.search_problems == []
    assert Candidate.objects.filter(pedigree=pedigree, found_specimen=s["grandchild"]).exists()
    page = client.get(f"/dna/lab/pedigrees/{pedigree.pk}/").content.decode()
    assert 'id="pedigree-skipped"' not in page


def test_an_invalid_pedigree_is_refused_with_the_engine_problem_in_the_users_words(grandparents, analyst):
    text = f"id,father,mother,sex,specimen\nGF,,,M,{grandparents['gf'].number}\nX,GF,,M,\n"
    with pytest.raises(ValidationFailed) as exc:
        services.register_pedigree(actor=analyst, text=text, missing="X", enqueue=False)
    messages = [e.message for e in exc.value.errors if e.field == "members"]
    # The engine's coded problem ("one_parent") is rendered from the DNA app's own text, not the English one.
    assert messages == [
        "Member X: give both parents or none (add an untyped founder for the unknown parent)."
    ]


def test_coded_pedigree_problems_are_rendered_from_their_code():
    """When the engine gives codes (proposed for fanguai.kinship.pedigree), each is rendered from its params;
    an unknown code falls back to the English text after the lead-in."""
    from types import SimpleNamespace

    from fanguai.dna.pedigree_messages import error_texts, problem_text, problems_of

    error = SimpleNamespace(
        errors=["ignored"],
        problems=[
            SimpleNamespace(
                code="unknown_parent",
                params={"member": "X", "role": "mother", "parent": "M9"},
                message="member 'X': unknown mother 'M9'",
            ),
            SimpleNamespace(code="cycle", params={"cycle": "A -> B -> A"}, message="cycle: A -> B -> A"),
            SimpleNamespace(code="new_kind", params={}, message="something new"),
        ],
    )
    assert error_texts(error) == [
        "Member X: the mother M9 is not a member of the pedigree.",
        "The pedigree has a cycle: A -> B -> A.",
        "Pedigree problem: something new",
    ]
    stored = problems_of(error)
    assert stored[0] == {
        "code": "unknown_parent",
        "params": {"member": "X", "role": "mother", "parent": "M9"},
        "message": "member 'X': unknown mother 'M9'",
    }
    # Params that do not fit the template: the English text is kept.
    assert problem_text({"code": "cycle", "params": {}, "message": "cycle!"}) == "Pedigree problem: cycle!"
