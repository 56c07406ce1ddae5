import pytest
from django.core.exceptions import ValidationError
from django.test import Client
from django_otp import DEVICE_ID_SESSION_KEY
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
    # The session is not saved on every request: IdleTimeoutMiddleware saves it for real activity only.
    assert settings.SESSION_COOKIE_AGE == 1800 and not settings.SESSION_SAVE_EVERY_REQUEST


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


# Issue 11, item 1: before the second factor only the verify/enrol page, logout, static files and the
# language switch are open; no web page manages an administrator account.


def password_only(user) -> Client:
    """A session that has passed the password but not the second factor (a real login through the form)."""
    client = Client()
    assert (
        client.post("/accounts/login/", {"username": user.username, "password": PASSWORD}).status_code == 302
    )
    return client


def second_factor_passed(user) -> Client:
    """A session that has passed both factors: signed in, with a confirmed device verified in the session."""
    device = TOTPDevice.objects.create(user=user, name="phone", confirmed=True)
    client = Client()
    client.force_login(user)
    session = client.session
    session[DEVICE_ID_SESSION_KEY] = device.persistent_id
    session.save()
    return client


def goes_to_second_factor(response) -> bool:
    return response.status_code == 302 and response["Location"].startswith("/accounts/second-factor/")


NEW_LIAISON = {
    "username": "sneaky",
    "full_name": "Sneaky",
    "role": "liaison",
    "email": "",
    "phone": "",
    "password": "Another-pass-2026",
}


def test_a_password_only_session_cannot_create_staff_accounts(settings, sysadmin, alice):
    settings.REQUIRE_2FA = True
    client = password_only(sysadmin)
    assert goes_to_second_factor(client.get("/accounts/staff/new/"))
    assert goes_to_second_factor(client.post("/accounts/staff/new/", {**NEW_LIAISON, "unit": alice.unit.pk}))
    assert not User.objects.filter(username="sneaky").exists()
    for path in ("/accounts/staff/", f"/accounts/staff/{alice.pk}/", "/accounts/password/"):
        assert goes_to_second_factor(client.get(path)), path
    # Only what completes the second factor, the language switch and logout stay open.
    assert client.get("/accounts/second-factor/").status_code == 200
    assert not goes_to_second_factor(client.post("/i18n/setlang/", {"language": "en", "next": "/"}))
    logout = client.post("/accounts/logout/")
    assert logout.status_code == 302 and logout["Location"] == "/accounts/login/"


def test_a_password_only_session_cannot_reset_the_second_factor_of_an_administrator(
    settings, sysadmin, secadmin
):
    settings.REQUIRE_2FA = True
    TOTPDevice.objects.create(user=sysadmin, name="phone", confirmed=True)
    TOTPDevice.objects.create(user=secadmin, name="phone", confirmed=True)
    assert goes_to_second_factor(
        password_only(secadmin).post(f"/accounts/staff/{sysadmin.pk}/reset-security/")
    )
    assert goes_to_second_factor(
        password_only(sysadmin).post(f"/accounts/staff/{secadmin.pk}/reset-security/")
    )
    assert (
        TOTPDevice.objects.filter(user=sysadmin).exists()
        and TOTPDevice.objects.filter(user=secadmin).exists()
    )
    assert not AuditEvent.objects.filter(action="user.security_reset").exists()


