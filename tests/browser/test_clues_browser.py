"""One clue walked in the browser, end to end: a member of the public reports on a phone and gets a receipt
code; the office triages and transfers it to 霍邱县公安局; the unit's investigator acknowledges and writes to
the reporter; the reporter reads the answer with the receipt code. Fixtures in conftest.py; screenshots in
test-artifacts/. The public form's minimum fill time (3 s by default) is waited out like a person would."""

import re

import pytest

from .conftest import login, screenshot

pytestmark = pytest.mark.browser

DESCRIPTION = "浏览器演练：在霍邱县城关镇车站看到一名男子带着一个哭闹的小女孩，女孩说不认识他。"
REPLY = "感谢您的举报，我们已派员核查。请问女孩大约几岁？"
PHONE = {"width": 390, "height": 844}


def test_report_triage_transfer_acknowledge_and_answer(server, browser):
    public = browser.new_context(viewport=PHONE, locale="zh-CN", is_mobile=True)
    reporter = public.new_page()
    reporter.goto(f"{server.url}/report/")
    reporter.select_option("#id_category", "trafficking")
    reporter.fill("#id_description", DESCRIPTION)
    county_value = reporter.eval_on_selector('#id_region optgroup[label="霍邱县"] option', "o => o.value")
    reporter.select_option("#id_region", county_value)
    reporter.fill("#id_place_detail", "城关镇汽车站")
    screenshot(reporter, "clue-report-form-phone")
    reporter.wait_for_timeout(3500)  # the minimum fill time of the public form
    reporter.click("main form button[type=submit]")
    code = reporter.get_attribute("#receipt-code", "data-code")
    assert code and re.fullmatch(r"\d{16}", code)
    screenshot(reporter, "clue-receipt-phone")

    staff = browser.new_context(viewport={"width": 1280, "height": 800}, locale="zh-CN")
    office = staff.new_page()
    login(office, server, "office")
    clue_id = next(c["id"] for c in office.request.get(f"{server.url}/api/clues?status=new").json()["items"])
    office.goto(f"{server.url}/clues/{clue_id}/")
    assert DESCRIPTION in office.inner_text(".clue-description")
    office.click(f'a[href="/clues/{clue_id}/transfer/"]')
    assert office.input_value("#id_to_unit") != ""  # the county police by default
    office.select_option("#id_priority", "urgent")
    office.click("main form button.btn-primary")
    office.wait_for_url(f"{server.url}/clues/{clue_id}/")
    assert "霍邱县公安局" in office.inner_text("#timeline")
    screenshot(office, "clue-transferred-office")
    staff.close()

    unit = browser.new_context(viewport={"width": 1280, "height": 800}, locale="zh-CN")
    investigator = unit.new_page()
    login(investigator, server, "investigator")
    investigator.goto(f"{server.url}/clues/{clue_id}/")
    investigator.click("#acknowledge")
    investigator.wait_for_url(f"{server.url}/clues/{clue_id}/")
    investigator.fill("#message-reporter textarea[name=message]", REPLY)
    investigator.click("#message-reporter button")
    investigator.wait_for_url(f"{server.url}/clues/{clue_id}/")
    assert REPLY in investigator.inner_text("#timeline")
    screenshot(investigator, "clue-acknowledged-investigator")
    unit.close()

    reporter.goto(f"{server.url}/report/follow-up/")
    reporter.fill("#id_code", " ".join(code[i : i + 4] for i in range(0, 16, 4)))
    reporter.click("main form button[type=submit]")
    reporter.wait_for_url(f"{server.url}/report/follow-up/report/")
    timeline = reporter.inner_text("#public-timeline")
    assert REPLY in timeline and "investigator" not in timeline and "张伟" not in timeline
    screenshot(reporter, "clue-follow-up-phone")
    public.close()
