"""A demo user logs in on a real server and sees the Chinese home page (fixtures in conftest.py)."""

import urllib.request

import pytest

from .conftest import login, screenshot

pytestmark = pytest.mark.browser


def test_demo_user_logs_in_and_sees_the_chinese_home_page(server, page):
    page.goto(f"{server.url}/")
    assert "登录" in page.inner_text("h1")
    login(page, server, "investigator")
    assert "工作台" in page.inner_text("h1")
    assert "民警" in page.inner_text("nav")
    path = screenshot(page, "home-investigator")
    page.set_viewport_size({"width": 390, "height": 844})
    screenshot(page, "home-investigator-phone")
    assert path.stat().st_size > 10_000


def test_static_files_are_served_by_the_application(server):
    with urllib.request.urlopen(f"{server.url}/accounts/login/") as response:  # noqa: S310 - local server
        html = response.read().decode()
    assert "/static/vendor/bootstrap/bootstrap.min" in html


def _watch_policy(page) -> list[str]:
    """Collects what the browser reports against the Content-Security-Policy or the Permissions-Policy, and
    script errors (e.g. htmx refusing to eval)."""
    problems: list[str] = []

    def on_console(message):
        text = message.text
        if "Content Security Policy" in text or "Permissions-Policy" in text or "Permissions Policy" in text:
            problems.append(f"{page.url}: {text}")

    page.on("console", on_console)
    page.on("pageerror", lambda error: problems.append(f"{page.url}: {error}"))
    return problems


def test_pages_work_under_the_content_security_policy(server, browser):
    """Home page (Bootstrap dropdown, the htmx inbox badge reload), dashboard (ECharts map and trend with a tooltip),
    the public alert list, the API documentation (Swagger UI) and a form page: nothing is blocked and nothing
    breaks."""
    context = browser.new_context(viewport={"width": 1280, "height": 800}, locale="zh-CN")
    page = context.new_page()
    problems = _watch_policy(page)
    login(page, server, "office")
    # The badge is drawn with the page; htmx reloads it when notifications change (and every minute).
    with page.expect_response(lambda r: "/inbox/badge" in r.url and r.status == 200):
        page.evaluate("htmx.trigger(document.body, 'notifications-changed')")
    toggle = page.locator("nav .dropdown-toggle").first
    toggle.click()
    page.locator("nav .dropdown-menu.show").first.wait_for(state="visible")

    page.goto(f"{server.url}/reports/dashboard/")
    page.locator("#county-map canvas").first.wait_for()
    page.locator("#trend canvas").first.wait_for()
    page.wait_for_load_state("networkidle")
    box = page.locator("#trend").bounding_box()
    page.mouse.move(box["x"] + box["width"] / 2, box["y"] + box["height"] / 2)
    page.wait_for_timeout(500)
    screenshot(page, "dashboard-under-csp")

    page.goto(f"{server.url}/alerts/")
    page.goto(f"{server.url}/api/docs")
    page.locator(".swagger-ui .info .title").wait_for()
    page.wait_for_load_state("networkidle")
    context.close()

    # A form page; its Cancel link goes back through site.js (it was a javascript: URL).
    context = browser.new_context(viewport={"width": 1280, "height": 800}, locale="zh-CN")
    page = context.new_page()
    problems += _watch_policy(page)
    login(page, server, "investigator")
    page.goto(f"{server.url}/missing/")
    page.goto(f"{server.url}/missing/reports/new/")
    page.locator("form #id_full_name").wait_for()
    page.locator("a[data-history-back]").click()
    page.wait_for_url(f"{server.url}/missing/")
    context.close()
    assert not problems, "\n".join(problems)
