"""Scenario objects for the case tests: a child-trafficking case filed by alice (霍邱县公安局, 341522-police).
The cast comes from tests/conftest.py."""

import pytest

from fanguai.cases import services

SECRET = "SECRET-CASE-4411"


@pytest.fixture
def case(alice):
    return services.open_case(
        actor=alice, title=SECRET, kind="child_trafficking", summary="summary " + SECRET
    )


OWNERS = {"solve": "刑侦大队长", "rescue": "打拐中队长", "family": "派出所所长"}
