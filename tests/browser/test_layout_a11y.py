"""Layout and accessibility of every main page, at 1366 px (a desktop) and 390 px (a phone) wide.

Long demo texts are seeded first (a 200-character title and a 4,400-character description without spaces on the
first record of each main list). Then, signed in as one demo user of each role and as the public, the test opens
the home page, every page of the navigation, the other lists and forms those pages link to, and one detail page
of each kind of record met on the way (clue, case, missing report, assistance case, DNA pages, plan, supervision,
outreach, reports, audit, accounts); each route is checked once, by the first role that reaches it. The public
pages are the report form, the receipt page after a real report, the follow-up pages, the alerts and the login.
On every page and at both widths it fails, naming page, user, width and elements, when

- anything makes the page wider than the viewport (document scrollWidth > innerWidth),
- the text of a button (``button``, ``.btn``) wraps onto a second line,
- axe-core reports a violation of impact "critical" or "serious" (rule id and target selectors),

and on the public pages at 390 px when a button, form control or link of a list is less than 44 px high.
Fixtures in conftest.py; helpers in a11y.py."""

import json
import re
from urllib.parse import urlsplit

import pytest
from django.urls import Resolver404, resolve

from fanguai.core.demo import one_user_per_role

from .a11y import check
from .conftest import ARTIFACTS, login, screenshot

pytestmark = pytest.mark.browser

WIDTHS = (1366, 390)
ROLES = one_user_per_role()
LONG_TITLE = "超长标题文字" * 30 + "ABCDEFGHIJ0123456789"  # 200 characters, no spaces
LONG_TEXT = ("描述" * 1200) + ("ABCDEFGHIJ0123456789" * 100)  # 4,400 characters, no spaces
assert len(LONG_TITLE) == 200 and len(LONG_TEXT) == 4400

# The first record of each main list gets the long texts (a title cut to the field's length where shorter).
SEED = """
import json
from django.apps import apps
from django.urls import reverse
title, text = {title!r}, {text!r}
targets = [
    ("clues.Clue", ["description", "place_detail"], "clues:detail"),
    ("cases.Case", ["title", "summary"], "cases:detail"),
    ("missing.MissingReport", ["description", "last_seen_place"], "missing:report_detail"),
    ("outreach.Activity", ["title", "description"], "outreach:detail"),
    ("supervision.Listing", ["title", "requirements"], "supervision:listing_detail"),
    ("supervision.Inspection", ["title", "scope"], "supervision:inspection_detail"),
    ("plans.WorkItem", ["title", "description"], None),
]
urls = []
for label, names, route in targets:
    record = apps.get_model(label).objects.first()
    if record is None:
        continue
    for name in names:
        field = record._meta.get_field(name)
        value = text if field.get_internal_type() != "CharField" else title[: field.max_length]
        setattr(record, name, value)
    record.save(update_fields=names)
    if route:
        urls.append(reverse(route, args=[record.pk]))
print(json.dumps(urls))
"""

# Detail pages: one of each kind is opened, the first one a page links to.
DETAIL_ROUTES = {
    "accounts:staff_change",
    "people:detail",
    "plans:tree",
    "plans:workplan_detail",
    "plans:report_detail",
    "supervision:listing_detail",
    "supervision:inspection_detail",
    "supervision:rectification_detail",
    "clues:detail",
    "dna:lab_specimen",
    "dna:candidate",
    "dna:pedigree",
    "dna:run",
    "dna:sample",
    "dna:reunion",
    "cases:detail",
    "cases:package",
    "missing:report_detail",
    "missing:alert_detail",
    "missing:unidentified_detail",
    "missing:screening_detail",
    "assistance:case_detail",
    "assistance:referral_detail",
    "assistance:registration_detail",
    "outreach:detail",
    "reports:evaluation",
    "reports:assessment",
}
# Never opened: leaving, actions and documents (not pages), the API and the inbox's redirects.
SKIPPED = re.compile(
    r"^/(static|media|files|i18n|api)/|^/accounts/logout/|^/inbox/(badge/|\d+/)|^/deadlines/\d+/open/"
    r"|\.(xlsx|csv|json|atom|pdf|jpg|cap)$"
)
# Routes already checked by an earlier role: each page once per run.
checked_routes: set[str] = set()


