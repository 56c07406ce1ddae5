"""The DNA database walked in the browser, on the demo data: the analyst imports the laboratory file the demo
left for family 6, the background worker finds the planted couple, two analysts confirm the match (four eyes),
and the case officer reveals the persons and records the reunion. Screenshots in test-artifacts/."""

import re
from pathlib import Path

import pytest

from .conftest import login, screenshot

pytestmark = pytest.mark.browser


def test_import_finds_the_family_two_analysts_confirm_and_the_officer_sees_the_reunion(server, browser):
    data = Path(server.env["FANGUAI_DATA_DIR"])
    lab_file = data / "demo" / "dna-import.csv"
    number = lab_file.read_text().splitlines()[1].split(",")[0]

    def new_page():
        return browser.new_context(viewport={"width": 1280, "height": 900}, locale="zh-CN").new_page()

    first = new_page()
    login(first, server, "dna")
    first.goto(f"{server.url}/dna/lab/import/")
    first.set_input_files("#id_file", str(lab_file))
    first.select_option("#id_kit", "globalfiler")
    first.click("#import-form button.btn-primary")
    first.wait_for_selector("#import-report")
    assert number in first.inner_text("#import-report")
    screenshot(first, "dna-import")
    # The comparison was queued for the background worker; let the worker process the queue once.
    server.run("db_worker", "--batch", "--no-startup-delay")
    first.click("#import-report a")
    first.wait_for_selector("#run-status")
    first.wait_for_function(
        "document.querySelector('.progress-bar').textContent.trim() === '100%'", timeout=15000
    )
    first.goto(f"{server.url}/dna/lab/candidates/?kind=match&status=open")
    row = first.locator("tr", has_text=number)
    assert row.count() == 1 and "夫妻双亲与子女" in row.inner_text()  # the couple hypothesis, by its label
    row.locator("a").first.click()
    first.wait_for_url(re.compile(r".*/dna/lab/candidates/\d+/$"))
    candidate_url = first.url
    assert first.locator("#genotypes").count() == 0 and first.locator("table.small tr").count() > 15
    first.select_option("#id_outcome", "confirmed")
    first.click("#review-form button.btn-primary")
    first.wait_for_selector("#candidate-status")
    assert first.locator("#review-form").count() == 0  # the same analyst cannot give the second review

    second = new_page()
    login(second, server, "dna2")
    second.goto(candidate_url)
    second.select_option("#id_outcome", "confirmed")
    second.click("#review-form button.btn-primary")
    second.wait_for_selector("#candidate-status")
    screenshot(second, "dna-match-confirmed")
    assert second.locator("#review-form").count() == 0
    assert "马小燕" not in second.inner_text("main")  # the laboratory sees numbers, not names

    officer = new_page()
    login(officer, server, "investigator")
    officer.goto(f"{server.url}/dna/reunions/")
    officer.locator("main table a").first.click()
    officer.wait_for_selector("#reveal")
    assert "马小燕" not in officer.inner_text("main")
    officer.click("#reveal")
    officer.wait_for_selector("#revealed")
    revealed = officer.inner_text("#revealed")
    assert "马小燕" in revealed and "黄磊" in revealed and "XS-2022-0006" in revealed
    officer.fill("#id_reunited_on", "2026-01-15")
    officer.click("#reunion-form button.btn-primary")
    officer.wait_for_selector("#reunion-status")
    assert officer.locator("#reunion-form").count() == 0
    screenshot(officer, "dna-reunion")
    for page in (first, second, officer):
        page.context.close()
