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
