"""Every page in Chinese. A crawler signs in (Simplified Chinese) as one demo user of each role, and as the
public, follows the links of the navigation and of the records it meets (same origin, GET only, the ``href``
and ``hx-get`` of the page, so htmx partials too; one URL per route and role, so it stays bounded), opens the
Excel exports and the Atom feed of alerts, and reads what a user reads: the text of the page without script
and style, the title, placeholder, aria-label and alt attributes, button values, option texts, sheet names
and cells. It fails, naming every page and text at once, on

- a catalogue string left in English (a text equal to a msgid whose translation differs),
- a machine code: snake_case or dotted (``target_region``, ``user.login``, ``accounts.user``) or a unit code
  (``341500-police``),
- an English word outside the allow-list (proper nouns, standards such as CAP, DNA and STR, units, file
  formats, the product name), and a sheet named like a spreadsheet's default ("Sheet1").

Text inside ``<code>`` (a file's column names, a command) is literal on purpose and not read. Values that are
Latin by nature in the demo data (user names, e-mail addresses) are data, not interface. PDF documents are
left out: rendering them takes seconds each (tests/reports reads their text)."""

import io
import re
import time
from collections import deque
from dataclasses import dataclass, field
from html.parser import HTMLParser
from pathlib import Path
from urllib.parse import urljoin, urlsplit
from xml.etree import ElementTree

import polib
import pytest
from django.conf import settings
from django.test import Client
from django.urls import Resolver404, resolve
from django.utils import translation
from openpyxl import load_workbook

from fanguai.core.demo import one_user_per_role

PO = Path(__file__).resolve().parents[1] / "src/fanguai/locale/zh_Hans/LC_MESSAGES/django.po"

# One demo user of each role (fanguai.core.demo.DEMO_USERS); None: the public, from its own pages.
ROLES = [*one_user_per_role(), None]
PUBLIC_START = ["/report/", "/alerts/", "/accounts/login/"]
PAGES_PER_ROLE = 120
# Never followed: leaving the session or the language, static files, the API's machine documents, and PDF
# documents (seconds each to render).
SKIPPED_PREFIXES = ("/static/", "/media/", "/accounts/logout/", "/i18n/", "/api/")
SKIPPED_SUFFIXES = (".pdf",)
# Documents are the same whoever downloads them (scoped rows aside): opened once in the whole crawl.
DOCUMENT = re.compile(r"\.(xlsx|csv|json|atom)(\?|$)|export=")

# English words a Chinese page may show: the product, software and proper names, standards and formats,
# STR loci and their statistics, units of measure. Compared in lower case.
ALLOWED_WORDS = {
    # the product; software whose files the platform reads
    "fanguai",
    "word",
    "excel",
    "webp",
    "gif",
    "genemapper",
    "familias",
    "forrel",
    "webhook",
    # standards, protocols, file formats
    "cap",
    "dna",
    "str",
    "ystr",
    "snp",
    "pdf",
    "xlsx",
    "csv",
    "xml",
    "json",
    "atom",
    "api",
    "http",
    "https",
    "url",
    "id",
    "ip",
    "totp",
    "otp",
    "sms",
    "qr",
    "png",
    "jpeg",
    "jpg",
    "doc",
    "docx",
    "zip",
    "sha",
    "wcag",
    "codis",
    # STR loci and kinship statistics
    "fga",
    "tpox",
    "vwa",
    "penta",
    "amelogenin",
    "amel",
    "lr",
    "cpi",
    "pi",
    # units of measure
    "kb",
    "kib",
    "mb",
    "mib",
    "gb",
    "cm",
    "km",
    "kg",
    "ms",
}
# Proper nouns allowed as written only (so that a machine code such as "globalfiler" is still caught): STR kits
# by their manufacturers' product names (GlobalFiler, Identifiler Plus, PowerPlex 21, Goldeneye 20A, AGCU EX22).
PROPER_NOUNS = {"GlobalFiler", "Identifiler", "Plus", "PowerPlex", "Goldeneye", "AGCU"}