def _route(path: str) -> tuple[str, bool] | None:
    """The route name of a same-origin page link and whether it is a detail page; None if it is not a page."""
    if not path.startswith("/") or path.startswith("//") or SKIPPED.search(path):
        return None
    try:
        match = resolve(path)
    except Resolver404:
        return None
    name = match.view_name
    if name in DETAIL_ROUTES:
        return name, True
    if match.kwargs:
        return None  # an edit, an action or a sub-page of a record: not one of the main pages
    return name, False


def _links(page) -> list[str]:
    hrefs = page.eval_on_selector_all("a[href]", "links => links.map(a => a.getAttribute('href'))")
    return [urlsplit(href).path for href in hrefs if href and not href.startswith("#")]


@pytest.fixture(scope="module")
def seeded(server) -> list[str]:
    """Long texts on the first record of each main list; the detail pages of those records."""
    output = server.run("shell", "-c", SEED.format(title=LONG_TITLE, text=LONG_TEXT))
    return json.loads(output.strip().splitlines()[-1])


@pytest.mark.parametrize("username", ROLES)
def test_staff_pages_fit_the_screen_and_pass_axe(server, browser, seeded, username):
    context = browser.new_context(
        viewport={"width": WIDTHS[0], "height": 900}, locale="zh-CN", bypass_csp=True
    )
    page = context.new_page()
    login(page, server, username)
    queue = ["/", *seeded]
    queued = set(queue)
    problems: list[str] = []
    checked: list[str] = []
    while queue:
        path = queue.pop(0)
        route = _route(path)
        if route is None or route[0] in checked_routes:
            continue
        key = f"{route[0]} {username}" if path == "/" else route[0]  # each role's own home page
        response = page.goto(f"{server.url}{path}")
        if response is None or response.status >= 400:
            continue  # a seeded record this role may not see; the navigation's own pages all answer
        checked_routes.add(key)
        checked.append(path)
        for link in _links(page):
            found = _route(link)
            if link not in queued and found and found[0] not in checked_routes:
                queued.add(link)
                queue.append(link)
        # axe-core takes a second or two a page: at both widths on the home page (the bar open and collapsed),
        # at the desktop width elsewhere (the phone's cards and wrapping are the layout check's).
        problems += check(
            page, WIDTHS, f"{path} ({username})", axe_widths=None if path == "/" else WIDTHS[:1]
        )
        if path in ("/clues/", "/cases/"):
            screenshot(page, f"layout-{path.strip('/')}-phone")  # the list as cards (left at 390 px)
        page.set_viewport_size({"width": WIDTHS[0], "height": 900})
    context.close()
    ARTIFACTS.mkdir(exist_ok=True)
    (ARTIFACTS / f"layout-a11y-{username}.txt").write_text("\n".join(checked + ["", *problems]) + "\n")
    assert checked, f"{username} reached no page"
    assert not problems, f"{len(problems)} problem(s) on {len(checked)} page(s):\n" + "\n".join(problems)


def _small_targets(page) -> list[str]:
    """Buttons, form controls and the links of lists under 44 px high (the phone's tap target)."""
    return page.evaluate(
        """() => Array.from(document.querySelectorAll(
              "main button, main .btn, main input:not([type=hidden]), main select, main textarea, main li > a,"
              + " nav a, nav button"))
            .filter((el) => {
              const box = el.getBoundingClientRect();
              // not shown, or kept off the screen and out of the tab order (the form's honeypot field)
              if (box.width === 0 || box.height === 0 || box.right < 0 || el.tabIndex < 0) return false;
              if (el.matches("input[type=checkbox], input[type=radio]")) {
                const label = el.closest(".form-check") || el.parentElement;
                return label.getBoundingClientRect().height < 44;
              }
              return box.height < 43.5;
            })
            .map((el) => el.tagName.toLowerCase() + (el.name ? "[name=" + el.name + "]" : "") + " \\""
                 + (el.innerText || el.value || "").trim().slice(0, 20) + "\\" "
                 + Math.round(el.getBoundingClientRect().height) + " px")"""
    )


def _check_public(page, label: str) -> list[str]:
    problems = check(page, WIDTHS, label)
    page.set_viewport_size({"width": 390, "height": 844})
    problems += [f"{label} @390px: tap target under 44 px: {target}" for target in _small_targets(page)]
    return problems


