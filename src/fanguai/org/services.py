"""Loading of reference data (regions, units) from the files in the repository. Loads are idempotent:
rows are matched by code, updated in place, and the whole file is validated before anything is written."""

import csv
from dataclasses import dataclass
from pathlib import Path

from django.db import transaction
from django.utils.translation import gettext as _

from fanguai.audit.services import record_event
from fanguai.core.errors import RowError, ValidationFailed

from .models import Region, Unit


@dataclass
class LoadResult:
    created: int
    updated: int


def _read_rows(path: Path, columns: list[str]) -> list[dict[str, str]]:
    try:
        with path.open(encoding="utf-8-sig", newline="") as handle:
            reader = csv.DictReader(handle)
            missing = [c for c in columns if c not in (reader.fieldnames or [])]
            if missing:
                raise ValidationFailed([RowError(1, ",".join(missing), _("missing column"))])
            return [{k: (v or "").strip() for k, v in row.items() if k} for row in reader]
    except UnicodeDecodeError as exc:
        raise ValidationFailed([RowError(0, "", _("the file is not UTF-8 text"))]) from exc


def load_regions(path: Path, actor=None) -> LoadResult:
    rows = _read_rows(path, ["code", "name", "level", "parent_code"])
    known = set(Region.objects.values_list("code", flat=True))
    levels = set(Region.Level.values)
    errors: list[RowError] = []
    seen: set[str] = set()
    for number, row in enumerate(rows, start=2):
        if not row["code"]:
            errors.append(RowError(number, "code", _("empty")))
        elif row["code"] in seen:
            errors.append(RowError(number, "code", _("listed twice")))
        if not row["name"]:
            errors.append(RowError(number, "name", _("empty")))
        if row["level"] not in levels:
            errors.append(RowError(number, "level", _("unknown level “%s”") % row["level"]))
        if row["parent_code"] and row["parent_code"] not in seen and row["parent_code"] not in known:
            errors.append(RowError(number, "parent_code", _("parent not listed before this row")))
        seen.add(row["code"])
    if errors:
        raise ValidationFailed(errors)
    created = updated = 0
    with transaction.atomic():
        by_code = {r.code: r for r in Region.objects.all()}
        for row in rows:
            parent = by_code.get(row["parent_code"]) if row["parent_code"] else None
            region, was_created = Region.objects.update_or_create(
                code=row["code"], defaults={"name": row["name"], "level": row["level"], "parent": parent}
            )
            by_code[region.code] = region
            created += was_created
            updated += not was_created
        record_event(
            "regions.load",
            actor=actor,
            object_type="org.region",
            object_id=path.name,
            details={"created": created, "updated": updated},
        )
    return LoadResult(created, updated)


def load_units(path: Path, actor=None) -> LoadResult:
    rows = _read_rows(path, ["code", "name", "kind", "sector", "region_code", "parent_code"])
    regions = {r.code: r for r in Region.objects.all()}
    known = set(Unit.objects.values_list("code", flat=True))
    errors: list[RowError] = []
    seen: set[str] = set()
    for number, row in enumerate(rows, start=2):
        if not row["code"]:
            errors.append(RowError(number, "code", _("empty")))
        elif row["code"] in seen:
            errors.append(RowError(number, "code", _("listed twice")))
        if not row["name"]:
            errors.append(RowError(number, "name", _("empty")))
        if row["kind"] not in Unit.Kind.values:
            errors.append(RowError(number, "kind", _("unknown kind “%s”") % row["kind"]))
        if row["sector"] not in Unit.Sector.values:
            errors.append(RowError(number, "sector", _("unknown sector “%s”") % row["sector"]))
        if row["region_code"] not in regions:
            errors.append(RowError(number, "region_code", _("unknown region “%s”") % row["region_code"]))
        if row["parent_code"] and row["parent_code"] not in seen and row["parent_code"] not in known:
            errors.append(RowError(number, "parent_code", _("parent not listed before this row")))
        seen.add(row["code"])
    if errors:
        raise ValidationFailed(errors)
    created = updated = 0
    with transaction.atomic():
        by_code = {u.code: u for u in Unit.objects.all()}
        for row in rows:
            unit, was_created = Unit.objects.update_or_create(
                code=row["code"],
                defaults={
                    "name": row["name"],
                    "kind": row["kind"],
                    "sector": row["sector"],
                    "region": regions[row["region_code"]],
                    "parent": by_code.get(row["parent_code"]) if row["parent_code"] else None,
                },
            )
            by_code[unit.code] = unit
            created += was_created
            updated += not was_created
        record_event(
            "units.load",
            actor=actor,
            object_type="org.unit",
            object_id=path.name,
            details={"created": created, "updated": updated},
        )
    return LoadResult(created, updated)
