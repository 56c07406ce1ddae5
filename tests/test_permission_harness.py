"""The permission-matrix harness itself (tests/permissions.py): it must fail a row that proves nothing. Before
it checked effects, a POST answered 302 or 200 counted as success even when nothing was written; these rows
are built inside the tests, so they are no matrix rows for the route-coverage test (which reads the rows
kept at module level)."""

import pytest

from fanguai.accounts.roles import Role
from fanguai.notifications.models import Notification
from fanguai.notifications.services import notify
from fanguai.people.models import Person
from fanguai.people.services import register_person

from .permissions import SIGNED_IN, Row, check_row, count_of, field_of

CHANGERS = frozenset({"alice", "office"})


@pytest.fixture
def scenario(cast):
    person = register_person(actor=cast["alice"], full_name="李某", sex="female")
    return {"person": person, "users": cast}


def test_a_write_that_redirects_after_an_error_fails(scenario):
    """Merging a record into itself is refused by the service; the view says so and redirects (302)."""
    row = Row(
        "merge into itself",
        lambda s: f"/people/{s['person'].pk}/merge/",
        CHANGERS,
        method="post",
        data=lambda s: {"duplicate": s["person"].pk},
        effect=field_of("person", "merged_into"),
    )
    with pytest.raises(AssertionError, match="alice was answered 302 but the write changed nothing"):
        check_row(row, scenario, scenario["users"])


def test_a_form_that_comes_back_with_errors_fails(scenario):
    """A staff account without a user name: the form is shown again with its errors (200)."""
    row = Row(
        "staff create without a name",
        lambda s: "/accounts/staff/new/",
        frozenset({"sysadmin"}),
        method="post",
        data=lambda s: {"role": "caseworker", "password": "Another-pass-2026!"},
        effect=count_of("accounts.User"),
    )
    with pytest.raises(AssertionError, match="sysadmin was answered 200 but the write changed nothing"):
        check_row(row, scenario, scenario["users"])


def test_a_write_row_without_an_effect_fails(scenario):
    row = Row("read all", lambda s: "/inbox/read-all/", SIGNED_IN, method="post")
    with pytest.raises(AssertionError, match="needs an effect"):
        check_row(row, scenario, scenario["users"])


def test_a_row_that_allows_nobody_fails(scenario):
    with pytest.raises(AssertionError, match="at least one member"):
        check_row(Row("nobody", lambda s: "/", frozenset()), scenario, scenario["users"])


def test_a_refused_user_whose_request_writes_fails(scenario):
    """Everyone may mark the own inbox read: a row claiming only the office may is caught on both counts."""
    for user in scenario["users"].values():
        notify(recipients=[user], subject="通知")
    row = Row(
        "read all",
        lambda s: "/inbox/read-all/",
        frozenset({"office"}),
        method="post",
        effect=lambda s: Notification.objects.filter(read_at__isnull=True).count(),
    )
    with pytest.raises(AssertionError) as failure:
        check_row(row, scenario, scenario["users"])
    assert "alice should be refused, got 302" in str(failure.value)
    assert "alice was refused but the write changed" in str(failure.value)


def test_every_request_is_rolled_back(scenario):
    """Each member starts from the same scenario: the writes of the check do not stay."""
    duplicate = register_person(actor=scenario["users"]["alice"], full_name="李", sex="female")
    row = Row(
        "merge",
        lambda s: f"/people/{s['person'].pk}/merge/",
        CHANGERS,
        method="post",
        data=lambda s: {"duplicate": duplicate.pk},
        effect=lambda s: Person.objects.get(pk=duplicate.pk).merged_into_id,
    )
    check_row(row, scenario, scenario["users"])  # alice and the office each merged it, in turn
    assert Person.objects.get(pk=duplicate.pk).merged_into_id is None


def test_a_row_must_cover_the_route_it_declares(scenario):
    row = Row("home", lambda s: "/", SIGNED_IN, route="people/")
    with pytest.raises(AssertionError, match="resolves to"):
        check_row(row, scenario, scenario["users"])


def test_a_secret_shown_to_an_allowed_user_outside_its_readers_fails(scenario):
    """A list open to everyone, whose record only some may see: the others must not find it."""
    row = Row(
        "people list",
        lambda s: "/people/",
        SIGNED_IN,
        secret=lambda s: "李某",
        secret_readers=frozenset({"alice"}),  # wrong on purpose: the office sees the record too
    )
    with pytest.raises(AssertionError, match="office saw the secret"):
        check_row(row, scenario, scenario["users"])


def test_the_cast_holds_every_role(cast):
    assert {user.role for user in cast.values()} == set(Role.values)