def test_public_pages_fit_a_phone_and_pass_axe(server, browser):
    context = browser.new_context(viewport={"width": 390, "height": 844}, locale="zh-CN", bypass_csp=True)
    page = context.new_page()
    problems: list[str] = []
    for path in ("/report/", "/report/follow-up/", "/alerts/", "/alerts/subscribe/", "/accounts/login/"):
        page.goto(f"{server.url}{path}")
        problems += _check_public(page, path)
    page.goto(f"{server.url}/alerts/")
    alert = next((link for link in _links(page) if re.fullmatch(r"/alerts/[\w-]+/", link)), None)
    if alert and alert != "/alerts/subscribe/":
        page.goto(f"{server.url}{alert}")
        problems += _check_public(page, alert)

    # A real report, with a long description, gives the receipt page (shown once) and the follow-up page.
    page.goto(f"{server.url}/report/")
    page.select_option("#id_category", index=1)
    page.fill("#id_description", LONG_TEXT)
    page.wait_for_timeout(3500)  # the minimum fill time of the public form
    page.click("main form button[type=submit]")
    code = page.get_attribute("#receipt-code", "data-code")
    assert code, page.inner_text("main")
    problems += _check_public(page, "/report/ (receipt)")
    copy = page.locator("[data-copy-target]")
    assert copy.count() == 1 and copy.is_visible(), "the receipt page has a copy button for the code"
    screenshot(page, "receipt-phone")
    page.goto(f"{server.url}/report/follow-up/")
    page.fill("#id_code", code)
    page.click("main form button[type=submit]")
    page.wait_for_url(f"{server.url}/report/follow-up/report/")
    problems += _check_public(page, "/report/follow-up/report/")
    context.close()
    assert not problems, f"{len(problems)} problem(s):\n" + "\n".join(problems)


def test_the_receipt_code_copy_button_copies_the_code(server, browser):
    """The copy button puts the code on the clipboard (and says so); without the clipboard API it selects the
    code so the user can copy it."""
    context = browser.new_context(viewport={"width": 390, "height": 844}, locale="zh-CN")
    context.grant_permissions(["clipboard-read", "clipboard-write"], origin=server.url)
    page = context.new_page()
    page.goto(f"{server.url}/report/")
    page.select_option("#id_category", index=1)
    page.fill("#id_description", "火车站附近有人抱着一个一直哭的小孩，神情慌张。")
    page.wait_for_timeout(3500)  # the minimum fill time of the public form
    page.click("main form button[type=submit]")
    code = page.get_attribute("#receipt-code", "data-code")
    page.click("[data-copy-target]")
    page.locator("[data-copy-status]:not(:empty)").wait_for()
    assert page.evaluate("() => navigator.clipboard.readText()") == code

    page.evaluate("() => Object.defineProperty(navigator, 'clipboard', {value: undefined})")
    page.evaluate("() => window.getSelection().removeAllRanges()")
    page.click("[data-copy-target]")
    selected = page.evaluate("() => window.getSelection().toString()")
    assert re.sub(r"\D", "", selected) == code
    context.close()


def test_the_staff_menu_opens_without_javascript_and_on_a_phone(server, browser):
    context = browser.new_context(
        viewport={"width": 1366, "height": 900}, locale="zh-CN", java_script_enabled=False
    )
    page = context.new_page()
    login(page, server, "office")
    menu = page.locator("#main-nav details").first
    menu.locator("summary").click()
    link = menu.locator("a").first
    assert link.is_visible()
    href = link.get_attribute("href")
    link.click()
    page.wait_for_url(f"{server.url}{href}")
    context.close()

    context = browser.new_context(viewport={"width": 390, "height": 844}, locale="zh-CN", is_mobile=True)
    page = context.new_page()
    login(page, server, "office")
    # the keyboard's focus ring shows on the blue bar (a yellow outline, not Bootstrap's blue glow)
    page.keyboard.press("Tab")
    ring = page.evaluate(
        "() => { const s = getComputedStyle(document.activeElement);"
        " return [document.activeElement.closest('.navbar') !== null, s.outlineStyle, s.outlineColor]; }"
    )
    assert ring == [True, "solid", "rgb(255, 193, 7)"], ring
    assert not page.locator("#main-nav").is_visible()
    page.click(".navbar-toggler")
    page.locator("#main-nav").wait_for(state="visible")
    menu = page.locator("#main-nav details").first
    menu.locator("summary").click()
    assert menu.locator("a").first.is_visible()
    context.close()


def test_favicon(server, page):
    response = page.goto(f"{server.url}/favicon.ico")
    assert response.ok and "svg" in response.headers["content-type"]
    page.goto(f"{server.url}/accounts/login/")
    assert page.locator("link[rel=icon]").count() == 1
