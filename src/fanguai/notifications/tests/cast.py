"""A small fixed cast for the building-block tests (the shared tests/conftest.py does not reach src/).

Codes start with T so they never collide with the Lu'an reference data that tests/conftest.py loads once
per test database:

- alice: investigator of county A's police (the unit owning the objects under test)
- bob: caseworker of county A's shelter (same county, another unit)
- charlie: investigator of county B's police (another county)
- dave: leader in alice's unit (same unit, another role)
- office: joint conference office staff (city level)
- coordinator: county coordinator of county A
- sysadmin: system administrator
"""

import pytest

PASSWORD = "Test-pass-2026!"
__all__ = [
    "PASSWORD",
    "_isolated_settings",
    "places",
    "make_user",
    "alice",
    "bob",
    "charlie",
    "dave",
    "office",
    "coordinator",
    "sysadmin",
    "login",
]


@pytest.fixture(autouse=True)
def _isolated_settings(settings, tmp_path):
    settings.STORAGES = {
        **settings.STORAGES,
        "private": {
            "BACKEND": "fanguai.files.storage.EncryptedFileSystemStorage",
            "OPTIONS": {"location": str(tmp_path / "private")},
        },
        "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
    }
    settings.TASKS = {"default": {"BACKEND": "django_tasks.backends.immediate.ImmediateBackend"}}
    settings.REQUIRE_2FA = False
    settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
    settings.LANGUAGE_CODE = "en"


@pytest.fixture
def places(db):
    from fanguai.org.models import Region, Unit

    city, _ = Region.objects.get_or_create(code="T990000", defaults={"name": "Test city", "level": "city"})
    county_a, _ = Region.objects.get_or_create(
        code="T990001", defaults={"name": "County A", "level": "county", "parent": city}
    )
    county_b, _ = Region.objects.get_or_create(
        code="T990002", defaults={"name": "County B", "level": "county", "parent": city}
    )
    town_a, _ = Region.objects.get_or_create(
        code="T990001001", defaults={"name": "Town A", "level": "township", "parent": county_a}
    )

    def unit(code, name, kind, sector, region):
        return Unit.objects.get_or_create(
            code=code, defaults={"name": name, "kind": kind, "sector": sector, "region": region}
        )[0]

    return {
        "city": city,
        "county_a": county_a,
        "county_b": county_b,
        "police_a": unit("T-police-a", "Police A", "county_member", "police", county_a),
        "shelter_a": unit("T-shelter-a", "Shelter A", "service", "civil_affairs", county_a),
        "station_a": unit("T-station-a", "Town station A", "county_member", "police", town_a),
        "gov_a": unit("T-gov-a", "Government A", "government", "", county_a),
        "police_b": unit("T-police-b", "Police B", "county_member", "police", county_b),
        "office": unit("T-office", "Conference office", "office", "", city),
    }


def make_user(username: str, role: str, unit, email: str | None = None):
    from fanguai.accounts.models import User

    return User.objects.create_user(
        username=username,
        password=PASSWORD,
        role=role,
        unit=unit,
        full_name=username,
        email=f"{username}@example.invalid" if email is None else email,
    )


@pytest.fixture
def alice(places):
    return make_user("t_alice", "investigator", places["police_a"])


@pytest.fixture
def bob(places):
    return make_user("t_bob", "caseworker", places["shelter_a"])


@pytest.fixture
def charlie(places):
    return make_user("t_charlie", "investigator", places["police_b"])


@pytest.fixture
def dave(places):
    return make_user("t_dave", "leader", places["police_a"])


@pytest.fixture
def office(places):
    return make_user("t_office", "office_staff", places["office"])


@pytest.fixture
def coordinator(places):
    return make_user("t_coordinator", "county_coordinator", places["gov_a"])


@pytest.fixture
def sysadmin(places):
    return make_user("t_sysadmin", "system_admin", places["office"])


@pytest.fixture
def login():
    from django.test import Client

    def client_for(user):
        client = Client()
        client.force_login(user)
        return client

    return client_for
