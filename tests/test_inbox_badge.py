"""The unread count is drawn with every page, so no page needs a second request to show it."""

import re

from fanguai.notifications.services import notify


def _badge(html: str) -> str:
    match = re.search(r'hx-get="/inbox/badge/[^"]*"[^>]*>(.*?)</span>\s*</a>', html, re.S)
    assert match, "the navigation has no inbox badge"
    return match.group(1)


def test_the_badge_is_drawn_with_the_page_and_then_polled(office, login):
    client = login(office)
    html = client.get("/").content.decode()
    assert 'hx-trigger="every 60s' in html and "load," not in html.split("/inbox/badge/")[1][:200]
    assert "rounded-pill" not in _badge(html)
    notify(recipients=[office], subject="Test", kind="general")
    notify(recipients=[office], subject="Test 2", kind="general")
    badge = _badge(client.get("/").content.decode())
    assert re.search(r">\s*2\s*</span>", badge)
