"""The permission matrix of trafficking cases: pages and API for the whole cast. The case belongs to alice's
unit (霍邱县公安局): alice works on it, the office reads it; bob, charlie and dave see nothing. Leaders see the
clearance rate (counts only)."""

import pytest
from django.utils import timezone

from fanguai.cases import services

from ..permissions import Row, check_row
from .conftest import OWNERS, SECRET

pytestmark = pytest.mark.django_db
EVERYONE = frozenset({"alice", "bob", "charlie", "dave", "office"})
STAFF = frozenset({"alice", "charlie", "office"})
READERS = frozenset({"alice", "office"})
INVESTIGATORS = frozenset({"alice", "charlie"})
ALICE = frozenset({"alice"})
CLEARANCE = frozenset({"alice", "charlie", "dave", "office"})


@pytest.fixture
def scenario(case, alice):
    record = services.set_responsibility(
        actor=alice, case=case, chief_name="王局长", chief_position="局长", owners=OWNERS
    )
    return {"case": case, "package": record.packages.first()}


ROWS = [
    Row("case list", lambda s: "/cases/", STAFF),
    Row("case create", lambda s: "/cases/new/", INVESTIGATORS),
    Row("case detail", lambda s: f"/cases/{s['case'].pk}/", READERS, secret=lambda s: SECRET),
    Row(
        "case status",
        lambda s: f"/cases/{s['case'].pk}/status/",
        ALICE,
        method="post",
        data=lambda s: {"status": "investigating"},
    ),
    Row(
        "responsibility", lambda s: f"/cases/{s['case'].pk}/responsibility/", ALICE, secret=lambda s: "王局长"
    ),
    Row(
        "package",
        lambda s: f"/cases/packages/{s['package'].pk}/",
        ALICE,
        method="post",
        data=lambda s: {"status": "done"},
    ),
    Row(
        "party",
        lambda s: f"/cases/{s['case'].pk}/parties/",
        ALICE,
        method="post",
        data=lambda s: {"role": "victim", "full_name": "x"},
    ),
    Row(
        "event",
        lambda s: f"/cases/{s['case'].pk}/events/",
        ALICE,
        method="post",
        data=lambda s: {
            "kind": "note",
            "occurred_at": timezone.localtime().strftime("%Y-%m-%dT%H:%M"),
            "text": "t",
        },
    ),
    Row(
        "clue",
        lambda s: f"/cases/{s['case'].pk}/clues/",
        ALICE,
        method="post",
        data=lambda s: {"clue_number": "K1"},
    ),
    Row("attach", lambda s: f"/cases/{s['case'].pk}/attach/", ALICE, method="post"),
    Row("clearance", lambda s: "/cases/clearance/", CLEARANCE),
    Row("api cases", lambda s: "/api/cases", EVERYONE),
    Row("api case", lambda s: f"/api/cases/{s['case'].pk}", READERS, secret=lambda s: SECRET),
    Row("api clearance", lambda s: f"/api/cases/clearance?year={timezone.localdate().year}", CLEARANCE),
]


@pytest.mark.parametrize("row", ROWS, ids=[row.name for row in ROWS])
def test_permission_matrix(row, scenario, alice, bob, charlie, dave, office):
    check_row(row, scenario, {"alice": alice, "bob": bob, "charlie": charlie, "dave": dave, "office": office})


def test_lists_show_only_visible_cases(scenario, charlie, bob, dave, login):
    for user in (charlie, bob, dave):
        assert SECRET not in login(user).get("/api/cases").content.decode()
    assert SECRET not in login(charlie).get("/cases/").content.decode()
    assert SECRET in login(scenario["case"].created_by).get("/cases/").content.decode()
