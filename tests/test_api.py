import json
import os
import typing
from collections import defaultdict
from pathlib import Path
from urllib.parse import quote

from pydantic import BaseModel

from fanguai.api.urls import api

SNAPSHOT = Path(__file__).parent / "snapshots" / "openapi.json"


def test_openapi_schema_matches_the_snapshot(db):
    """The schema is a contract: a change to it is deliberate (UPDATE_SNAPSHOTS=1 rewrites the file)."""
    schema = json.loads(json.dumps(api.get_openapi_schema(path_prefix="/api/"), sort_keys=True, default=str))
    if os.environ.get("UPDATE_SNAPSHOTS") == "1":
        SNAPSHOT.parent.mkdir(exist_ok=True)
        SNAPSHOT.write_text(json.dumps(schema, indent=1, sort_keys=True, ensure_ascii=False) + "\n")
    assert schema == json.loads(SNAPSHOT.read_text())


def test_openapi_is_served(alice, login):
    response = login(alice).get("/api/openapi.json")
    assert response.status_code == 200
    assert "/api/people" in response.json()["paths"]


def test_api_regions_and_units(alice, login):
    client = login(alice)
    counties = client.get("/api/regions", {"level": "county"}).json()
    assert len(counties) == 7
    units = client.get("/api/units", {"sector": "police", "region": "341522"}).json()
    assert [u["name"] for u in units] == ["霍邱县公安局"]


# --- The API answers malformed input with a documented 4xx, never a server error (issue 11, item 17) ---------
#
# The fuzzer found `year=0` / `year=99999` (ValueError in the selectors) and `page=9223372036854775808` (an
# offset the database driver cannot bind) on about ten lists, and two response schemas of the same name, so
# that four operations were documented with another operation's schema. The tests below cover the classes:
# every parameter is bounded in the schema, every out-of-range value is a 422, every schema name is unique.
# `.ci/api-fuzz` runs schemathesis against a live server for the rest.

SCHEMA = json.loads(json.dumps(api.get_openapi_schema(path_prefix="/api/"), default=str))  # as served


def _parameters():
    """(path, parameter) for every parameter of every operation of the schema (all operations are GET)."""
    for path, operations in SCHEMA["paths"].items():
        for parameter in operations.get("get", {}).get("parameters", []):
            yield path, parameter


def _type_schema(parameter) -> dict:
    """The parameter's schema without the `null` of an optional query parameter."""
    schema = parameter["schema"]
    variants = [s for s in schema.get("anyOf", [schema]) if s.get("type") != "null"]
    assert len(variants) == 1, parameter
    return variants[0]


PARAMETERS = list(_parameters())


def _url(path: str, name: str, value) -> tuple[str, dict]:
    """The operation's URL with `name` set to `value`, every other path parameter and every required query
    parameter set to a valid value."""
    params = {}
    for parameter in SCHEMA["paths"][path]["get"].get("parameters", []):
        if parameter["name"] == name:
            valid = value
        else:
            kind = _type_schema(parameter)
            valid = kind.get("minimum", 1) if kind["type"] == "integer" else "x"
            if parameter["in"] == "query" and not parameter.get("required"):
                continue
        if parameter["in"] == "path":
            path = path.replace("{" + parameter["name"] + "}", quote(str(valid), safe=""))
        else:
            params[parameter["name"]] = valid
    return path, params


def test_the_api_is_read_only():
    """These tests and `.ci/api-fuzz` (which fuzzes every operation against a throwaway demo instance) assume
    GET operations only: a write operation needs its own out-of-range cases here."""
    assert {method for operations in SCHEMA["paths"].values() for method in operations} == {"get"}


def test_every_parameter_of_the_api_is_bounded_in_the_schema():
    """An integer parameter has a minimum and a maximum, a string one a maximum length and a pattern that
    excludes NUL (which PostgreSQL cannot take): out-of-range input is refused before it reaches a selector."""
    assert PARAMETERS
    unbounded = []
    for path, parameter in PARAMETERS:
        kind = _type_schema(parameter)
        if kind["type"] == "integer":
            bounded = "minimum" in kind and "maximum" in kind
        else:
            assert kind["type"] == "string", (path, parameter)
            bounded = "maxLength" in kind and kind.get("pattern") == r"^[^\x00]*$"
        if not bounded:
            unbounded.append(f"{path} {parameter['name']}")
    assert unbounded == []


def test_every_operation_documents_its_error_answers():
    """401, 403 and 404 everywhere and, where an operation takes parameters, the 422 of a parameter out of
    range: all with a JSON body, so that schemathesis checks them too."""
    for path, operations in SCHEMA["paths"].items():
        operation = operations["get"]
        expected = {"200", "401", "403", "404"} | ({"422"} if operation.get("parameters") else set())
        assert set(operation["responses"]) == expected, path
        invalid = operation["responses"].get("422")
        if invalid:
            assert invalid["content"]["application/json"]["schema"]["$ref"].endswith("/ValidationErrorOut")


