"""The inbox pages: only one's own notifications, unread first, marking read (plain and htmx)."""

import pytest
from django.test import Client

from fanguai.audit.models import AuditEvent
from fanguai.notifications.models import Notification
from fanguai.notifications.services import mark_read, notify
from fanguai.notifications.views import PAGE_SIZE

SECRET = "Alice-only subject 秘密"


@pytest.fixture
def inbox_of_alice(alice):
    [old] = notify(recipients=[alice], subject="Older, read", link="/deadlines/")
    mark_read(actor=alice, notification=old)
    [new] = notify(recipients=[alice], subject=SECRET, body="Details", link="/deadlines/")
    return {"read": old, "unread": new}


@pytest.mark.django_db
def test_the_inbox_shows_own_notifications_unread_first(alice, inbox_of_alice, login):
    [newest] = notify(recipients=[alice], subject="Newest, read")
    mark_read(actor=alice, notification=newest)
    response = login(alice).get("/inbox/")
    assert response.status_code == 200
    html = response.content.decode()
    assert html.index(SECRET) < html.index("Newest, read") < html.index("Older, read")
    unread_only = login(alice).get("/inbox/?show=unread").content.decode()
    assert SECRET in unread_only and "Older, read" not in unread_only


@pytest.mark.django_db
@pytest.mark.parametrize("who", ["bob", "charlie", "dave", "office"])
def test_others_never_see_alice_notifications(who, request, inbox_of_alice, login):
    user = request.getfixturevalue(who)
    client = login(user)
    assert SECRET.encode() not in client.get("/inbox/").content
    unread = inbox_of_alice["unread"]
    for url in (f"/inbox/{unread.pk}/read/", f"/inbox/{unread.pk}/open/"):
        response = client.post(url)
        assert response.status_code == 404
        assert SECRET.encode() not in response.content
    client.post("/inbox/read-all/")
    unread.refresh_from_db()
    assert unread.read_at is None


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("method", "url"),
    [
        ("get", "/inbox/"),
        ("get", "/inbox/badge/"),
        ("post", "/inbox/read-all/"),
        ("post", "/inbox/1/read/"),
        ("post", "/inbox/1/open/"),
    ],
)
def test_anonymous_users_are_sent_to_login(method, url):
    response = getattr(Client(), method)(url)
    assert response.status_code == 302 and "/accounts/login/" in response["Location"]


@pytest.mark.django_db
def test_mark_read_plain_and_htmx(alice, inbox_of_alice, login):
    client = login(alice)
    unread = inbox_of_alice["unread"]
    assert client.get(f"/inbox/{unread.pk}/read/").status_code == 405
    response = client.post(f"/inbox/{unread.pk}/read/", HTTP_HX_REQUEST="true")
    assert response.status_code == 200
    assert response["HX-Trigger"] == "notifications-changed"
    assert f'id="notification-{unread.pk}"' in response.content.decode()
    assert "<html" not in response.content.decode()
    unread.refresh_from_db()
    assert unread.read_at is not None
    assert AuditEvent.objects.filter(
        action="notification.read", object_id=str(unread.pk), actor=alice
    ).exists()
    [another] = notify(recipients=[alice], subject="Another")
    response = client.post(f"/inbox/{another.pk}/read/", {"next": "https://evil.example/"})
    assert response.status_code == 302 and response["Location"] == "/inbox/"


@pytest.mark.django_db
def test_open_marks_read_and_follows_the_link(alice, inbox_of_alice, login):
    unread = inbox_of_alice["unread"]
    response = login(alice).post(f"/inbox/{unread.pk}/open/")
    assert response.status_code == 302 and response["Location"] == "/deadlines/"
    unread.refresh_from_db()
    assert unread.is_read


@pytest.mark.django_db
def test_open_never_redirects_off_site(alice, login):
    [row] = notify(recipients=[alice], subject="Odd link", link="https://evil.example/")
    response = login(alice).post(f"/inbox/{row.pk}/open/")
    assert response["Location"] == "/inbox/"


@pytest.mark.django_db
def test_mark_all_read_and_the_badge(alice, bob, inbox_of_alice, login):
    notify(recipients=[alice, bob], subject="Second unread")
    client = login(alice)
    assert ">2<" in client.get("/inbox/badge/").content.decode()
    response = client.post("/inbox/read-all/", HTTP_HX_REQUEST="true", HTTP_HX_TARGET="inbox-list")
    assert response.status_code == 200 and response["HX-Trigger"] == "notifications-changed"
    assert not Notification.objects.filter(recipient=alice, read_at__isnull=True).exists()
    assert Notification.objects.filter(recipient=bob, read_at__isnull=True).count() == 1
    assert "badge" not in client.get("/inbox/badge/").content.decode()
    response = client.post("/inbox/read-all/")
    assert response.status_code == 302 and response["Location"] == "/inbox/"


@pytest.mark.django_db
def test_the_inbox_is_paginated(alice, login):
    for i in range(PAGE_SIZE + 3):
        notify(recipients=[alice], subject=f"Message {i:03d}")
    client = login(alice)
    first = client.get("/inbox/").content.decode()
    second = client.get("/inbox/?page=2").content.decode()
    assert "Message 027" in first and "Message 000" not in first
    assert "Message 000" in second and "Message 027" not in second


@pytest.mark.django_db
def test_the_htmx_list_partial(alice, inbox_of_alice, login):
    response = login(alice).get("/inbox/?show=unread", HTTP_HX_REQUEST="true", HTTP_HX_TARGET="inbox-list")
    html = response.content.decode()
    assert SECRET in html and "<html" not in html


@pytest.mark.django_db
def test_the_home_panel_shows_unread_notifications(alice, bob, inbox_of_alice, login):
    from fanguai.notifications.views import home_panel_context

    assert home_panel_context(bob) is None
    context = home_panel_context(alice)
    assert context["unread_count"] == 1 and context["latest"] == [inbox_of_alice["unread"]]
    html = login(alice).get("/").content.decode()
    assert "notifications-panel" in html and SECRET in html
    assert "notifications-panel" not in login(bob).get("/").content.decode()
