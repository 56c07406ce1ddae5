"""Permission-matrix rows for the account pages added by issue 11 (the staff pages have theirs in
test_matrix_foundation.py)."""

import pytest

from fanguai.accounts.models import User

from .conftest import PASSWORD
from .permissions import SIGNED_IN, Row, check_row

NEW_PASSWORD = "Fresh-pass-2027!"


def password_hashes(scenario) -> list[str]:
    return sorted(User.objects.values_list("password", flat=True))


MATRIX = [
    # Every signed-in user changes their own password; the page names nobody else.
    Row(
        "password change", lambda s: "/accounts/password/", SIGNED_IN, secret=lambda s: "bob@example.invalid"
    ),
    Row(
        "password change (post)",
        lambda s: "/accounts/password/",
        SIGNED_IN,
        method="post",
        data=lambda s: {
            "old_password": PASSWORD,
            "new_password1": NEW_PASSWORD,
            "new_password2": NEW_PASSWORD,
        },
        effect=password_hashes,
    ),
]


@pytest.fixture
def scenario(cast):
    return {"users": cast}


@pytest.mark.parametrize("row", MATRIX, ids=lambda r: r.name)
def test_permission_matrix(row, scenario):
    check_row(row, scenario, scenario["users"])
