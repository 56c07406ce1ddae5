"""Response headers (issue 11 item 16): a Content-Security-Policy without inline script on every page,
Permissions-Policy on every response, `Cache-Control: no-store` on everything served to a signed-in user and
on every API answer, public alert pages that are cacheable and set no cookie, and API documentation served
from the platform's own files. The template scan is a permanent check that no inline script, inline event
handler or inline style creeps back in (the policy would silently break it in the browser)."""

import re
from html.parser import HTMLParser
from pathlib import Path

import pytest
from django.contrib.staticfiles import finders
from django.test import Client
from django.urls import reverse

from fanguai.core.registry import nav_for

SRC = Path(__file__).resolve().parents[1] / "src" / "fanguai"
# Rendered by WeasyPrint into a PDF, never served as a web page: its <style> block is not subject to the CSP.
PDF_TEMPLATES = {"reports/templates/reports/evaluation_report.html"}


def directives(response) -> dict[str, list[str]]:
    header = response.get("Content-Security-Policy")
    assert header, f"{response.request['PATH_INFO']}: no Content-Security-Policy"
    parsed = {}
    for part in header.split(";"):
        words = part.split()
        if words:
            parsed[words[0]] = words[1:]
    return parsed


class InlineCode(HTMLParser):
    """Collects what a strict policy would block: script elements with code, event-handler attributes,
    javascript: URLs, style elements and style attributes."""

    def __init__(self):
        super().__init__()
        self.problems: list[str] = []
        self._in_script = False

    def handle_starttag(self, tag, attrs):
        attributes = dict(attrs)
        if tag == "script":
            kind = (attributes.get("type") or "").lower()
            self._in_script = "src" not in attributes and kind != "application/json"
        if tag == "style":
            self.problems.append("<style> element")
        for name, value in attrs:
            if name.startswith("on") or name.startswith("hx-on"):
                self.problems.append(f"{tag} {name}=")
            if name == "style":
                self.problems.append(f"{tag} style=")
            if value and value.strip().lower().startswith("javascript:"):
                self.problems.append(f"{tag} {name}=javascript:")
            if name == "hx-vals" and value and value.strip().startswith(("js:", "javascript:")):
                self.problems.append(f"{tag} hx-vals evaluates script")

    def handle_endtag(self, tag):
        if tag == "script":
            self._in_script = False

    def handle_data(self, data):
        if self._in_script and data.strip():
            self.problems.append(f"inline script: {data.strip()[:60]}")


def inline_code(html: str) -> list[str]:
    parser = InlineCode()
    parser.feed(html)
    return parser.problems


def assert_strict_page(response, path: str) -> None:
    policy = directives(response)
    assert policy.get("default-src") == ["'self'"], path
    assert policy.get("script-src") == ["'self'"], f"{path}: script-src {policy.get('script-src')}"
    assert "'unsafe-inline'" not in policy.get("style-src", []), path
    assert policy.get("frame-ancestors") == ["'none'"] and policy.get("object-src") == ["'none'"], path
    assert policy.get("base-uri") == ["'none'"] and policy.get("form-action") == ["'self'"], path
    permissions = response.get("Permissions-Policy", "")
    for feature in ("camera=()", "microphone=()", "geolocation=()", "payment=()", "usb=()"):
        assert feature in permissions, f"{path}: Permissions-Policy lacks {feature}"
    if response.get("Content-Type", "").startswith("text/html"):
        problems = inline_code(response.content.decode())
        assert not problems, f"{path}: {problems}"


def assert_not_stored(response, path: str) -> None:
    cache = response.get("Cache-Control", "")
    assert "no-store" in cache and "public" not in cache, f"{path}: Cache-Control {cache!r}"


SKIP_LINKS = ("/static/", "/i18n/", "/accounts/logout", "/files/")


def links(html: str) -> list[str]:
    """Internal page links (no downloads, exports or static files)."""
    found = re.findall(r'<a [^>]*href="(/[^"#]*)"', html)
    return [u for u in found if not u.startswith(SKIP_LINKS) and "export" not in u and "&amp;" not in u]


def crawl(client: Client, user) -> list[str]:
    """The user's home page, every page of the navigation bar and a few links of each (detail pages)."""
    menu = ["/"] + [reverse(item.url_name) for item in nav_for(user)]
    pages = list(menu)
    for path in menu:
        response = client.get(path)
        if response.status_code == 200:
            pages += [u for u in links(response.content.decode()) if u not in pages][:4]
    return list(dict.fromkeys(pages))


@pytest.fixture
def demo(db):
    from fanguai.core.demo import create_demo_users
    from fanguai.missing.demo import create_demo_missing

    create_demo_users()
    create_demo_missing()


def test_every_signed_in_page_has_a_strict_policy_and_is_not_stored(demo, login):
    """One demo user of each role walks through the home page and every entry of its menus."""
    from fanguai.accounts.models import User
    from fanguai.core.demo import DEMO_USERS

    seen = set()
    roles = set()
    for demo_user in DEMO_USERS:
        if demo_user.role in roles:
            continue
        roles.add(demo_user.role)
        user = User.objects.get(username=demo_user.username)
        client = login(user)
        extra = ["/reports/dashboard/", "/missing/reports/new/", "/alerts/"]
        for path in dict.fromkeys(crawl(client, user) + extra):
            response = client.get(path)
            # 404: a page about this year's plan before any plan is loaded; it still carries the headers.
            assert response.status_code in (200, 302, 403, 404), f"{user}: {path} {response.status_code}"
            assert_strict_page(response, path)
            assert_not_stored(response, path)
            if response.status_code == 200:
                seen.add(path.split("?")[0])
    assert len(seen) > 40  # the crawl really went through the menus


