"""The missing-child path walked in the browser: the investigator files a report with a photo (the
rapid-search checklist starts), publishes the alert, a member of the public sees it on a phone with the photo
and the police phone, the investigator records that the child was found, and the public page keeps only
"已找到". Fixtures in conftest.py; screenshots in test-artifacts/."""

import io
import re

import pytest
from PIL import Image

from .conftest import login, screenshot

pytestmark = pytest.mark.browser

NAME = "浏览器演练童"
PHONE = {"width": 390, "height": 844}


def _photo() -> bytes:
    image = Image.new("RGB", (600, 800), (230, 200, 160))
    out = io.BytesIO()
    image.save(out, "JPEG")
    return out.getvalue()


def test_report_publish_see_found_cleared(server, browser):
    staff = browser.new_context(viewport={"width": 1280, "height": 800}, locale="zh-CN")
    investigator = staff.new_page()
    login(investigator, server, "investigator")
    investigator.goto(f"{server.url}/missing/reports/new/")
    investigator.fill("#id_full_name", NAME)
    investigator.select_option("#id_sex", "female")
    investigator.select_option("#id_category", "child")
    investigator.fill("#id_last_seen_place", "霍邱县城关镇文化广场东门")
    investigator.fill("#id_latitude", "32.3500")
    investigator.fill("#id_longitude", "116.2800")
    investigator.fill("#id_reporter_name", "演练家长")
    investigator.fill("#id_reporter_phone", "13800000000")
    investigator.set_input_files(
        "#id_photo", {"name": "child.jpg", "mimeType": "image/jpeg", "buffer": _photo()}
    )
    investigator.click("main form button[type=submit]")
    investigator.wait_for_url(re.compile(r".*/missing/reports/\d+/$"))
    report_url = investigator.url
    assert investigator.locator("#checklist li").count() >= 4
    screenshot(investigator, "missing-report-checklist")

    investigator.click("#publish-alert")
    assert investigator.input_value("#id_display_name") == NAME
    investigator.fill("#id_age_text", "6岁")
    investigator.fill("#id_description", "扎马尾，穿黄色连衣裙")
    investigator.fill("#id_description_en", "Ponytail, yellow dress")
    investigator.click("main form button[type=submit]")
    investigator.wait_for_url(re.compile(r".*/missing/alerts/\d+/$"))
    assert "100" in investigator.inner_text("#alert-radius")
    public_path = investigator.get_attribute("a[href^='/alerts/A']", "href")
    screenshot(investigator, "missing-alert-staff")

    public = browser.new_context(viewport=PHONE, locale="zh-CN", is_mobile=True)
    visitor = public.new_page()
    visitor.goto(f"{server.url}/alerts/")
    assert NAME in visitor.inner_text("#active-alerts")
    visitor.goto(f"{server.url}{public_path}")
    assert NAME in visitor.inner_text("#public-alert")
    assert "110" in visitor.inner_text("#police-phone")
    assert visitor.eval_on_selector("#public-alert img", "img => img.complete && img.naturalWidth > 0")
    assert "13800000000" not in visitor.content()
    screenshot(visitor, "missing-alert-public-phone")

    investigator.goto(report_url)
    investigator.select_option("#outcome-form #id_outcome", "found_safe")
    investigator.click("#outcome-form button")
    investigator.wait_for_url(report_url)
    screenshot(investigator, "missing-report-found")
    staff.close()

    visitor.reload()
    assert "已找到" in visitor.inner_text("#cleared-status")
    assert NAME not in visitor.content() and "文化广场" not in visitor.content()
    assert visitor.locator("#public-alert img").count() == 0
    screenshot(visitor, "missing-alert-found-phone")
    visitor.goto(f"{server.url}/alerts/feed.atom")
    assert NAME not in visitor.content()
    public.close()
