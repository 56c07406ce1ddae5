"""The permission matrix of trafficking cases: pages and API for the whole cast. The case belongs to alice's
unit (霍邱县公安局): alice works on it, the office reads it; bob, charlie and dave see nothing. Leaders see the
clearance rate (counts only)."""

import pytest
from django.utils import timezone

from fanguai.cases import services
from fanguai.cases.models import Case, ClueLink, Responsibility
from fanguai.clues import services as clue_services
from fanguai.org.models import Region

from ..permissions import SIGNED_IN, Row, attachment, check_matrix, field_of, files_of
from .conftest import SECRET

pytestmark = pytest.mark.django_db
EVERYONE = frozenset({"alice", "bob", "charlie", "dave", "office"})
STAFF = frozenset({"alice", "charlie", "office"})
READERS = frozenset({"alice", "office"})
INVESTIGATORS = frozenset({"alice", "charlie"})
ALICE = frozenset({"alice"})
CLEARANCE = frozenset({"alice", "charlie", "dave", "office", "coordinator"})


@pytest.fixture
def scenario(case, cast, chief):
    alice, office = cast["alice"], cast["office"]
    # alice owns the three packages: naming someone of the cast would widen who sees the case
    owners = {"solve": alice, "rescue": alice, "family": alice}
    record = services.set_responsibility(
        actor=alice, case=case, chief=chief, chief_position="局长", owners=owners
    )
    clue = clue_services.record_clue(
        actor=office,
        source="hotline_110",
        category="trafficking",
        description="线索描述",
        region=Region.objects.get(code="341522"),
    )
    clue_services.transfer(actor=office, clue=clue, to_unit=alice.unit)
    return {"case": case, "package": record.packages.first(), "clue": clue, "users": cast}


def count(relation: str):
    """An effect: how many rows the case has in a relation (parties, events, clue_links)."""
    return lambda s: getattr(Case.objects.get(pk=s["case"].pk), relation).count()


ROWS = [
    Row("case list", lambda s: "/cases/", STAFF),
    Row("case create", lambda s: "/cases/new/", INVESTIGATORS),
    # a case from a clue: investigators who see the clue (charlie's county is another one)
    Row("case from clue", lambda s: f"/cases/from-clue/{s['clue'].pk}/", ALICE, secret=lambda s: "线索描述"),
    Row(
        "case from clue, filed",
        lambda s: f"/cases/from-clue/{s['clue'].pk}/",
        ALICE,
        method="post",
        data=lambda s: {
            "title": "由线索立案",
            "kind": "child_trafficking",
            "county": s["clue"].county_id,
            "filed_on": timezone.localdate().isoformat(),
            "summary": "",
        },
        effect=lambda s: ClueLink.objects.filter(clue=s["clue"]).count(),
    ),
    # link a clue to a case from the clue's side: investigators who see the clue and may change the case
    Row(
        "link clue to case",
        lambda s: f"/cases/link-clue/{s['clue'].pk}/",
        ALICE,
        secret=lambda s: s["clue"].number,
    ),
    Row(
        "link clue to case, linked",
        lambda s: f"/cases/link-clue/{s['clue'].pk}/",
        ALICE,
        method="post",
        data=lambda s: {"case_number": s["case"].number, "note": "同一线索"},
        effect=lambda s: ClueLink.objects.filter(clue=s["clue"], case=s["case"]).count(),
    ),
    Row("case detail", lambda s: f"/cases/{s['case'].pk}/", READERS, secret=lambda s: SECRET),
    Row(
        "case status",
        lambda s: f"/cases/{s['case'].pk}/status/",
        ALICE,
        method="post",
        data=lambda s: {"status": "investigating", "note": "立案侦查"},
        effect=field_of("case", "status"),
    ),
    Row(
        "responsibility", lambda s: f"/cases/{s['case'].pk}/responsibility/", ALICE, secret=lambda s: "王局长"
    ),
    Row(
        "responsibility, saved",
        lambda s: f"/cases/{s['case'].pk}/responsibility/",
        ALICE,
        method="post",
        data=lambda s: {
            "chief": s["users"]["alice"].pk,
            "chief_position": "副局长",
            "solve_owner": s["users"]["alice"].pk,
            "rescue_owner": s["users"]["alice"].pk,
            "family_owner": s["users"]["alice"].pk,
        },
        effect=lambda s: (
            Responsibility.objects.filter(case=s["case"]).values_list("chief_id", "chief_position").get()
        ),
    ),
    Row(
        "package",
        lambda s: f"/cases/packages/{s['package'].pk}/",
        ALICE,
        method="post",
        data=lambda s: {"status": "done", "notes": "已完成"},
        effect=field_of("package", "status"),
    ),
    Row(
        "party",
        lambda s: f"/cases/{s['case'].pk}/parties/",
        ALICE,
        method="post",
        data=lambda s: {"role": "victim", "full_name": "被害人甲", "sex": "female"},
        effect=count("parties"),
    ),
    Row(
        "event",
        lambda s: f"/cases/{s['case'].pk}/events/",
        ALICE,
        method="post",
        data=lambda s: {
            "kind": "note",
            "occurred_at": timezone.localtime().strftime("%Y-%m-%dT%H:%M"),
            "text": "询问证人",
        },
        effect=count("events"),
    ),
    Row(
        "clue",
        lambda s: f"/cases/{s['case'].pk}/clues/",
        ALICE,
        method="post",
        data=lambda s: {"clue_number": s["clue"].number, "note": "同一线索"},
        effect=count("clue_links"),
    ),
    Row(
        "attach",
        lambda s: f"/cases/{s['case'].pk}/attach/",
        ALICE,
        method="post",
        data=attachment,
        effect=files_of("case"),
    ),
    Row("clearance", lambda s: "/cases/clearance/", CLEARANCE),
    # API lists answer everyone signed in (empty when nothing is visible)
    Row("api cases", lambda s: "/api/cases", SIGNED_IN, secret=lambda s: SECRET, secret_readers=READERS),
    Row("api case", lambda s: f"/api/cases/{s['case'].pk}", READERS, secret=lambda s: SECRET),
    Row("api clearance", lambda s: f"/api/cases/clearance?year={timezone.localdate().year}", CLEARANCE),
]


def test_permission_matrix(scenario):
    """One scenario serves every row (each request is rolled back)."""
    check_matrix(ROWS, scenario, scenario["users"])


def test_lists_show_only_visible_cases(scenario, charlie, bob, dave, login):
    for user in (charlie, bob, dave):
        assert SECRET not in login(user).get("/api/cases").content.decode()
    assert SECRET not in login(charlie).get("/cases/").content.decode()
    assert SECRET in login(scenario["case"].created_by).get("/cases/").content.decode()