# snake_case or dotted lower-case machine words ("target_region", "user.login", "accounts.user")
MACHINE_CODE = re.compile(r"(?<![\w@./-])[a-z][a-z0-9]*(?:[_.][a-z0-9]+)+(?![\w@/-])")
# unit codes: a region code and a unit kind ("341500-police", "341522-civil_affairs", "341500DZ-police")
UNIT_CODE = re.compile(r"\b\d{6}[A-Z]*-[a-z][a-z_-]*")
# record numbers and codes made for people to quote: "GP-00002", receipt and specimen codes "PLPHAFJYFN", and
# the UUIDs of events without a record number (a notification event in the audit trail)
RECORD_CODE = re.compile(
    r"\b[A-Z]{1,4}-\d+\b|\b[A-Z0-9]{6,}\b|\b[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}\b"
)
WORD = re.compile(r"(?<![A-Za-z0-9_])[A-Za-z]{2,}(?![A-Za-z0-9_])")
EMAIL = re.compile(r"[\w.+-]+@[\w-]+(?:\.[\w-]+)+")
ADDRESS = re.compile(r"(?:https?://|/)[\w./?=&%#:-]+")
FILE_NAME = re.compile(r"[\w.-]+\.(?:pdf|xlsx|csv|xml|json|txt|png|jpe?g|docx?|zip|atom)\b", re.IGNORECASE)
DEFAULT_SHEET = re.compile(r"^(Sheet|工作表)\d*$")
ATTRIBUTES = {"title", "placeholder", "aria-label", "alt"}
HIDDEN = {"script", "style", "template", "code"}
VOID = {"area", "base", "br", "col", "embed", "hr", "img", "input", "link", "meta", "source", "track", "wbr"}
XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml"
ATOM = "{http://www.w3.org/2005/Atom}"


