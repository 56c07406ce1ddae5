"""Permission-matrix rows for the foundation's own pages and endpoints (people, files, notifications and
deadlines have theirs beside their tests)."""

import pytest

from fanguai.audit.services import record_event

from .permissions import Row, check_row

EVERYONE = frozenset({"alice", "bob", "charlie", "dave", "office"})

MATRIX = [
    Row("home", lambda s: "/", EVERYONE),
    Row("audit list", lambda s: "/audit/", frozenset(), secret=lambda s: "secret.action"),
    Row("audit export", lambda s: "/audit/export.csv", frozenset(), secret=lambda s: "secret.action"),
    Row("staff list", lambda s: "/accounts/staff/", frozenset(), secret=lambda s: "bob@example.invalid"),
    Row("staff create", lambda s: "/accounts/staff/new/", frozenset()),
    Row(
        "staff change",
        lambda s: f"/accounts/staff/{s['users']['bob'].pk}/",
        frozenset(),
        secret=lambda s: "bob@example.invalid",
    ),
    Row(
        "staff reset",
        lambda s: f"/accounts/staff/{s['users']['bob'].pk}/reset-security/",
        frozenset(),
        method="post",
    ),
    Row("api me", lambda s: "/api/me", EVERYONE),
    Row("api regions", lambda s: "/api/regions", EVERYONE),
    Row("api units", lambda s: "/api/units", EVERYONE),
]


@pytest.fixture
def scenario(alice, bob, charlie, dave, office):
    record_event("secret.action", actor=alice, object_type="x", object_id=1)
    return {"users": {"alice": alice, "bob": bob, "charlie": charlie, "dave": dave, "office": office}}


@pytest.mark.parametrize("row", MATRIX, ids=lambda r: r.name)
def test_permission_matrix(row, scenario):
    check_row(row, scenario, scenario["users"])