def test_administrator_accounts_are_refused_even_after_the_second_factor(
    settings, sysadmin, secadmin, auditor, alice
):
    settings.REQUIRE_2FA = True
    security = second_factor_passed(secadmin)
    for admin in (sysadmin, auditor):
        TOTPDevice.objects.create(user=admin, name="phone", confirmed=True)
        assert security.post(f"/accounts/staff/{admin.pk}/reset-security/").status_code in (403, 404)
        assert TOTPDevice.objects.filter(user=admin).exists()
    assert not AuditEvent.objects.filter(action="user.security_reset").exists()
    # The list offers the reset for staff accounts only.
    listing = security.get("/accounts/staff/").content.decode()
    assert f"/accounts/staff/{alice.pk}/reset-security/" in listing
    assert f"/accounts/staff/{sysadmin.pk}/reset-security/" not in listing
    # A staff account is still reset as before.
    assert security.post(f"/accounts/staff/{alice.pk}/reset-security/").status_code == 302

    system = second_factor_passed(sysadmin)
    for admin in (secadmin, auditor):
        assert system.get(f"/accounts/staff/{admin.pk}/").status_code in (403, 404)
        response = system.post(
            f"/accounts/staff/{admin.pk}/", {"full_name": "x", "role": "liaison", "unit": alice.unit.pk}
        )
        assert response.status_code in (403, 404)
        admin.refresh_from_db()
        assert admin.role in ADMIN_ROLES and admin.full_name != "x"


def test_the_create_form_offers_no_administrator_role(settings, sysadmin, alice):
    settings.REQUIRE_2FA = True
    client = second_factor_passed(sysadmin)
    page = client.get("/accounts/staff/new/")
    assert page.status_code == 200
    offered = {value for value, _label in page.context["form"].fields["role"].choices}
    assert offered and not offered & ADMIN_ROLES
    for role in ADMIN_ROLES:
        response = client.post("/accounts/staff/new/", {**NEW_LIAISON, "role": role, "unit": alice.unit.pk})
        assert response.status_code == 200 and "role" in response.context["form"].errors
    assert not User.objects.filter(username="sneaky").exists()


# Issue 11, item 4: a password change page for everyone, and a weak password is a form error.


@pytest.mark.parametrize("password", ["short1A!", "alllowercaseletters", "1234567890123", "Sneaky.2026"])
def test_the_staff_form_answers_a_weak_password_with_a_form_error(sysadmin, alice, login, password):
    response = login(sysadmin).post(
        "/accounts/staff/new/", {**NEW_LIAISON, "unit": alice.unit.pk, "password": password}
    )
    assert response.status_code == 200
    assert response.context["form"].errors["password"]
    assert not User.objects.filter(username="sneaky").exists()


def test_every_user_changes_their_own_password_and_stays_signed_in(alice, login):
    client = login(alice)
    home = client.get("/")
    assert b'href="/accounts/password/"' in home.content  # the link in the user menu
    assert client.get("/accounts/password/").status_code == 200
    new = "Fresh-pass-2027!"

    wrong = client.post(
        "/accounts/password/", {"old_password": "wrong", "new_password1": new, "new_password2": new}
    )
    assert wrong.status_code == 200 and "old_password" in wrong.context["form"].errors
    assert AuditEvent.objects.filter(action="user.password", outcome="failure", actor=alice).exists()

    weak = client.post(
        "/accounts/password/", {"old_password": PASSWORD, "new_password1": "abc", "new_password2": "abc"}
    )
    assert weak.status_code == 200 and "new_password2" in weak.context["form"].errors
    alice.refresh_from_db()
    assert alice.check_password(PASSWORD)

    done = client.post(
        "/accounts/password/", {"old_password": PASSWORD, "new_password1": new, "new_password2": new}
    )
    assert done.status_code == 302
    alice.refresh_from_db()
    assert alice.check_password(new)
    assert AuditEvent.objects.filter(
        action="user.password", outcome="success", object_id=str(alice.pk)
    ).exists()
    assert client.get("/").status_code == 200  # the session survived (update_session_auth_hash)


def test_changing_the_password_signs_out_the_other_sessions(alice, login):
    other = login(alice)
    client = login(alice)
    new = "Fresh-pass-2027!"
    client.post("/accounts/password/", {"old_password": PASSWORD, "new_password1": new, "new_password2": new})
    response = other.get("/")
    assert response.status_code == 302 and "/accounts/login/" in response["Location"]
