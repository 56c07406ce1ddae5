"""Staff accounts (issue 14 item 1): a county coordinator belongs to a unit of a county, not of the city."""

import pytest

from fanguai.accounts.forms import StaffForm
from fanguai.org.models import Unit

pytestmark = pytest.mark.django_db


def staff(unit_code: str, role: str = "county_coordinator") -> StaffForm:
    return StaffForm(
        {
            "username": "zhang.wei",
            "full_name": "张伟",
            "role": role,
            "unit": Unit.objects.get(code=unit_code).pk,
            "password": "Another-pass-2026!",
        }
    )


def test_a_county_coordinator_in_a_city_unit_is_refused():
    form = staff("341500-civil_affairs")
    assert not form.is_valid()
    assert list(form.errors) == ["unit"]


def test_a_county_coordinator_in_a_county_unit_is_accepted():
    assert staff("341522-government").is_valid()


def test_other_roles_may_work_in_a_city_unit():
    assert staff("341500-civil_affairs", role="liaison").is_valid()
