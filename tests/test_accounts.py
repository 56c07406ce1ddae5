import pytest
from django.core.exceptions import ValidationError
from django.test import Client
from django_otp.oath import totp
from django_otp.plugins.otp_totp.models import TOTPDevice

from fanguai.accounts import services
from fanguai.accounts.models import User
from fanguai.accounts.roles import ADMIN_ROLES, Role
from fanguai.audit.models import AuditEvent

from .conftest import PASSWORD


def token_for(device: TOTPDevice) -> str:
    return f"{totp(device.bin_key, device.step, device.t0, device.digits, device.drift):06d}"


def test_login_page_is_chinese_by_default(db):
    response = Client().get("/accounts/login/")
    assert response.status_code == 200
    assert "登录".encode() in response.content


def test_two_factor_enrolment_and_verification(settings, alice):
    settings.REQUIRE_2FA = True
    client = Client()
    assert client.post("/accounts/login/", {"username": "alice", "password": PASSWORD}).status_code == 302
    # Without a second factor every page leads to enrolment.
    response = client.get("/people/")
    assert response.status_code == 302 and "/accounts/second-factor/" in response["Location"]
    page = client.get("/accounts/second-factor/")
    assert b"data:image/svg+xml;base64," in page.content
    device = TOTPDevice.objects.get(user=alice, confirmed=False)
    assert client.post("/accounts/second-factor/", {"token": "000000"}).status_code == 200
    # A wrong code throttles the device for a second; let that second pass.
    TOTPDevice.objects.filter(pk=device.pk).update(
        throttling_failure_timestamp=None, throttling_failure_count=0
    )
    assert client.post("/accounts/second-factor/", {"token": token_for(device)}).status_code == 302
    assert client.get("/people/").status_code == 200
    # The next login asks for the code of the enrolled device.
    again = Client()
    again.post("/accounts/login/", {"username": "alice", "password": PASSWORD})
    assert again.get("/").status_code == 302
    device.refresh_from_db()
    device.last_t = -1
    device.save()
    assert again.post("/accounts/second-factor/", {"token": token_for(device)}).status_code == 302
    assert again.get("/").status_code == 200


def test_without_the_requirement_a_user_who_enrolled_still_needs_the_code(alice):
    TOTPDevice.objects.create(user=alice, confirmed=True)
    client = Client()
    client.post("/accounts/login/", {"username": "alice", "password": PASSWORD})
    assert client.get("/").status_code == 302


def test_lockout_after_five_failures(alice):
    client = Client()
    for _ in range(5):
        client.post("/accounts/login/", {"username": "alice", "password": "wrong"})
    response = client.post("/accounts/login/", {"username": "alice", "password": PASSWORD})
    assert response.status_code == 429
    assert AuditEvent.objects.filter(action="user.login", outcome="failure").count() >= 5


def test_idle_timeout_defaults_to_thirty_minutes(settings):
    assert settings.SESSION_COOKIE_AGE == 1800 and settings.SESSION_SAVE_EVERY_REQUEST


@pytest.mark.parametrize("password", ["short1A!", "alllowercaseletters", "1234567890123"])
def test_password_policy_rejects_weak_passwords(db, password):
    from fanguai.org.models import Unit

    with pytest.raises(ValidationError):
        services.create_user(
            actor=None,
            username="weak",
            password=password,
            role=Role.LIAISON,
            unit=Unit.objects.get(code="341500-police"),
        )
    assert not User.objects.filter(username="weak").exists()


def test_an_account_holds_exactly_one_role_and_admin_roles_cannot_be_granted_from_the_web(sysadmin, alice):
    assert len(ADMIN_ROLES) == 3
    with pytest.raises(ValidationError):
        services.update_user(actor=sysadmin, user=alice, role=Role.AUDIT_ADMIN)
    alice.refresh_from_db()
    assert alice.role == Role.INVESTIGATOR


def test_staff_pages(sysadmin, secadmin, alice, login):
    assert login(alice).get("/accounts/staff/").status_code == 403
    assert login(secadmin).get("/accounts/staff/new/").status_code == 403
    client = login(sysadmin)
    response = client.post(
        "/accounts/staff/new/",
        {
            "username": "newliaison",
            "full_name": "新联络员",
            "role": "liaison",
            "unit": alice.unit.pk,
            "email": "",
            "phone": "",
            "password": "Another-pass-2026",
        },
    )
    assert response.status_code == 302
    assert User.objects.get(username="newliaison").unit == alice.unit
    assert client.get(f"/accounts/staff/{secadmin.pk}/").status_code == 403  # admins are managed by CLI


def test_security_admin_unlocks_and_resets_the_second_factor(secadmin, alice, login):
    TOTPDevice.objects.create(user=alice, confirmed=True)
    response = login(secadmin).post(f"/accounts/staff/{alice.pk}/reset-security/")
    assert response.status_code == 302
    assert not TOTPDevice.objects.filter(user=alice).exists()
    assert AuditEvent.objects.filter(action="user.security_reset", object_id=str(alice.pk)).exists()


def test_api_token_authenticates(alice):
    raw = services.create_api_token(actor=None, user=alice, name="test")
    response = Client().get("/api/me", headers={"Authorization": f"Bearer {raw}"})
    assert response.status_code == 200
    assert response.json()["unit"]["code"] == "341522-police"
    assert Client().get("/api/me", headers={"Authorization": "Bearer wrong"}).status_code == 401