class VisibleText(HTMLParser):
    """The visible text of a page (and the attributes a user reads), and the same-origin links it holds."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.texts: list[str] = []
        self.links: list[str] = []
        self._hidden: list[str] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        values = {name: value or "" for name, value in attrs}
        # inside a hidden element every element nests (so its end is found); a text marked English on purpose
        # (lang="en", e.g. an alert's English description for visitors) is not the interface's language
        if tag not in VOID and (self._hidden or tag in HIDDEN or values.get("lang", "").startswith("en")):
            self._hidden.append(tag)
        self.texts.extend(values[name] for name in ATTRIBUTES & values.keys())
        if tag == "input" and values.get("type") in ("submit", "button"):
            self.texts.append(values.get("value", ""))
        self.links.extend(values[name] for name in ("href", "hx-get") if values.get(name))

    def handle_endtag(self, tag: str) -> None:
        if self._hidden and self._hidden[-1] == tag:
            self._hidden.pop()

    def handle_data(self, data: str) -> None:
        if not self._hidden and data.strip():
            self.texts.append(data)


@dataclass
class Crawl:
    """What the crawl found: the offending texts of each page, and how many pages it read."""

    data_values: set[str]
    english_msgids: set[str]
    findings: dict[str, set[str]] = field(default_factory=dict)
    visited: int = 0
    documents: set[str] = field(default_factory=set)

    def problems(self, text: str) -> list[str]:
        text = " ".join(text.split())
        if not text or text in self.data_values:
            return []
        if text in self.english_msgids:
            return [f"untranslated {text!r}"]
        rest = text
        for pattern in (EMAIL, FILE_NAME, ADDRESS):
            rest = pattern.sub(" ", rest)
        for value in self.data_values:
            rest = rest.replace(value, " ")
        problems = [f"unit code {code!r} in {text!r}" for code in UNIT_CODE.findall(rest)]
        rest = UNIT_CODE.sub(" ", rest)
        problems += [f"machine code {code!r} in {text!r}" for code in MACHINE_CODE.findall(rest)]
        rest = RECORD_CODE.sub(" ", MACHINE_CODE.sub(" ", rest))
        words = [
            word
            for word in WORD.findall(rest)
            if word.lower() not in ALLOWED_WORDS and word not in PROPER_NOUNS
        ]
        if words:
            problems.append(f"English {words} in {text!r}")
        return problems

    def check(self, page: str, text: str) -> None:
        problems = self.problems(text)
        if problems:
            self.findings.setdefault(page, set()).update(problems)

    def read(self, page: str, response) -> list[str]:
        """Check the text of one answer; return the links it holds."""
        kind = response.get("Content-Type", "")
        if kind.startswith("text/html"):
            parser = VisibleText()
            parser.feed(response.content.decode())
            for text in parser.texts:
                self.check(page, text)
            return parser.links
        if kind.startswith(XLSX):
            workbook = load_workbook(io.BytesIO(response.content), read_only=True)
            for sheet in workbook.worksheets:
                if DEFAULT_SHEET.match(sheet.title):
                    self.findings.setdefault(page, set()).add(f"default sheet name {sheet.title!r}")
                self.check(page, sheet.title)
                for row in sheet.iter_rows(values_only=True):
                    for value in row:
                        if isinstance(value, str):
                            self.check(page, value)
        if kind.startswith("application/atom+xml"):
            # entry titles are bilingual on purpose (aggregators abroad); the summaries are for readers here
            feed = ElementTree.fromstring(response.content)  # noqa: S314 - the platform's own feed
            for summary in feed.iter(f"{ATOM}summary"):
                self.check(page, summary.text or "")
        return []


def route_key(url: str) -> str | None:
    """One visit per URL pattern (an export counts apart from its page); None for a URL not to follow."""
    parts = urlsplit(url)
    if parts.scheme or parts.netloc or not parts.path.startswith("/"):
        return None
    if parts.path.startswith(SKIPPED_PREFIXES) or parts.path.endswith(SKIPPED_SUFFIXES):
        return None
    try:
        route = resolve(parts.path).route
    except Resolver404:
        return None
    return route + ("?export" if "export=" in parts.query else "")


def crawl_as(crawl: Crawl, client: Client, start: list[str]) -> None:
    queue = deque(start)
    seen: set[str] = set()
    visits = 0
    while queue and visits < PAGES_PER_ROLE:
        url = queue.popleft()
        key = route_key(url)
        if key is None or key in seen or key in crawl.documents:
            continue
        seen.add(key)
        if DOCUMENT.search(url):
            crawl.documents.add(key)
        response = client.get(url)
        visits += 1
        if response.status_code == 200 and not response.streaming:
            queue.extend(urljoin(url, link) for link in crawl.read(url, response))
    crawl.visited += visits


@pytest.fixture
def demo(db, settings):
    """The demo users and demo data, as `fanguai setup --demo` makes them."""
    from fanguai.core.demo import create_demo_data, create_demo_users
    from fanguai.plans.loader import load_plan

    load_plan(settings.REPO_DIR / "plans/liuan-2022.yaml")
    create_demo_users()
    create_demo_data()


def data_values() -> set[str]:
    """Values of the demo data that are Latin by nature: user names and e-mail addresses, the records' random
    numbers (a case number such as CKXRUNDCFW may happen to hold no digit); and the names of the languages the
    switch offers."""
    from django.apps import apps
    from django.db import models

    from fanguai.accounts.models import User

    values = {str(name) for _code, name in settings.LANGUAGES}
    for username, email in User.objects.values_list("username", "email"):
        values.update({username, email})
    for model in apps.get_models():
        fields = {field.name: field for field in model._meta.concrete_fields}
        if isinstance(fields.get("number"), models.CharField):
            values.update(model._default_manager.values_list("number", flat=True))
    return values


def english_msgids() -> set[str]:
    """The catalogue's English texts whose translation differs: one of them on a page was not translated."""
    return {
        entry.msgid
        for entry in polib.pofile(str(PO))
        if re.search(r"[A-Za-z]{2,}", entry.msgid) and entry.msgstr and entry.msgstr != entry.msgid
    }


