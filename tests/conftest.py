"""Shared fixtures: the reference data (loaded once per test database) and the fixed cast of users that every
permission test uses, as healthchecks does with alice, bob and charlie:

- ``alice``: police investigator of 霍邱县公安局 (the unit that owns the records under test)
- ``bob``: shelter caseworker of 霍邱县救助管理站 (same county, another unit)
- ``charlie``: police investigator of 六安市公安局金安区分局 (another county)
- ``dave``: leader in alice's own unit (lacks the role)
- ``office``: joint conference office staff (city-wide)
- ``liaison``: unit liaison of 市民政局 (a city member unit)
- ``coordinator``: county coordinator of 霍邱县人民政府 (alice's county)
- ``analyst``: DNA analyst of the city DNA laboratory
- ``publicity``: liaison of 市委宣传部 (releases alerts to the media)
- ``sysadmin``, ``secadmin``, ``auditor``: the three administrators
- anonymous: the plain ``client`` fixture

The ``cast`` fixture gives all of them by name (``tests/permissions.py`` holds their roles and units).
"""

import os
from pathlib import Path

import pytest
from django.conf import settings
from django.test import Client

os.environ.setdefault("FANGUAI_REQUIRE_2FA", "0")
PASSWORD = "Test-pass-2026!"


@pytest.fixture(scope="session")
def django_db_setup(django_db_setup, django_db_blocker):
    from fanguai.org.services import load_regions, load_units

    with django_db_blocker.unblock():
        load_regions(Path(settings.REFERENCE_DATA_DIR) / "regions/liuan.csv")
        load_units(Path(settings.REFERENCE_DATA_DIR) / "units/liuan.csv")


@pytest.fixture(autouse=True)
def _isolated_settings(settings, tmp_path):
    """Private files go to a temporary folder; tasks run at once; mail stays in memory; passwords hash
    fast; two-factor login is off unless a test turns it on."""
    settings.STORAGES = {
        **settings.STORAGES,
        "private": {
            "BACKEND": "fanguai.files.storage.EncryptedFileSystemStorage",
            "OPTIONS": {"location": str(tmp_path / "private")},
        },
        "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
    }
    settings.TASKS = {"default": {"BACKEND": "django_tasks.backends.immediate.ImmediateBackend"}}
    # Audit checkpoints of the test database never mix with those of a real data folder.
    settings.AUDIT_CHECKPOINT_DIR = tmp_path / "audit-checkpoints"
    settings.REQUIRE_2FA = False
    settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
    # The cast's passwords are hashed quickly: these tests are about behaviour, not password storage.
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
    # Cached figures (e.g. clue statistics) never leak from one test's database into the next.
    from django.core.cache import cache

    cache.clear()


def make_user(username: str, role: str, unit_code: str, **extra):
    from fanguai.accounts.models import User
    from fanguai.org.models import Unit

    user = User.objects.create_user(
        username=username,
        password=PASSWORD,
        role=role,
        unit=Unit.objects.get(code=unit_code),
        full_name=username,
        email=f"{username}@example.invalid",
        **extra,
    )
    return user


@pytest.fixture
def alice(db):
    return make_user("alice", "investigator", "341522-police")


@pytest.fixture
def bob(db):
    return make_user("bob", "caseworker", "341522-shelter")


@pytest.fixture
def charlie(db):
    return make_user("charlie", "investigator", "341502-police")


@pytest.fixture
def dave(db):
    return make_user("dave", "leader", "341522-police")


@pytest.fixture
def office(db):
    return make_user("office", "office_staff", "341500-office")


@pytest.fixture
def liaison(db):
    return make_user("liaison", "liaison", "341500-civil_affairs")


@pytest.fixture
def coordinator(db):
    return make_user("coordinator", "county_coordinator", "341522-government")


@pytest.fixture
def analyst(db):
    return make_user("analyst", "dna_analyst", "341500-dna-lab")


@pytest.fixture
def publicity(db):
    return make_user("publicity", "liaison", "341500-publicity")


@pytest.fixture
def cast(
    alice, bob, charlie, dave, office, liaison, coordinator, analyst, publicity, sysadmin, secadmin, auditor
):
    """Every signed-in member of the permission-matrix cast, by name (see tests/permissions.py). A folder's
    own fixture of the same name (e.g. tests/dna's analyst) takes the member's place."""
    return {
        "alice": alice,
        "bob": bob,
        "charlie": charlie,
        "dave": dave,
        "office": office,
        "liaison": liaison,
        "coordinator": coordinator,
        "analyst": analyst,
        "publicity": publicity,
        "sysadmin": sysadmin,
        "secadmin": secadmin,
        "auditor": auditor,
    }


@pytest.fixture
def auditor(db):
    return make_user("auditor", "audit_admin", "341500-police")


@pytest.fixture
def sysadmin(db):
    return make_user("sysadmin", "system_admin", "341500-police")


@pytest.fixture
def secadmin(db):
    return make_user("secadmin", "security_admin", "341500-police")


def client_for(user) -> Client:
    client = Client()
    client.force_login(user)
    return client


@pytest.fixture
def login():
    return client_for


@pytest.fixture
def english(settings):
    """Pages and messages in English, the platform's second language, for tests that read message texts."""
    from django.utils import translation

    settings.LANGUAGE_CODE = "en"
    with translation.override("en"):
        yield


@pytest.fixture
def spark_available():
    """For tests marked `spark`: skipped without pyspark or a Java runtime, except where
    FANGUAI_REQUIRE_SPARK=1 (set by .ci/run): there a missing one fails the test."""
    import shutil
    from importlib.util import find_spec

    missing = (
        "pyspark is not installed"
        if find_spec("pyspark") is None
        else ("" if shutil.which("java") else "no Java runtime (java) on PATH")
    )
    if missing:
        if os.environ.get("FANGUAI_REQUIRE_SPARK") == "1":
            pytest.fail(f"Spark is required (FANGUAI_REQUIRE_SPARK=1) but {missing}")
        pytest.skip(missing)
