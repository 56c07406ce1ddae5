"""Form fuzzing (issue 14 item 1): every form of every role gets generated nonsense, and must answer it like a
careful clerk: never a server error, nonsense refused with a field error, and nothing written.

The forms are not listed by hand. One demo world (``fanguai setup --demo``) is built for the module; each role
(one demo user per role, plus anonymous) walks from its home page, its menu and every parameterless route of
the URL resolver through the links of each page it may open (one page per route). Every ``<form
method="post">`` on those pages is a target, posted to its ``action`` (or ``hx-post``), so a new form is fuzzed
as soon as a page shows it. ``test_every_write_route_is_fuzzed`` ties the crawl to the permission matrix:
every route that a matrix row writes to must be reached by some role, or be listed in ``NOT_CRAWLED`` with the
reason.

For each form, hypothesis (``derandomize=True``, a few examples per form) replaces some fields of the form as
the browser would send it with nonsense for the field's kind (read from the widget: date, number, text,
choice...). Values that are nonsense anywhere (year 1 or 9999, ``1e400``, ``NaN``, 10^20, 100,000 characters,
control characters, a choice that is not offered) must be refused: a 4xx, or the form shown again (200) with
an error on one of the nonsense fields. Other odd values (HTML, empty texts, missing fields) may be accepted,
but never with a server error. Every request runs in a savepoint that is rolled back, and a refused request
must write nothing: every INSERT, UPDATE and DELETE it runs is recorded (``connection.execute_wrapper``), the
session's last-activity stamp aside.
"""

import datetime as dt
import re
from collections import deque
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from urllib.parse import urlsplit

import lxml.html
import pytest
from django.contrib.messages import constants as message_levels
from django.db import connection, transaction
from django.forms import BaseForm
from django.test import Client, TestCase, override_settings
from django.urls import Resolver404, resolve, reverse
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from fanguai.core.demo import one_user_per_role

from .test_route_coverage import matrix_rows, site_routes

# One demo user per role (fanguai.core.demo.DEMO_USERS), and the anonymous public.
ROLES = ["anonymous", *one_user_per_role()]
EXAMPLES_PER_FORM = 4
# Pages each role may open at most in the crawl (one per route): a bound, far above what any role has.
MAX_PAGES = 400
# Links never followed: downloads, static files, the API, signing out and the language switch.
SKIP_LINKS = ("/static/", "/i18n/", "/accounts/logout", "/files/", "/api/")
SKIP_WORDS = ("export", "download", ".pdf", ".xlsx", ".csv", ".atom", ".cap", ".jpg")
# Form actions that are not data forms: signing in and out, the language switch (their own tests cover them).
SKIP_ACTIONS = {"accounts/login/", "accounts/logout/", "accounts/second-factor/", "i18n/setlang/"}
# Routes a matrix row writes to that the crawl cannot reach, each with the reason.
# The crawl opens one page per route (the first link found): a button shown only on a record in another state
# (an alert awaiting approval, a reward proposed, a work plan submitted) or on a record the demo world does not
# have is not reached. Their permission-matrix rows post to them; reaching them here needs demo records in
# those states (or a crawl of several pages per route, which the time budget does not allow).
NO_DEMO_RECORD_IN_STATE = "no demo record in the state that shows this form on the first page of its route"
FILE_ONLY = "an upload form: its only field is the file (tests/test_limits.py and the files app test uploads)"
NOT_CRAWLED: dict[str, str] = {
    "assistance/cases/<int:pk>/attach/": FILE_ONLY,
    "assistance/cases/<int:pk>/closure-decision/": NO_DEMO_RECORD_IN_STATE,
    "assistance/consents/<int:pk>/withdraw/": NO_DEMO_RECORD_IN_STATE,
    "assistance/referrals/<int:pk>/deliver/": NO_DEMO_RECORD_IN_STATE,
    "assistance/referrals/<int:pk>/withdraw/": NO_DEMO_RECORD_IN_STATE,
    "clues/<int:pk>/acknowledge/": NO_DEMO_RECORD_IN_STATE,
    "clues/<int:pk>/outcome/": NO_DEMO_RECORD_IN_STATE,
    "clues/<int:pk>/reopen/": NO_DEMO_RECORD_IN_STATE,
    "clues/<int:pk>/reward/": NO_DEMO_RECORD_IN_STATE,
    "clues/rewards/<int:pk>/decide/": NO_DEMO_RECORD_IN_STATE,
    "clues/rewards/<int:pk>/pay/": NO_DEMO_RECORD_IN_STATE,
    "dna/lab/candidates/<int:pk>/review/": NO_DEMO_RECORD_IN_STATE,
    "dna/lab/specimens/<str:number>/delete-profile/": NO_DEMO_RECORD_IN_STATE,
    "dna/reunions/<int:pk>/record/": NO_DEMO_RECORD_IN_STATE,
    "dna/samples/<int:pk>/request-deletion/": NO_DEMO_RECORD_IN_STATE,
    "files/<uuid:pk>/delete/": "file links are not followed (downloads); the form sits on the file's page",
    "missing/alerts/<int:pk>/approve/": NO_DEMO_RECORD_IN_STATE,
    "missing/alerts/<int:pk>/release/": NO_DEMO_RECORD_IN_STATE,
    "missing/alerts/<int:pk>/withdraw/": NO_DEMO_RECORD_IN_STATE,
    "people/<int:pk>/merge/": NO_DEMO_RECORD_IN_STATE,
    "plan/items/<int:pk>/delete/": NO_DEMO_RECORD_IN_STATE,
    "plan/work-plans/<int:pk>/approve/": NO_DEMO_RECORD_IN_STATE,
    "plan/work-plans/<int:pk>/return/": NO_DEMO_RECORD_IN_STATE,
    "plan/work-plans/<int:pk>/submit/": NO_DEMO_RECORD_IN_STATE,
    "reports/assessment/results/<int:pk>/veto/": NO_DEMO_RECORD_IN_STATE,
    "supervision/inspections/<int:pk>/close/": NO_DEMO_RECORD_IN_STATE,
    "supervision/listings/<int:pk>/lift/decide/": NO_DEMO_RECORD_IN_STATE,
}