def test_anonymous_pages_have_the_policy_too(demo):
    client = Client()
    for path in ("/accounts/login/", "/report/", "/alerts/", "/alerts/subscribe/", "/no-such-page/"):
        response = client.get(path)
        assert_strict_page(response, path)


def test_the_base_template_switches_off_htmx_eval_and_inline_styles(alice, login):
    html = login(alice).get("/").content.decode()
    meta = re.search(r"""<meta name="htmx-config" content='([^']*)'>""", html)
    assert meta, "no htmx-config meta element"
    assert '"allowEval": false' in meta.group(1) and '"includeIndicatorStyles": false' in meta.group(1)


def test_every_api_answer_is_not_stored(alice, login, db):
    from fanguai.accounts.services import create_api_token

    signed_in = login(alice)
    for path in ("/api/me", "/api/people", "/api/units", "/api/openapi.json", "/api/docs"):
        response = signed_in.get(path)
        assert response.status_code == 200, path
        assert_not_stored(response, path)
        assert "Permissions-Policy" in response and "Content-Security-Policy" in response, path
    anonymous = Client()
    for path in ("/api/me", "/api/openapi.json", "/api/docs"):
        assert_not_stored(anonymous.get(path), path)
    token = create_api_token(actor=alice, user=alice, name="headers")
    response = Client().get("/api/me", headers={"Authorization": f"Bearer {token}"})
    assert response.status_code == 200
    assert_not_stored(response, "/api/me (token)")


def test_public_alert_pages_are_cacheable_and_set_no_cookie(demo):
    from fanguai.missing.models import Alert

    alert = Alert.objects.filter(status="active").first()
    message = alert.messages.first()
    client = Client()
    for path in (
        "/alerts/",
        f"/alerts/{alert.code}/",
        f"/alerts/{message.identifier}.cap",
        "/alerts/feed.atom",
    ):
        response = client.get(path)
        assert response.status_code == 200, path
        assert not response.cookies, f"{path} sets {list(response.cookies)}"
        cache = response.get("Cache-Control", "")
        assert "public" in cache and "max-age=60" in cache and "no-store" not in cache, f"{path}: {cache}"
        vary = {v.strip().lower() for v in response.get("Vary", "").split(",")}
        assert {"accept-language", "cookie"} <= vary, f"{path}: Vary {response.get('Vary')}"
        assert "Permissions-Policy" in response, path
    assert not client.cookies  # nothing was set along the way either


def test_a_signed_in_user_gets_the_public_page_uncached(demo, alice, login):
    """Each signed-in request renews the session cookie: a shared cache must never keep that answer."""
    response = login(alice).get("/alerts/")
    assert_not_stored(response, "/alerts/ (signed in)")


def test_no_template_has_inline_script_handlers_or_styles():
    templates = sorted(SRC.glob("**/templates/**/*.html"))
    assert len(templates) > 100
    problems = []
    for template in templates:
        relative = template.relative_to(SRC).as_posix()
        if relative in PDF_TEMPLATES:
            continue
        text = template.read_text()
        # Template tags inside attribute values confuse nothing here; comments may mention anything.
        text = re.sub(r"{%\s*comment\s*%}.*?{%\s*endcomment\s*%}", "", text, flags=re.S)
        problems += [f"{relative}: {p}" for p in inline_code(text)]
    assert not problems, "\n".join(problems)


def test_the_template_scan_finds_what_it_looks_for():
    """The scanner itself: each forbidden form is reported, the allowed forms are not."""
    bad = (
        '<script>alert(1)</script><a href="javascript:history.back()">x</a>'
        '<select onchange="this.form.submit()"></select><div hx-on:click="x()"></div>'
        "<div style=\"width: 5%\"></div><style>p{}</style><div hx-vals='js:{a: 1}'></div>"
    )
    assert len(inline_code(bad)) == 7
    good = (
        '<script src="/static/x.js" defer></script><script type="application/json" id="d">{"a": 1}</script>'
        '<select data-autosubmit></select><div data-progress="5"></div>'
    )
    assert inline_code(good) == []


def test_api_docs_come_from_the_platform_itself(db):
    response = Client().get("/api/docs")
    assert response.status_code == 200
    html = response.content.decode()
    assert "cdn" not in html.lower()
    assert not re.findall(r"https?://", html), re.findall(r"https?://[^\s\"']+", html)
    assets = re.findall(r'(?:src|href)="/static/([^"]+)"', html)
    assert any(a.endswith("swagger-ui-bundle.js") for a in assets) and any(a.endswith(".css") for a in assets)
    for asset in assets:
        assert finders.find(asset), f"/static/{asset} is not a file of the platform"
    assert not inline_code(html)
    assert_strict_page(response, "/api/docs")
