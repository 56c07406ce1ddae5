"""The permission-matrix harness every app extends. A row names a URL (built from the objects of a
scenario), the method, the users who may use it and a text that must never reach anyone else. For each member
of the cast (see ``tests/conftest.py``: alice, bob, charlie, dave, office, liaison, coordinator, analyst,
publicity, the three administrators and anonymous) the harness checks:

- allowed users get 200 (a GET) or 200/302 (a write), everyone else 403 or 404 (anonymous: a redirect to the
  login page, or 401 from the API), and the secret text is in no response but those of the allowed users
  (or of ``secret_readers``, for a list that everyone may open but only some find the record in);
- a write (any method but GET) has an ``effect``: a probe ``effect(scenario)`` that returns a snapshot of
  what the write changes (a status, a count, a set of rows). The snapshot must differ after an allowed user's
  request (a form re-rendered with errors, or a view that catches an error and redirects, changes nothing and
  fails) and must be unchanged after a refused user's request;
- every request runs in a savepoint that is rolled back, so each user starts from the same scenario and rows
  do not depend on each other (one scenario serves a whole matrix, writes included).

Every row also declares, by its URL, which route (URL pattern, and for the API the method) it covers:
``tests/test_route_coverage.py`` fails for a route without a row. It reads the rows kept at module level
(a Row, or a list or tuple of them) of every ``test_*.py`` file: build matrix rows there, not inside a test.
"""

import json
import uuid
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import urlsplit

from django.db import transaction
from django.test import Client
from django.urls import Resolver404, resolve

# The cast: (username, role, unit code) of every signed-in member; "anonymous" is the plain client.
CAST_MEMBERS = {
    # police investigator of 霍邱县公安局 (the unit that owns most records under test)
    "alice": ("investigator", "341522-police"),
    # shelter caseworker of 霍邱县救助管理站 (same county, another unit)
    "bob": ("caseworker", "341522-shelter"),
    # police investigator of 六安市公安局金安区分局 (another county)
    "charlie": ("investigator", "341502-police"),
    # leader in alice's own unit (reads, lacks the investigator role)
    "dave": ("leader", "341522-police"),
    # joint conference office staff (city-wide)
    "office": ("office_staff", "341500-office"),
    # unit liaison of 市民政局, a city member unit (keeps its work plan and reports, receives referrals)
    "liaison": ("liaison", "341500-civil_affairs"),
    # county coordinator of 霍邱县人民政府 (alice's and bob's county)
    "coordinator": ("county_coordinator", "341522-government"),
    # DNA analyst of the city DNA laboratory (specimen numbers and genotypes, never identities)
    "analyst": ("dna_analyst", "341500-dna-lab"),
    # liaison of 市委宣传部, the publicity department (releases published alerts to the media)
    "publicity": ("liaison", "341500-publicity"),
    # the three administrators of a protection-level-3 system: no case data for any of them
    "sysadmin": ("system_admin", "341500-police"),
    "secadmin": ("security_admin", "341500-police"),
    "auditor": ("audit_admin", "341500-police"),
}
CAST = (*CAST_MEMBERS, "anonymous")
SIGNED_IN = frozenset(CAST_MEMBERS)
ADMINS = frozenset({"sysadmin", "secadmin", "auditor"})
# Everyone with a unit role (not the administrators): the people who do the work.
WORKERS = SIGNED_IN - ADMINS


@dataclass(frozen=True)
class Row:
    name: str
    url: Callable[[dict], str]
    allowed: frozenset[str]
    method: str = "get"
    data: Callable[[dict], dict] = field(default=lambda scenario: {})
    secret: Callable[[dict], str] | None = None
    # For a write: effect(scenario) -> a snapshot of what the write changes (compared before and after).
    effect: Callable[[dict], Any] | None = None
    # The route covered, as Django writes it ("cases/<int:pk>/status/"); derived from the URL when empty.
    route: str = ""
    # Status codes that count as success for an allowed user (default: 200 for GET, 200/302 for a write).
    ok: tuple[int, ...] = ()
    # Who may see the secret, when fewer than the allowed (a list open to everyone that shows the record to
    # some): by default the allowed users.
    secret_readers: frozenset[str] | None = None

    def route_key(self) -> str:
        """The route this row covers: the URL pattern (and the method, for the API)."""
        route = self.route or route_of(self.url(_DUMMY_SCENARIO))
        return f"{self.method.upper()} {route}" if route.startswith("api/") else route


class _Anything:
    """A stand-in scenario for deriving a row's route without a database: every key and attribute is
    another stand-in, and it formats as a number (or, on a second try, as a UUID)."""

    text = "1"

    def __getitem__(self, key):
        return self

    def __getattr__(self, name):
        return self

    def __call__(self, *args, **kwargs):
        return self

    def __format__(self, spec):
        return _Anything.text

    __str__ = __repr__ = lambda self: _Anything.text


_DUMMY_SCENARIO = _Anything()


def route_of(url: str) -> str:
    path = urlsplit(url).path
    try:
        return resolve(path).route
    except Resolver404:
        pass
    # A UUID in the URL (stored files): build it again with a UUID for every object.
    return resolve(path.replace("/1/", f"/{uuid.UUID(int=1)}/")).route