HUGE_TEXT = "长" * 100_000
# Nonsense for every field of the kind: must be refused.
NONSENSE: dict[str, list[str]] = {
    "date": ["0001-01-01", "9999-12-31", "2023-02-30", "1e400", "NaN"],
    "datetime": ["0001-01-01T00:00", "9999-12-31T23:59", "NaN", "1e400"],
    "number": ["1e400", "-1e400", "NaN", "Infinity", "99999999999999999999", "-99999999999999999999"],
    "text": [HUGE_TEXT, "a\x00b", "报告\x1b[31m"],
    "choice": ["__nonsense__", "999999999", "-1", "1e400"],
}
# Odd values that a form may accept (or refuse), but never with a server error.
ODD: dict[str, list[str]] = {
    "date": ["", "2022-01-01"],
    "datetime": ["", "2022-01-01T00:00"],
    "number": ["", "-1", "0", "0.0001", "3000"],
    "text": ["", "   ", "<script>alert(1)</script>", "<b>粗体</b> & ' \"", "丶" * 199],
    "choice": [""],
    "check": ["", "on", "garbage"],
    # a password may hold any character (its own validators judge its strength)
    "password": ["", "<script>", "a\x00b", HUGE_TEXT],
    "hidden": ["", "-1", "1e400", "<b>", HUGE_TEXT, "a\x00b"],
}
MISSING = object()  # the field is left out of the request
# Actions that refused nonsense without saying why (a redirect without an error message): printed, not failed,
# since the refusal itself is right; the view should show the error.
SILENT_REFUSALS: set[str] = set()


@dataclass
class Field:
    name: str
    kind: str  # date, datetime, number, text, choice, check, hidden
    value: str  # what the browser sends for the form as shown (filled in where required and empty)
    options: list[str] = field(default_factory=list)


@dataclass
class FormTarget:
    role: str
    page: str  # the page that shows the form
    action: str  # where it posts
    route: str
    fields: list[Field]
    extra: dict[str, str]  # sent as is: the submit button, file-less fields not fuzzed

    def signature(self) -> tuple:
        return (self.route, tuple((f.name, f.kind, tuple(f.options)) for f in self.fields))


# --- the world and the crawl ---------------------------------------------------------------------------------


