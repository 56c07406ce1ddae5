"""Scenario objects for the case tests: a child-trafficking case filed by alice (霍邱县公安局, 341522-police),
and the police accounts named in its one-chief-three-packages record. The cast comes from tests/conftest.py."""

import pytest

from fanguai.cases import services

from ..conftest import make_user

SECRET = "SECRET-CASE-4411"


def officer(username: str, role: str = "investigator", unit_code: str = "341522-police", full_name: str = ""):
    """A police account outside the cast (so that naming it changes nobody's view in the matrix)."""
    user = make_user(username, role, unit_code)
    user.full_name = full_name or username
    user.save(update_fields=["full_name"])
    return user


@pytest.fixture
def case(alice):
    return services.open_case(
        actor=alice, title=SECRET, kind="child_trafficking", summary="summary " + SECRET
    )


@pytest.fixture
def chief(db):
    """The head of 霍邱县公安局: a leader, who sees the cases he answers for."""
    return officer("hq_chief", "leader", full_name="王局长")


@pytest.fixture
def owners(alice):
    return {
        "solve": alice,
        "rescue": officer("hq_rescue", full_name="打拐中队长"),
        "family": officer("hq_family", full_name="派出所所长"),
    }
