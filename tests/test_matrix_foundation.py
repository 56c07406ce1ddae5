"""Permission-matrix rows for the foundation's own pages and endpoints: home, accounts, audit, stored files,
the inbox, deadlines and the organisation API (people have theirs in test_people.py)."""

import pytest
from django.contrib.contenttypes.models import ContentType
from django.utils import timezone
from django_otp.plugins.otp_totp.models import TOTPDevice

from fanguai.accounts.models import User
from fanguai.audit.services import record_event
from fanguai.deadlines.models import Deadline
from fanguai.files.services import store_upload
from fanguai.notifications.models import Notification
from fanguai.notifications.services import notify
from fanguai.people.services import register_person

from .conftest import make_user
from .permissions import ADMINS, SIGNED_IN, WORKERS, Row, attachment, check_matrix, count_of

NEW_PASSWORD = "Another-pass-2026!"
STAFF_ADMINS = frozenset({"sysadmin", "secadmin"})
SYSADMIN = frozenset({"sysadmin"})
# The people who see the person the file is attached to (alice registered it; the office sees everything).
FILE_READERS = frozenset({"alice", "office"})


def unread(scenario) -> int:
    return Notification.objects.filter(read_at__isnull=True).count()


def staff_data(scenario) -> dict:
    return {
        "username": "newstaff",
        "full_name": "新同事",
        "role": "caseworker",
        "unit": scenario["users"]["bob"].unit_id,
        "email": "",
        "phone": "",
        "password": NEW_PASSWORD,
    }


def bob_change_data(scenario) -> dict:
    bob = scenario["users"]["bob"]
    return {
        "full_name": "鲍勃改名",
        "role": "caseworker",
        "unit": bob.unit_id,
        "email": "bob@example.invalid",
        "phone": "",
        "is_active": "on",
    }


MATRIX = [
    Row("home", lambda s: "/", SIGNED_IN),
    # the liveness probe of the reverse proxy: open to everyone, no data
    Row("healthz", lambda s: "/healthz", SIGNED_IN | {"anonymous"}),
    # browsers ask for /favicon.ico: a redirect to the static icon, for everyone
    Row("favicon", lambda s: "/favicon.ico", SIGNED_IN | {"anonymous"}, ok=(302,)),
    Row("audit list", lambda s: "/audit/", frozenset({"auditor"}), secret=lambda s: "secret.action"),
    Row(
        "audit export",
        lambda s: "/audit/export.csv",
        frozenset({"auditor"}),
        secret=lambda s: "secret.action",
    ),
    Row("staff list", lambda s: "/accounts/staff/", STAFF_ADMINS, secret=lambda s: "bob@example.invalid"),
    Row("staff create form", lambda s: "/accounts/staff/new/", SYSADMIN),
    Row(
        "staff create",
        lambda s: "/accounts/staff/new/",
        SYSADMIN,
        method="post",
        data=staff_data,
        effect=count_of("accounts.User", username="newstaff"),
    ),
    Row(
        "staff change form",
        lambda s: f"/accounts/staff/{s['users']['bob'].pk}/",
        SYSADMIN,
        secret=lambda s: "bob@example.invalid",
    ),
    Row(
        "staff change",
        lambda s: f"/accounts/staff/{s['users']['bob'].pk}/",
        SYSADMIN,
        method="post",
        data=bob_change_data,
        effect=lambda s: User.objects.get(pk=s["users"]["bob"].pk).full_name,
    ),
    # frank (outside the cast: a second factor would stop him at every page) lost his phone
    Row(
        "staff reset",
        lambda s: f"/accounts/staff/{s['frank'].pk}/reset-security/",
        frozenset({"secadmin"}),
        method="post",
        effect=lambda s: TOTPDevice.objects.filter(user=s["frank"]).count(),
    ),
    # the password change page has its rows in test_accounts_matrix.py
    Row(
        "file download",
        lambda s: f"/files/{s['file'].pk}/",
        FILE_READERS,
        secret=lambda s: "evidence.pdf",
    ),
    # only the uploader withdraws an upload, while she still sees what it belongs to
    Row(
        "file delete",
        lambda s: f"/files/{s['file'].pk}/delete/",
        frozenset({"alice"}),
        method="post",
        data=lambda s: {"next": "/"},
        effect=count_of("files.StoredFile", pk=lambda s: s["file"].pk),
    ),
    Row("inbox", lambda s: "/inbox/", SIGNED_IN, secret=lambda s: "给爱丽丝的通知"),
    Row("inbox badge", lambda s: "/inbox/badge/", SIGNED_IN),
    Row("inbox read all", lambda s: "/inbox/read-all/", SIGNED_IN, method="post", effect=unread),
    Row(
        "inbox read",
        lambda s: f"/inbox/{s['notification'].pk}/read/",
        frozenset({"alice"}),
        method="post",
        data=lambda s: {"next": "/inbox/"},
        effect=unread,
    ),
    Row(
        "inbox open",
        lambda s: f"/inbox/{s['notification'].pk}/open/",
        frozenset({"alice"}),
        method="post",
        effect=unread,
    ),
    # every unit's deadlines; the administrators have no unit work
    Row("deadlines", lambda s: "/deadlines/", WORKERS),
    # a deadline's link leads to its target for those who see the deadline (its unit, the county, the city)
    Row(
        "deadline open",
        lambda s: f"/deadlines/{s['deadline'].pk}/open/",
        frozenset({"alice", "dave", "office", "coordinator"}),
        ok=(302,),
    ),
    Row("api me", lambda s: "/api/me", SIGNED_IN),
    Row("api regions", lambda s: "/api/regions", SIGNED_IN),
    Row("api units", lambda s: "/api/units", SIGNED_IN),
]


@pytest.fixture
def scenario(cast):
    alice = cast["alice"]
    record_event("secret.action", actor=alice, object_type="x", object_id=1)
    person = register_person(actor=alice, full_name="李某", sex="female")
    stored = store_upload(actor=alice, upload=attachment()["file"], attach_to=person)
    frank = make_user("frank", "caseworker", "341522-shelter")
    TOTPDevice.objects.create(user=frank, name="phone", confirmed=True)
    for name, user in cast.items():
        notify(recipients=[user], subject="给爱丽丝的通知" if name == "alice" else f"通知 {name}", link="/")
    deadline = Deadline.objects.create(
        content_type=ContentType.objects.get_for_model(person),
        object_id=str(person.pk),
        kind="people.test",
        responsible_unit=alice.unit,
        due_at=timezone.now(),
    )
    return {
        "users": cast,
        "deadline": deadline,
        "frank": frank,
        "file": stored,
        "notification": Notification.objects.get(recipient=alice),
    }


def test_permission_matrix(scenario):
    """One scenario for every row: each request runs in a savepoint that is rolled back."""
    check_matrix(MATRIX, scenario, scenario["users"])


def test_the_administrators_are_in_the_cast():
    assert ADMINS <= SIGNED_IN
