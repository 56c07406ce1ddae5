"""Every route of the platform has a permission-matrix row: each URL pattern of the site, and each path and
method of the API. A new page or endpoint without a row fails here, naming it, until someone says in the
matrix who may use it. The rows are those kept at module level in test modules (tests/permissions.py)."""

import importlib
from pathlib import Path

from django.urls import URLPattern, URLResolver, get_resolver

from fanguai.api.urls import api

from .permissions import CAST, Row

ROOT = Path(__file__).resolve().parent.parent
TEST_PACKAGES = [(ROOT / "tests", "tests"), (ROOT / "src" / "fanguai", "fanguai")]

# Routes that are the same for everyone (no user, no object of anyone's): no row, each with the reason.
EXEMPT = {
    # the sign-in flow itself: reached before there is a user to check (its own tests cover it)
    "accounts/login/",
    "accounts/logout/",
    "accounts/second-factor/",
    # the language switch: sets a cookie for whoever asks, holds no data
    "i18n/setlang/",
    # a public reporter's follow-up of the own clue: the clue is the one whose receipt code was entered in
    # this session, never chosen by a user or a URL (tests/clues/test_public.py and test_matrix.py check
    # that without the receipt nothing is shown or written)
    "report/follow-up/report/",
    "report/follow-up/report/message/",
    "report/follow-up/report/claim/",
    "report/follow-up/leave/",
    # the API's description (a contract tested by snapshot) and its viewer, the same for everyone
    "api/openapi.json",
    "api/docs",
    # ninja's root of the API namespace: answers 404 to everyone
    "api/",
}


def site_routes(resolver=None, prefix: str = ""):
    """Every URL pattern of the site, as the route string Django resolves a URL to."""
    for pattern in (resolver or get_resolver()).url_patterns:
        if isinstance(pattern, URLResolver):
            yield from site_routes(pattern, prefix + str(pattern.pattern))
        elif isinstance(pattern, URLPattern):
            # Django drops the "^" of a regular-expression pattern when it joins it to its prefix
            route = str(pattern.pattern)
            yield prefix + (route.removeprefix("^") if prefix else route)


def api_routes() -> set[str]:
    """Every operation of the API as "METHOD route", the route written as Django resolves it."""
    routes = set()
    for path, operations in api.get_openapi_schema()["paths"].items():
        route = path.lstrip("/").replace("{", "<").replace("}", ">")
        routes.update(f"{method.upper()} {route}" for method in operations)
    return routes


def all_routes() -> set[str]:
    web = {route for route in site_routes() if not route.startswith("api/") or route in EXEMPT}
    return (web | api_routes()) - EXEMPT


def matrix_rows() -> list[Row]:
    """The rows kept at module level (a Row, or a list or tuple of rows) in every test module that builds
    some."""
    rows = []
    for folder, package in TEST_PACKAGES:
        for path in sorted(folder.rglob("test_*.py")):
            if "Row(" not in path.read_text(encoding="utf-8"):
                continue
            parts = path.relative_to(folder).with_suffix("").parts
            module = importlib.import_module(".".join((package, *parts)))
            for value in vars(module).values():
                if isinstance(value, Row):
                    rows.append(value)
                elif isinstance(value, list | tuple):
                    rows.extend(item for item in value if isinstance(item, Row))
    # the same row may be kept twice (a list and its parts): count each once
    return list({id(row): row for row in rows}.values())


def test_every_api_path_is_a_route_of_the_site():
    """The API's description and its URL patterns agree (else the API half of the next test proves
    nothing)."""
    site = set(site_routes())
    missing = {key.split(" ", 1)[1] for key in api_routes()} - site
    assert not missing


def test_every_route_has_a_matrix_row():
    covered = {row.route_key() for row in matrix_rows()}
    missing = sorted(all_routes() - covered)
    assert not missing, "routes without a permission-matrix row:\n" + "\n".join(missing)


def test_every_row_allows_someone_and_names_only_the_cast():
    rows = matrix_rows()
    assert len(rows) > 250
    assert [row.name for row in rows if not row.allowed] == []
    assert [row.name for row in rows if not set(row.allowed) <= set(CAST)] == []


def test_every_write_row_has_an_effect():
    rows = matrix_rows()
    assert [row.name for row in rows if row.method.lower() != "get" and row.effect is None] == []


def test_the_exemptions_are_real_routes():
    """An exemption for a route that no longer exists hides nothing; keep the list honest."""
    site = set(site_routes())
    assert EXEMPT <= site
