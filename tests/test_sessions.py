"""Issue 11, item 2: the idle timeout fires on an open page. The inbox badge polls every minute as a
background request (X-Fanguai-Background); only the user's own requests count as activity and extend the
session. Time is moved by patching django.utils.timezone.now, never by sleeping."""

from contextlib import contextmanager
from datetime import timedelta
from unittest import mock

import pytest
from django.conf import settings
from django.contrib.sessions.models import Session
from django.test import Client
from django.utils import timezone

from fanguai.accounts.middleware import LAST_ACTIVITY_KEY
from fanguai.audit.models import AuditEvent

from .conftest import PASSWORD

IDLE_SECONDS = 300
POLL = {"HX-Request": "true", "X-Fanguai-Background": "1", "HX-Current-URL": "http://testserver/people/?q=x"}


@pytest.fixture
def short_timeout(settings):
    settings.SESSION_COOKIE_AGE = IDLE_SECONDS


class Clock:
    """Requests made inside `clock.at(seconds)` happen that many seconds after the test's start."""

    def __init__(self):
        self.start = timezone.now()

    @contextmanager
    def at(self, seconds: int):
        with mock.patch("django.utils.timezone.now", return_value=self.start + timedelta(seconds=seconds)):
            yield


@pytest.fixture
def clock():
    return Clock()


def signed_in(user, clock) -> Client:
    client = Client()
    with clock.at(0):
        assert (
            client.post("/accounts/login/", {"username": user.username, "password": PASSWORD}).status_code
            == 302
        )
        assert client.get("/people/").status_code == 200
    return client


def poll(client):
    return client.get("/inbox/badge/", headers=POLL)


def session_expiry(client):
    return Session.objects.get(session_key=client.session.session_key).expire_date


def test_the_badge_marks_its_poll_as_background(alice, login):
    page = login(alice).get("/")
    assert b'hx-get="/inbox/badge/"' in page.content
    assert b"X-Fanguai-Background" in page.content


def test_a_page_that_only_polls_the_badge_is_signed_out_after_the_idle_timeout(short_timeout, clock, alice):
    client = signed_in(alice, clock)
    for seconds in range(60, IDLE_SECONDS, 60):
        with clock.at(seconds):
            assert poll(client).status_code == 200, seconds
    with clock.at(IDLE_SECONDS + 1):
        expired = poll(client)
    # htmx leaves the stale page for the login page and comes back to the page, not to the fragment.
    assert expired.status_code == 401
    assert expired["HX-Redirect"] == "/accounts/login/?next=/people/%3Fq%3Dx"
    with clock.at(IDLE_SECONDS + 61):
        page = client.get("/people/")
    assert page.status_code == 302 and page["Location"].startswith("/accounts/login/")


def test_a_page_with_real_activity_stays_signed_in(short_timeout, clock, alice):
    client = signed_in(alice, clock)
    for seconds in range(60, 4 * IDLE_SECONDS, 60):
        with clock.at(seconds):
            assert poll(client).status_code == 200, seconds
            if seconds % 240 == 0:  # the user does something every four minutes
                assert client.get("/people/").status_code == 200, seconds
    with clock.at(4 * IDLE_SECONDS):
        assert client.get("/people/").status_code == 200


def test_a_background_request_neither_saves_the_session_nor_renews_its_cookie(short_timeout, clock, alice):
    client = signed_in(alice, clock)
    first = session_expiry(client)
    with clock.at(120):
        response = poll(client)
    assert response.status_code == 200
    assert settings.SESSION_COOKIE_NAME not in response.cookies
    assert session_expiry(client) == first
    # Real activity renews the session, at most once per interval (a minute, or a tenth of a short timeout).
    with clock.at(120):
        renewed = client.get("/people/")
    assert settings.SESSION_COOKIE_NAME in renewed.cookies
    assert session_expiry(client) == first + timedelta(seconds=120)
    with clock.at(140):  # within the renewal interval (a tenth of the timeout here)
        again = client.get("/people/")
    assert settings.SESSION_COOKIE_NAME not in again.cookies
    assert session_expiry(client) == first + timedelta(seconds=120)


def test_the_last_activity_decides_even_when_the_session_was_saved_since(short_timeout, clock, alice):
    """Anything else that saves the session (and so renews it in the store) does not renew the activity."""
    client = signed_in(alice, clock)
    session = client.session
    session[LAST_ACTIVITY_KEY] = (clock.start - timedelta(seconds=IDLE_SECONDS + 1)).timestamp()
    with clock.at(0):
        session.save()
        polled = poll(client)
    assert polled.status_code == 401 and polled["HX-Redirect"].startswith("/accounts/login/")
    assert AuditEvent.objects.filter(action="user.idle_timeout", actor=alice).exists()
    assert not Session.objects.filter(session_key=session.session_key).exists()


def test_an_idle_session_is_signed_out_with_a_message(short_timeout, clock, alice, english):
    client = signed_in(alice, clock)
    session = client.session
    session[LAST_ACTIVITY_KEY] = (clock.start - timedelta(seconds=IDLE_SECONDS + 1)).timestamp()
    with clock.at(0):
        session.save()
        response = client.get("/people/?q=x", follow=True)
    assert response.redirect_chain[0] == ("/accounts/login/?next=/people/%3Fq%3Dx", 302)
    assert b"signed out after a period without activity" in response.content


def test_an_idle_page_request_leads_to_the_login_page(short_timeout, clock, alice):
    client = signed_in(alice, clock)
    with clock.at(IDLE_SECONDS + 1):
        response = client.get("/people/?q=x")
    assert response.status_code == 302 and response["Location"] == "/accounts/login/?next=/people/%3Fq%3Dx"
    with clock.at(IDLE_SECONDS + 2):
        assert client.get("/").status_code == 302


def test_a_plain_background_request_of_an_idle_session_gets_401(short_timeout, clock, alice):
    client = signed_in(alice, clock)
    with clock.at(IDLE_SECONDS + 1):
        response = client.get("/inbox/badge/", headers={"X-Fanguai-Background": "1"})
    assert response.status_code == 401 and "HX-Redirect" not in response


def test_before_the_second_factor_the_badge_poll_gets_401_without_a_reload(settings, alice):
    """The verify page shows the badge too: an HX-Redirect to itself would reload it every minute."""
    settings.REQUIRE_2FA = True
    client = Client()
    client.post("/accounts/login/", {"username": "alice", "password": PASSWORD})
    response = poll(client)
    assert response.status_code == 401 and "HX-Redirect" not in response
    fragment = client.get("/inbox/badge/", headers={"HX-Request": "true"})
    assert fragment.status_code == 401 and fragment["HX-Redirect"].startswith("/accounts/second-factor/")


def test_activity_keeps_a_session_with_a_timeout_shorter_than_a_minute(settings, clock, alice):
    """The session is renewed at most once a minute, but never less often than a tenth of the timeout."""
    settings.SESSION_COOKIE_AGE = 30
    client = signed_in(alice, clock)
    for seconds in range(20, 200, 20):
        with clock.at(seconds):
            assert client.get("/people/").status_code == 200, seconds