@pytest.fixture(scope="module")
def world(django_db_setup, django_db_blocker, tmp_path_factory) -> Iterator[None]:
    """The demo data of every app, built once for the module and rolled back at its end (the settings are
    those of tests/conftest.py's _isolated_settings, which is function-scoped)."""
    from django.conf import settings as django_settings

    from fanguai.core.demo import create_demo_data, create_demo_users

    folder = tmp_path_factory.mktemp("fuzz")
    isolated = override_settings(
        STORAGES={
            **django_settings.STORAGES,
            "private": {
                "BACKEND": "fanguai.files.storage.EncryptedFileSystemStorage",
                "OPTIONS": {"location": str(folder / "private")},
            },
            "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
        },
        TASKS={"default": {"BACKEND": "django_tasks.backends.immediate.ImmediateBackend"}},
        AUDIT_CHECKPOINT_DIR=folder / "audit-checkpoints",
        REQUIRE_2FA=False,
        EMAIL_BACKEND="django.core.mail.backends.locmem.EmailBackend",
        PASSWORD_HASHERS=["django.contrib.auth.hashers.MD5PasswordHasher"],
    )
    with django_db_blocker.unblock(), isolated, transaction.atomic():
        with TestCase.captureOnCommitCallbacks(execute=True):
            create_demo_users()
            create_demo_data()
        yield
        transaction.set_rollback(True)


def client_for(role: str) -> Client:
    from fanguai.accounts.models import User

    client = Client()
    if role != "anonymous":
        client.force_login(User.objects.get(username=role))
    return client


def route_of(url: str) -> str | None:
    try:
        return resolve(urlsplit(url).path).route
    except Resolver404:
        return None


def start_pages(client: Client, role: str) -> list[str]:
    """The home page, the role's menu and every route of the resolver that takes no parameter."""
    from fanguai.accounts.models import User
    from fanguai.core.registry import nav_for

    pages = ["/"]
    if role != "anonymous":
        pages += [reverse(item.url_name) for item in nav_for(User.objects.get(username=role))]
    pages += ["/" + route for route in site_routes() if "<" not in route and "(" not in route]
    return list(dict.fromkeys(pages))


def links(html: str) -> list[str]:
    found = re.findall(r'(?:href|hx-get)="(/[^"#]*)"', html)
    return [
        url.replace("&amp;", "&")
        for url in found
        if not url.startswith(SKIP_LINKS) and not any(word in url for word in SKIP_WORDS)
    ]


def crawl(client: Client, role: str) -> dict[str, str]:
    """Every page the role can open, one per route: {url: html}."""
    pages: dict[str, str] = {}
    visited: set[str] = set()
    queue = deque(start_pages(client, role))
    while queue and len(pages) < MAX_PAGES:
        url = queue.popleft()
        route = route_of(url)
        if route is None or route in visited or url.startswith(SKIP_LINKS):
            continue
        visited.add(route)
        response = client.get(url)
        assert response.status_code < 500, f"{role}: GET {url} answered {response.status_code}"
        if response.status_code != 200 or "text/html" not in response.get("Content-Type", ""):
            continue
        html = response.content.decode()
        pages[url] = html
        queue.extend(links(html))
    return pages


# --- forms as the browser sends them -------------------------------------------------------------------------


def kind_of(element) -> str | None:
    tag = element.tag
    if tag == "textarea":
        return "text"
    if tag == "select":
        return "choice"
    kind = (element.get("type") or "text").lower()
    return {
        "text": "text",
        "search": "text",
        "email": "text",
        "tel": "text",
        "url": "text",
        "password": "password",
        "date": "date",
        "datetime-local": "datetime",
        "number": "number",
        "checkbox": "check",
        "radio": "choice",
        "hidden": "hidden",
    }.get(kind)  # file, submit, button, image: not fuzzed


def plausible(kind: str, element) -> str:
    """A value a clerk could type into an empty required field."""
    now = dt.datetime.now()  # noqa: DTZ005 - what a browser in the office's time zone would send
    return {
        "date": now.date().isoformat(),
        "datetime": now.strftime("%Y-%m-%dT%H:%M"),
        "number": element.get("min") or "1",
        "text": "a@example.invalid" if element.get("type") == "email" else "测试内容",
    }.get(kind, "")


