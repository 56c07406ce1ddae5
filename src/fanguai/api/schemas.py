"""Schemas and parameter types shared by the routers.

Every integer parameter of the API is bounded in the schema, so that out-of-range input is answered with a
documented 422 before it reaches a selector (``year=0`` used to raise ValueError, a 64-bit page number an
overflow in the database driver). Routers use these types rather than a bare ``int`` or ``str``; the tests
in ``tests/test_api.py`` fail on an unbounded parameter."""

from datetime import date, datetime
from typing import Annotated, Any

from ninja import Path, Query, Schema

#: The range the web forms accept for a year (plans, clue and assistance statistics).
YEAR_MIN, YEAR_MAX = 2000, 2100
#: Primary keys are BigAutoField: positive and below 2**63.
ID_MAX = 2**63 - 1

Year = Annotated[int, Query(ge=YEAR_MIN, le=YEAR_MAX, description="A calendar year, 2000 to 2100.")]
RecordId = Annotated[int, Path(ge=1, le=ID_MAX, description="The record's id.")]

# Strings too: bounded in length and without NUL, which PostgreSQL cannot take in a query (a DataError, so a
# server error, for `q=%00`).
NO_NUL = r"^[^\x00]*$"
TEXT_MAX = 200
Text = Annotated[str, Query(max_length=TEXT_MAX, pattern=NO_NUL)]
Code = Annotated[str, Path(max_length=64, pattern=NO_NUL, description="The record's number or code.")]


class RegionOut(Schema):
    code: str
    name: str
    level: str
    parent_code: str | None = None

    @staticmethod
    def resolve_parent_code(obj) -> str | None:
        return obj.parent.code if obj.parent_id else None


class UnitOut(Schema):
    code: str
    name: str
    kind: str
    sector: str
    region_code: str

    @staticmethod
    def resolve_region_code(obj) -> str:
        return obj.region.code


class MeOut(Schema):
    username: str
    full_name: str
    role: str
    unit: UnitOut | None
    county_code: str | None

    @staticmethod
    def resolve_county_code(obj) -> str | None:
        return obj.county.code if obj.county else None


class PersonOut(Schema):
    id: int
    number: str
    full_name: str
    sex: str
    birth_date: date | None
    identity_status: str
    county_code: str | None
    registered_by: str
    created_at: datetime

    @staticmethod
    def resolve_county_code(obj) -> str | None:
        return obj.county.code if obj.county_id else None

    @staticmethod
    def resolve_registered_by(obj) -> str:
        return obj.registered_by_unit.code


class ErrorOut(Schema):
    detail: str


class ValidationIssueOut(Schema):
    type: str
    loc: list[str | int]
    msg: str
    ctx: dict[str, Any] | None = None


class ValidationErrorOut(Schema):
    """The answer to a request whose parameters do not match the schema (HTTP 422)."""

    detail: list[ValidationIssueOut]
