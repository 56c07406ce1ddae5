"""One listing walked in the browser: the office lists a key case for 霍邱县公安局 with a deadline; time passes
(the deadline is moved into the past in the same data folder) and the deadline sweep runs; the detail page shows
the red warning; the unit's investigator requests lifting; the office approves; the listing shows as lifted.
Fixtures in conftest.py; screenshots in test-artifacts/."""

import re
from datetime import timedelta

import pytest

from .conftest import login, screenshot

pytestmark = pytest.mark.browser

TITLE = "浏览器演练：霍邱县重点案件挂牌"
MAKE_OVERDUE = """
from datetime import timedelta
from django.utils import timezone
from fanguai.deadlines.models import Deadline
from fanguai.supervision.models import Listing
past = timezone.now() - timedelta(days=1)
Listing.objects.filter(pk={pk}).update(due_at=past, due_date=timezone.localdate(past))
Deadline.objects.filter(kind="supervision.listing", object_id="{pk}").update(due_at=past, warn_at=past)
"""


def test_a_listing_from_creation_to_a_red_warning_to_lifting(server, browser, page):
    from django.utils import timezone

    login(page, server, "office")
    page.goto(f"{server.url}/supervision/listings/new/")
    page.select_option("#id_kind", "case")
    page.fill("#id_title", TITLE)
    page.fill("#id_case_reference", "霍公（刑）〔2026〕88号")
    page.fill("#id_requirements", "一个月内查明被拐儿童下落。")
    page.select_option("#id_responsible_unit", label="霍邱县公安局")
    page.fill("#id_due_date", (timezone.localdate() + timedelta(days=30)).isoformat())
    page.click("main form button.btn-primary")
    page.wait_for_url(re.compile(r".*/supervision/listings/\d+/$"))
    pk = int(page.url.rstrip("/").rsplit("/", 1)[1])
    assert TITLE in page.inner_text("h1")
    assert page.locator("h1 .warning-badge").count() == 0
    screenshot(page, "listing-created")

    server.run("shell", "-c", MAKE_OVERDUE.format(pk=pk))
    assert "late" in server.run("deadlines", "sweep")
    page.reload()
    assert page.locator('h1 .warning-badge[data-level="red"]').is_visible()
    assert page.locator('.warnings li[data-level="red"]').count() == 1
    screenshot(page, "listing-red-warning")

    context = browser.new_context(viewport={"width": 1280, "height": 800}, locale="zh-CN")
    unit_page = context.new_page()
    login(unit_page, server, "investigator")
    unit_page.goto(f"{server.url}/supervision/listings/{pk}/")
    assert unit_page.locator('h1 .warning-badge[data-level="red"]').is_visible()
    unit_page.click(f'a[href="/supervision/listings/{pk}/lift/"]')
    unit_page.fill("#id_reason", "被拐儿童已找回，嫌疑人已刑事拘留。")
    unit_page.click("main form button.btn-primary")
    unit_page.wait_for_url(f"{server.url}/supervision/listings/{pk}/")
    assert unit_page.locator('h1 .status-badge[data-status="lift_requested"]').is_visible()
    screenshot(unit_page, "listing-lift-requested")
    context.close()

    page.reload()
    page.fill(".lift-decision textarea[name=note]", "同意摘牌。")
    page.click('.lift-decision button[value="approve"]')
    page.wait_for_url(f"{server.url}/supervision/listings/{pk}/")
    assert page.locator('h1 .status-badge[data-status="lifted"]').is_visible()
    assert page.locator("h1 .warning-badge").count() == 0
    steps = page.locator(".timeline li").evaluate_all("items => items.map(i => i.dataset.action)")
    assert steps == [
        "listing.create",
        "listing.warning.red",
        "listing.lift_request",
        "listing.lift_approve",
    ]
    path = screenshot(page, "listing-lifted")
    assert path.stat().st_size > 10_000