def cast_users(users: dict | None = None) -> dict:
    """The whole cast: the users given (a test's fixtures) completed with the standard members."""
    from fanguai.accounts.models import User

    from .conftest import make_user

    users = dict(users or {})
    for name, (role, unit_code) in CAST_MEMBERS.items():
        if name not in users:
            existing = User.objects.filter(username=name).first()
            users[name] = existing or make_user(name, role, unit_code)
    return users


def _body(response) -> bytes:
    body = b"".join(response.streaming_content) if response.streaming else response.content
    if response.get("Content-Type", "").startswith("application/json"):
        # JSON escapes non-ASCII text (\uXXXX): compare the decoded document, or a Chinese secret hides
        body = json.dumps(json.loads(body), ensure_ascii=False).encode()
    return body


def check_row(row: Row, scenario: dict, users: dict | None = None) -> None:
    """Check one row for the whole cast; every failing member is reported, not only the first."""
    assert row.allowed, f"{row.name}: a row must allow at least one member of the cast"
    unknown = set(row.allowed) - set(CAST)
    assert not unknown, f"{row.name}: not in the cast: {sorted(unknown)}"
    write = row.method.lower() != "get"
    assert not write or row.effect is not None, (
        f"{row.name}: a {row.method.upper()} row needs an effect (what an allowed request changes)"
    )
    users = cast_users(users)
    url = row.url(scenario)
    declared = row.route_key()
    actual = route_of(url)
    actual = f"{row.method.upper()} {actual}" if actual.startswith("api/") else actual
    assert declared == actual, f"{row.name}: the URL {url} resolves to {actual}, the row declares {declared}"
    secret = row.secret(scenario) if row.secret else None
    secret_readers = row.allowed if row.secret_readers is None else row.secret_readers
    ok = row.ok or ((200, 302) if write else (200,))
    failures = []
    for who in CAST:
        client = Client()
        if who != "anonymous":
            client.force_login(users[who])
        with transaction.atomic():
            before = row.effect(scenario) if write else None
            response = getattr(client, row.method.lower())(url, row.data(scenario))
            body = _body(response)
            after = row.effect(scenario) if write else None
            transaction.set_rollback(True)
        status = response.status_code
        if secret and who not in secret_readers and secret.encode() in body:
            failures.append(f"{who} saw the secret")
        if who in row.allowed:
            if status not in ok:
                failures.append(f"{who} should be allowed, got {status}")
            elif write and after == before:
                failures.append(f"{who} was answered {status} but the write changed nothing ({before!r})")
            continue
        if who == "anonymous":
            if url.startswith("/api/"):
                refused = status == 401
            else:
                refused = status == 302 and "/accounts/login/" in response["Location"]
        else:
            refused = status in (403, 404)
        if not refused:
            failures.append(f"{who} should be refused, got {status}")
        if write and after != before:
            failures.append(f"{who} was refused but the write changed {before!r} to {after!r}")
    assert not failures, f"{row.name} ({url}): " + "; ".join(failures)


# --- helpers for rows ---------------------------------------------------------------------------------------

PDF = (
    b"%PDF-1.4\n1 0 obj<</Type/Catalog/Pages 2 0 R>>endobj\n2 0 obj<</Type/Pages/Kids[]/Count 0>>endobj\n"
    b"trailer<<>>\n%%EOF\n"
)


def attachment(scenario=None) -> dict:
    """The data of an attach form: a small real PDF (a new upload object for every request)."""
    from django.core.files.uploadedfile import SimpleUploadedFile

    return {"file": SimpleUploadedFile("evidence.pdf", PDF, content_type="application/pdf")}


def files_of(key: str) -> Callable[[dict], int]:
    """An effect: how many stored files are attached to scenario[key]."""

    def effect(scenario) -> int:
        from fanguai.files.models import StoredFile
        from fanguai.files.policies import target_type_for

        obj = scenario[key]
        return StoredFile.objects.filter(target_type=target_type_for(obj), target_id=str(obj.pk)).count()

    return effect


def field_of(key: str, *fields: str) -> Callable[[dict], tuple]:
    """An effect: the current values of some fields of scenario[key], read from the database."""

    def effect(scenario) -> tuple:
        obj = scenario[key]
        return tuple(type(obj).objects.filter(pk=obj.pk).values_list(*fields).first() or ())

    return effect


def count_of(model_path: str, **filters) -> Callable[[dict], int]:
    """An effect: how many rows of a model ("app.Model") match the filters (values may be callables of the
    scenario)."""

    def effect(scenario) -> int:
        from django.apps import apps

        model = apps.get_model(model_path)
        resolved = {k: (v(scenario) if callable(v) else v) for k, v in filters.items()}
        return model.objects.filter(**resolved).count()

    return effect


def check_matrix(rows, scenario: dict, users: dict | None = None) -> None:
    """Check every row against one scenario (each request is rolled back, so rows cannot disturb each
    other) and report every failing row, not only the first."""
    failures = []
    for row in rows:
        try:
            check_row(row, scenario, users)
        except AssertionError as exc:
            failures.append(str(exc).splitlines()[0])
    assert not failures, "\n".join(failures)
