from datetime import date, datetime

from ninja import Schema


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