def _out_of_range(parameter) -> list:
    """Values just outside the documented bounds, and hostile ones whatever the bounds."""
    kind = _type_schema(parameter)
    if kind["type"] == "integer":
        edges = [kind[key] + step for key, step in (("minimum", -1), ("maximum", 1)) if key in kind]
        return [*edges, 2**63, -(2**63) - 1, 10**30]
    return ["a\x00b", "x" * (kind.get("maxLength", 10_000) + 1)]


def test_out_of_range_parameters_get_a_422_never_a_server_error(office, login):
    """For every parameter of every operation (year, page, page_size, days, ids, texts), values out of the
    documented range are refused with a 422 and its documented body. Before, `year=0`, `year=99999` and a
    64-bit page number were server errors, and `q=%00` one on PostgreSQL."""
    client = login(office)
    client.raise_request_exception = False  # a server error is a wrong answer like any other
    wrong = []
    for path, parameter in PARAMETERS:
        for value in _out_of_range(parameter):
            url, params = _url(path, parameter["name"], value)
            response = client.get(url, params)
            if response.status_code != 422 or response.json()["detail"][0]["loc"][-1] != parameter["name"]:
                wrong.append((url, str(params)[:60], response.status_code))
    assert len(PARAMETERS) > 80
    assert [w for w in wrong if w[2] >= 500] == [], "server errors"
    assert wrong == []


def test_the_bounds_of_every_parameter_are_accepted(office, login):
    """The bounds themselves are valid input: no 422, and no server error at the edge (a year of 2100 or the
    last page)."""
    client = login(office)
    client.raise_request_exception = False
    wrong = []
    for path, parameter in PARAMETERS:
        kind = _type_schema(parameter)
        if kind["type"] == "integer":
            values = [kind[key] for key in ("minimum", "maximum") if key in kind]
        else:
            values = ["", "x" * kind.get("maxLength", 200)]
        for value in values:
            url, params = _url(path, parameter["name"], value)
            response = client.get(url, params)
            if response.status_code not in (200, 403, 404):
                wrong.append((url, params, response.status_code))
    assert wrong == []


def _models(annotation, found: set) -> None:
    """Every pydantic model reachable from a type annotation."""
    if isinstance(annotation, type) and issubclass(annotation, BaseModel):
        if annotation in found:
            return
        found.add(annotation)
        for field in annotation.model_fields.values():
            _models(field.annotation, found)
        return
    for argument in typing.get_args(annotation):
        _models(argument, found)


def _schema_classes() -> set:
    """The schema classes of every operation's answers and parameters; ninja's own per-operation wrappers
    (the response envelope, the path and query parameter groups) are unwrapped, not counted."""
    found: set = set()
    for _prefix, router in api._routers:
        for path_view in router.path_operations.values():
            for operation in path_view.operations:
                wrappers = [*operation.response_models.values(), *operation.models]
                for wrapper in wrappers:
                    for field in wrapper.model_fields.values():
                        _models(field.annotation, found)
    return found


def test_no_two_schema_classes_share_a_name():
    """ninja names a component by its class name: two different classes of one name become one component,
    and the operations of the other are documented with the wrong schema (assistance cases were documented as
    trafficking cases, plan progress reports as supervision progress reports)."""
    by_name = defaultdict(list)
    for model in _schema_classes():
        by_name[model.__name__].append(model)
    assert len(by_name) > 40
    clashes = {
        name: sorted(f"{m.__module__}.{m.__qualname__}" for m in models)
        for name, models in by_name.items()
        # ninja makes a `Paged<Item>` class for each paginated operation: identical ones are the same schema
        if len({json.dumps(m.model_json_schema(), sort_keys=True) for m in models}) > 1
    }
    assert clashes == {}


def test_every_answer_schema_is_published_under_its_own_name():
    """The published components are exactly the classes the operations use (and the shared error bodies)."""
    names = {model.__name__ for model in _schema_classes()}
    published = set(SCHEMA["components"]["schemas"])
    assert names <= published
    assert {"AssistanceCaseOut", "CaseOut", "ProgressReportOut", "ListingReportOut"} <= published
    published_case = SCHEMA["components"]["schemas"]["AssistanceCaseOut"]["properties"]
    assert "shelter" in published_case and "title" not in published_case
    published_report = SCHEMA["components"]["schemas"]["ProgressReportOut"]["properties"]
    assert "period" in published_report and "text" not in published_report
