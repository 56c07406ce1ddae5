"""One referral from intake to delivered, in the browser: the shelter caseworker takes in a rescued child,
records the guardian's consent for the county education bureau and refers schooling; the bureau's liaison
accepts it and records the delivery; the caseworker sees it delivered (fixtures in conftest.py)."""

import pytest

from .conftest import login, screenshot

pytestmark = pytest.mark.browser


def test_a_referral_from_intake_to_delivered(server, browser):
    worker = browser.new_context(viewport={"width": 1280, "height": 900}, locale="zh-CN").new_page()
    login(worker, server, "caseworker")
    worker.goto(f"{server.url}/assistance/intake/")
    worker.fill("#id_full_name", "测试儿童")
    worker.select_option("#id_sex", "female")
    worker.fill("#id_birth_date", "2015-03-01")
    worker.select_option("#id_handed_over_by_unit", label="霍邱县公安局")
    worker.fill("#id_handed_over_by_officer", "张伟")
    worker.check("input[name=needs][value=schooling]")
    worker.select_option("#id_risk_level", "medium")
    worker.select_option("#id_guardianship", "shelter_temporary")
    worker.click("form button.btn-primary")
    worker.wait_for_url("**/assistance/cases/*/")
    case_url = worker.url
    worker.click("a[href$='/consents/new/']")
    worker.select_option("#id_unit", label="霍邱县教体局")
    worker.select_option("#id_basis", "guardian")
    worker.fill("#id_given_by", "监护人")
    worker.click("form button.btn-primary")
    worker.wait_for_url(case_url)
    worker.click("a[href$='/referrals/new/']")
    worker.select_option("#id_service", "schooling")
    worker.fill("#id_request", "联系学校插班")
    worker.click("form button.btn-primary")
    worker.wait_for_url("**/assistance/referrals/*/")
    referral_url = worker.url
    screenshot(worker, "assistance-referral-sent")

    bureau = browser.new_context(viewport={"width": 1280, "height": 900}, locale="zh-CN").new_page()
    login(bureau, server, "edu_liaison")
    bureau.goto(referral_url)
    assert "测试儿童" in bureau.content()  # the consent shares the name with this unit
    bureau.select_option("#id_decision", "accept")
    bureau.click("form[action$='/respond/'] button")
    bureau.wait_for_selector("form[action$='/deliver/']")
    bureau.fill("#id_outcome", "已在中心小学就读")
    bureau.click("form[action$='/deliver/'] button")
    bureau.wait_for_selector(".badge.text-bg-success")
    screenshot(bureau, "assistance-referral-delivered")

    worker.goto(case_url)
    assert worker.locator(".badge.text-bg-success").count() >= 1
    screenshot(worker, "assistance-case")