def form_targets(role: str, page: str, html: str) -> list[FormTarget]:
    targets = []
    document = lxml.html.fromstring(html)
    for form in document.iter("form"):
        action = form.get("hx-post") or form.get("action") or page
        if (form.get("method") or "get").lower() != "post" and not form.get("hx-post"):
            continue
        action = action if action.startswith("/") else urlsplit(page).path
        route = route_of(action)
        if route is None or route in SKIP_ACTIONS:
            continue
        fields: dict[str, Field] = {}
        extra: dict[str, str] = {}
        for element in form.iter("input", "select", "textarea"):
            name = element.get("name")
            kind = kind_of(element)
            if (
                not name
                or name == "csrfmiddlewaretoken"
                or kind is None
                or element.get("disabled") is not None
            ):
                continue
            if element.tag == "select":
                options = [o.get("value", o.text_content()) for o in element.iter("option")]
                chosen = [
                    o.get("value", o.text_content()) for o in element.iter("option") if o.get("selected")
                ]
                value = (chosen or [next((o for o in options if o), "")])[0]
                fields[name] = Field(name, kind, value, options)
            elif kind == "choice":  # radio buttons: one field, the checked one or the first
                current = fields.get(name) or Field(name, kind, "", [])
                current.options.append(element.get("value", "on"))
                if element.get("checked") is not None or not current.value:
                    current.value = element.get("value", "on")
                fields[name] = current
            elif kind == "check":
                value = element.get("value", "on") if element.get("checked") is not None else ""
                fields.setdefault(name, Field(name, kind, value, [element.get("value", "on")]))
            else:
                value = element.text_content() if element.tag == "textarea" else element.get("value", "")
                if not value and element.get("required") is not None:
                    value = plausible(kind, element)
                fields[name] = Field(name, kind, value)
        button = next((b for b in form.iter("button") if b.get("name")), None)
        if button is not None:
            extra[button.get("name")] = button.get("value", "")
        targets.append(FormTarget(role, page, action, route, list(fields.values()), extra))
    return targets


def baseline(target: FormTarget) -> dict[str, str]:
    data = dict(target.extra)
    data.update({f.name: f.value for f in target.fields if f.value != "" or f.kind != "check"})
    return data


# --- what the server answers ---------------------------------------------------------------------------------


WRITE = re.compile(r'^\s*(?:INSERT\s+INTO|UPDATE|DELETE\s+FROM|REPLACE\s+INTO)\s+"?(\w+)"?', re.IGNORECASE)
# Bookkeeping that a refused request may (and sometimes must) write: the session's last activity (idle
# timeout), the audit trail of a refused attempt, the public forms' abuse counters, the sign-in lockout.
NOT_DATA = {
    "django_session",
    "audit_auditevent",
    "clues_abusecounter",
    "axes_accessattempt",
    "axes_accessfailurelog",
}


SAVEPOINT = re.compile(r'^\s*(SAVEPOINT|ROLLBACK TO SAVEPOINT|RELEASE SAVEPOINT)\s+"?(\w+)"?', re.IGNORECASE)


@contextmanager
def recorded_writes() -> Iterator[list[str]]:
    """The tables that the statements run inside the block write to and that stay written: the writes of a
    savepoint rolled back inside the block (a service that refuses halfway) are forgotten."""
    tables: list[str] = []
    savepoints: dict[str, int] = {}

    def record(execute, sql, params, many, context):
        result = execute(sql, params, many, context)
        if savepoint := SAVEPOINT.match(sql):
            command, name = savepoint.group(1).upper(), savepoint.group(2)
            if command == "SAVEPOINT":
                savepoints[name] = len(tables)
            elif command.startswith("ROLLBACK") and name in savepoints:
                del tables[savepoints[name] :]
        elif (write := WRITE.match(sql)) and write.group(1) not in NOT_DATA:
            tables.append(write.group(1))
        return result

    with connection.execute_wrapper(record):
        yield tables


def bound_forms(response) -> list[BaseForm]:
    forms: dict[int, BaseForm] = {}
    for context in response.context or []:
        for value in context.flatten().values() if hasattr(context, "flatten") else context.values():
            if isinstance(value, BaseForm) and value.is_bound:
                forms[id(value)] = value
    return list(forms.values())


def error_fields(response) -> set[str]:
    """The request's field names that a re-shown form marks as wrong ("__all__" for a form-wide error)."""
    names = set()
    for form in bound_forms(response):
        for name in form.errors:
            names.add(form.add_prefix(name) if name != "__all__" else "__all__")
    return names


def error_messages(response) -> bool:
    """Whether the request itself queued an error message (for a view that redirects after refusing)."""
    queued = getattr(response.wsgi_request._messages, "_queued_messages", [])
    return any(m.level >= message_levels.ERROR for m in queued)


def values_for(kind: str) -> st.SearchStrategy:
    odd = ODD.get(kind, [""])
    return st.one_of(
        st.sampled_from(NONSENSE.get(kind, []) or odd),
        st.sampled_from(odd),
        st.just(MISSING),
        st.text(st.characters(codec="utf-8"), max_size=20),
    )


