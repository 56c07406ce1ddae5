"""Cases (issue 14 item 1): a child-trafficking case is not marked solved (已破案) while its package "solve the
case" (包破案) has not started."""

import pytest
from django.core.exceptions import ValidationError

from fanguai.cases import services
from fanguai.cases.models import Case, Package

pytestmark = pytest.mark.django_db


@pytest.fixture
def case(alice):
    case = services.open_case(actor=alice, title="拐卖儿童案", kind="child_trafficking", summary="")
    services.set_responsibility(
        actor=alice,
        case=case,
        chief=alice,
        chief_position="局长",
        owners={"solve": alice, "rescue": alice, "family": alice},
    )
    return case


def solve_package(case) -> Package:
    return Package.objects.get(responsibility__case=case, kind=Package.Kind.SOLVE)


def test_solved_before_the_solve_package_started_is_refused(alice, case):
    with pytest.raises(ValidationError):
        services.change_status(actor=alice, case=case, status=Case.Status.SOLVED)
    assert Case.objects.get(pk=case.pk).status == Case.Status.FILED


def test_solved_once_the_package_started_is_accepted(alice, case):
    services.update_package(actor=alice, package=solve_package(case), status=Package.Status.IN_PROGRESS)
    assert (
        services.change_status(actor=alice, case=case, status=Case.Status.SOLVED).status == Case.Status.SOLVED
    )


def test_the_page_says_why(alice, case, login):
    """The case page comes back with the refusal on the status form, and a message at the top."""
    response = login(alice).post(f"/cases/{case.pk}/status/", {"status": "solved"})
    assert response.status_code == 200
    assert Case.objects.get(pk=case.pk).status == Case.Status.FILED
    assert response.context["status_form"].non_field_errors()
    assert [m.level_tag for m in response.context["messages"]] == ["error"]