def test_the_checks_catch_what_they_are_for():
    """The rules themselves: each kind of offence is found, and Chinese with allowed words passes."""
    crawl = Crawl(data_values={"investigator"}, english_msgids={"Audit trail"})
    assert crawl.problems("Audit trail") == ["untranslated 'Audit trail'"]
    assert "machine code 'user.login'" in crawl.problems("user.login")[0]
    assert "machine code 'accounts.user'" in crawl.problems("accounts.user 5")[0]
    assert "machine code 'target_region'" in crawl.problems("修改了 target_region")[0]
    assert "unit code '341500-police'" in crawl.problems("市公安局 (341500-police)")[0]
    assert crawl.problems("Alert · 已发布") == ["English ['Alert'] in 'Alert · 已发布'"]
    assert crawl.problems("parent-child")
    assert crawl.problems("globalfiler · 21")
    for fine in (
        "CAP 预警 · 500 km",
        "investigator",
        "DNA 实验室导出 Excel（CSV）",
        "GP-00002 · 城关镇婚介场所涉拐风险整治",
        "回执码 PLPHAFJYFN",
        "investigator@example.invalid",
        "report-2026.xlsx",
        "STR 基因座 FGA、TPOX、vWA",
        "试剂盒 GlobalFiler · 21",
        "通知 3f2bfdca-9e4b-4c1d-bfdc-0a1b2c3d4e5f",
    ):
        assert crawl.problems(fine) == [], fine
    parser = VisibleText()
    parser.feed(
        '<title>标题</title><script>var a_b = 1;</script><p title="Hint">正文 <code>a_b</code></p>'
        '<input type="submit" value="Send"><a href="/x/">x</a><div hx-get="/y/"></div>'
        '<p>说明<span lang="en">In <b>English</b> for visitors<br></span>。</p>'
    )
    assert parser.texts == ["标题", "Hint", "正文 ", "Send", "x", "说明", "。"]
    assert parser.links == ["/x/", "/y/"]


def test_every_page_reads_in_chinese(demo):
    from fanguai.accounts.models import User

    assert settings.LANGUAGE_CODE == "zh-hans"
    crawl = Crawl(data_values=data_values(), english_msgids=english_msgids())
    started = time.monotonic()
    with translation.override("zh-hans"):
        for username in ROLES:
            client = Client(HTTP_ACCEPT_LANGUAGE="zh-hans")
            if username:
                client.force_login(User.objects.get(username=username))
            crawl_as(crawl, client, ["/"] if username else PUBLIC_START + ["/alerts/feed.atom"])
    elapsed = time.monotonic() - started
    report = "\n".join(
        f"{page}: {'; '.join(sorted(found))}" for page, found in sorted(crawl.findings.items())
    )
    # the crawl reaches the platform's pages, not only a login form or error pages
    assert crawl.visited > 300, f"only {crawl.visited} pages visited in {elapsed:.0f} s"
    assert not crawl.findings, (
        f"{len(crawl.findings)} of {crawl.visited} pages with English or codes:\n{report}"
    )


def test_every_audit_action_and_changed_field_has_a_label():
    """Each action code the source records reads as a label on the audit page, and the field names of a
    timeline note (target_region, ...) as the fields' names."""
    from django.template import Context, Template

    from fanguai.audit.labels import action_label

    source = Path(__file__).resolve().parents[1] / "src/fanguai"
    codes = set()
    for path in source.rglob("*.py"):
        if "tests" not in path.parts and "migrations" not in path.parts:
            text = path.read_text(encoding="utf-8")
            codes.update(re.findall(r"(?:record_event|_audit)\(\s*\"([a-z_]+(?:\.[a-z_]+)+)\"", text))
    assert len(codes) > 100
    assert sorted(code for code in codes if action_label(code) == code) == []
    with translation.override("zh-hans"):
        note = Template("{% load audit_labels %}{{ note|field_labels:'supervision.inspection' }}")
        shown = note.render(Context({"note": "target_region, title"}))
        assert Crawl(data_values=set(), english_msgids=set()).problems(shown) == [], shown