def fuzz(client: Client, target: FormTarget, problems: list[str]) -> None:
    """Submit generated nonsense to one form; every failure is appended to problems."""
    names = [f.name for f in target.fields]
    kinds = {f.name: f.kind for f in target.fields}
    changes = st.lists(st.sampled_from(names), min_size=1, max_size=3, unique=True).flatmap(
        lambda chosen: st.fixed_dictionaries({name: values_for(kinds[name]) for name in chosen})
    )

    @settings(
        max_examples=EXAMPLES_PER_FORM,
        derandomize=True,
        database=None,
        deadline=None,
        suppress_health_check=list(HealthCheck),
    )
    @given(changes)
    def submit(changed: dict) -> None:
        data = baseline(target)
        for name, value in changed.items():
            if value is MISSING:
                data.pop(name, None)
            else:
                data[name] = value
        nonsense = {n for n, v in changed.items() if v is not MISSING and v in NONSENSE.get(kinds[n], [])}
        client.cookies.pop("messages", None)  # messages of an earlier redirect, never shown
        with transaction.atomic():
            with recorded_writes() as written:
                response = client.post(target.action, data)
            transaction.set_rollback(True)
        shown = {n: (v if len(str(v)) < 40 else f"{str(v)[:20]}…({len(str(v))})") for n, v in changed.items()}
        where = f"{target.role} {target.action} {shown!r}"
        status = response.status_code
        if status >= 500:
            problems.append(f"{where}: server error {status}")
            return
        errors = error_fields(response)
        shown_again = status == 200 and bool(errors)
        refused = 400 <= status < 500 or shown_again or (status == 302 and error_messages(response))
        if refused and written:
            problems.append(f"{where}: refused ({status}) but wrote to {sorted(set(written))}")
        if not nonsense:
            return
        if written:
            problems.append(f"{where}: nonsense written to {sorted(set(written))} ({status})")
        elif shown_again and not errors & (nonsense | {"__all__"}) and errors <= set(names):
            problems.append(f"{where}: refused without an error on {sorted(nonsense)} (errors on {errors})")
        elif not refused:
            SILENT_REFUSALS.add(f"{target.action} ({status})")

    try:
        submit()
    except Exception as exc:  # a server error raised by the test client: report it with the form
        problems.append(f"{target.role} {target.action}: {type(exc).__name__}: {str(exc)[:200]}")


def targets_of(role: str) -> list[FormTarget]:
    """The role's forms, one per route and set of fields."""
    client = client_for(role)
    targets: dict[tuple, FormTarget] = {}
    for page, html in crawl(client, role).items():
        for target in form_targets(role, page, html):
            targets.setdefault(target.signature(), target)
    return list(targets.values())


# Forms reached in the crawl (their routes), and those fuzzed already (a form that several roles see the same,
# with the same fields and choices, is fuzzed once).
REACHED_ROUTES: set[str] = set()
CRAWLED_ROLES: set[str] = set()
FUZZED: set[tuple] = set()


@pytest.mark.django_db
@pytest.mark.parametrize("role", ROLES)
def test_every_form_refuses_nonsense(world, role):
    targets = targets_of(role)
    REACHED_ROUTES.update(target.route for target in targets)
    CRAWLED_ROLES.add(role)
    client = client_for(role)
    problems: list[str] = []
    for target in targets:
        if target.fields and target.signature() not in FUZZED:
            FUZZED.add(target.signature())
            fuzz(client, target, problems)
    assert not problems, f"{len(problems)} problems:\n" + "\n".join(problems)


@pytest.mark.django_db
def test_every_write_route_is_fuzzed(world):
    """Each route that a permission-matrix row writes to (the web pages; the API has its own schema checks)
    is a form some role reaches in the crawl, or is listed in NOT_CRAWLED with the reason."""
    for role in set(ROLES) - CRAWLED_ROLES:  # the roles whose test did not run (-k, a single test)
        REACHED_ROUTES.update(target.route for target in targets_of(role))
    written = {row.route_key() for row in matrix_rows() if row.method.lower() != "get"}
    written = {route for route in written if " " not in route}  # "POST api/...": the API
    if SILENT_REFUSALS:
        print("refused without an error message:\n" + "\n".join(sorted(SILENT_REFUSALS)))
    missing = sorted(written - REACHED_ROUTES - set(NOT_CRAWLED))
    assert not missing, "write routes no form of the crawl reaches:\n" + "\n".join(missing)
    stale = sorted(set(NOT_CRAWLED) - written)
    assert not stale, "NOT_CRAWLED names routes no matrix row writes to:\n" + "\n".join(stale)
