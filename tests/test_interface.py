import pytest
from django.test import Client

from fanguai.core.demo import DEMO_USERS


@pytest.mark.parametrize("role", [u.role for u in DEMO_USERS])
def test_every_role_reaches_its_home_page(db, role, login):
    from .conftest import make_user

    demo = next(u for u in DEMO_USERS if u.role == role)
    user = make_user(f"u_{role}", role, demo.unit_code)
    response = login(user).get("/")
    assert response.status_code == 200
    assert "工作台".encode() in response.content
    assert str(user.get_role_display()).encode() in response.content


def test_navigation_follows_the_role(auditor, alice, login):
    assert b'href="/audit/"' in login(auditor).get("/").content
    assert b'href="/audit/"' not in login(alice).get("/").content
    assert b'href="/people/"' in login(alice).get("/").content
    assert b'href="/people/"' not in login(auditor).get("/").content


def test_anonymous_is_sent_to_login(db):
    response = Client().get("/")
    assert response.status_code == 302 and response["Location"].startswith("/accounts/login/")


def test_english_is_available(alice, login):
    client = login(alice)
    client.post("/i18n/setlang/", {"language": "en", "next": "/"})
    assert b"Work queue" in client.get("/").content


def test_no_asset_comes_from_another_host(alice, login):
    import re

    html = login(alice).get("/").content.decode()
    for url in re.findall(r'(?:src|href)="([^"]+)"', html):
        assert not url.startswith(("http://", "https://", "//")), url
