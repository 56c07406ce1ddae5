"""Loading a plan from its YAML file (format: plans/README.md) and exporting it back as a tree.

The whole file is validated before anything is written; every problem is reported with its path in the
file (e.g. ``units[3].key_tasks[2].number: missing``). Loading is idempotent: the plan is matched by its
code, each record by its place (unit, kind, period) and its number, or its rank among the unnumbered
paragraphs of the same list. Records no longer in the file are kept (work items may point to them) but
marked as no longer current, so they leave the tree and the export."""

import datetime as dt
import re
from dataclasses import dataclass
from pathlib import Path

import yaml
from django.db import transaction
from django.utils.translation import gettext as _

from fanguai.audit.services import record_event
from fanguai.core.errors import RowError, ValidationFailed
from fanguai.org.models import Unit

from .models import ClauseUnit, Plan, PlanClause, PlanItem, PlanUnit, period_bounds

PERIOD_RE = re.compile(r"^\d{4}(-\d{4})?$")
CODE_RE = re.compile(r"^[a-z0-9][a-z0-9-]*$")
TOP_FIELDS = {
    "code",
    "title",
    "document_number",
    "issuer",
    "issued",
    "periods",
    "goals",
    "priorities",
    "safeguards",
    "units",
}
RECORD_FIELDS = {"number", "text"}
CLAUSE_FIELDS = {"number", "title", "text"}
PRIORITY_FIELDS = CLAUSE_FIELDS | {
    "responsibility_text",
    "lead_units",
    "responsible_units",
    "implementing_units",
}
UNIT_ROLES = (
    ("lead_units", ClauseUnit.Role.LEAD),
    ("responsible_units", ClauseUnit.Role.RESPONSIBLE),
    ("implementing_units", ClauseUnit.Role.IMPLEMENTING),
)
UNIT_FIELDS = {"unit", "name", "key_tasks", "measures"}


@dataclass
class LoadResult:
    plan: Plan
    created: int
    updated: int
    retired: int

    def __str__(self) -> str:
        return (
            f"plan {self.plan.code}: {self.created} created, {self.updated} updated, "
            f"{self.retired} no longer current"
        )


class _Checker:
    """Walks the parsed file, collecting errors and a normalised copy of the content."""

    def __init__(self, known_units: set[str]):
        self.errors: list[RowError] = []
        self.known_units = known_units

    def fail(self, path: str, message: str) -> None:
        self.errors.append(RowError(0, path, message))

    def mapping(self, value, path: str, allowed: set[str], required: set[str]) -> dict | None:
        if not isinstance(value, dict):
            self.fail(path, _("must be a mapping of fields"))
            return None
        for name in sorted(set(value) - allowed, key=str):
            self.fail(f"{path}.{name}" if path else str(name), _("unknown field"))
        for name in sorted(required - set(value)):
            self.fail(f"{path}.{name}" if path else name, _("missing"))
        return value

    def text(self, value, path: str, *, required: bool = True) -> str:
        if value is None and not required:
            return ""
        if not isinstance(value, str):
            self.fail(path, _("must be text") if value is not None else _("missing"))
            return ""
        if required and not value.strip():
            self.fail(path, _("empty"))
        return value

    def number(self, value, path: str, *, nullable: bool) -> int | None:
        if value is None and nullable:
            return None
        if isinstance(value, bool) or not isinstance(value, int) or value < 1:
            self.fail(path, _("must be a whole number from 1") + (_(" or null") if nullable else ""))
            return None
        return value

    def records(self, value, path: str) -> list[dict]:
        """A list of {number, text}: numbered items keep their number, unnumbered paragraphs have null."""
        if value is None:
            value = []
        if not isinstance(value, list):
            self.fail(path, _("must be a list"))
            return []
        out, seen = [], set()
        for index, entry in enumerate(value):
            where = f"{path}[{index}]"
            if self.mapping(entry, where, RECORD_FIELDS, RECORD_FIELDS) is None:
                continue
            number = (
                self.number(entry.get("number"), f"{where}.number", nullable=True)
                if "number" in entry
                else None
            )
            if number is not None:
                if number in seen:
                    self.fail(f"{where}.number", _("number %(n)s listed twice") % {"n": number})
                seen.add(number)
            out.append({"number": number, "text": self.text(entry.get("text"), f"{where}.text")})
        return out

    def unit_codes(self, value, path: str) -> list[str]:
        if value is None:
            return []
        if not isinstance(value, list):
            self.fail(path, _("must be a list of unit codes"))
            return []
        codes = []
        for index, code in enumerate(value):
            where = f"{path}[{index}]"
            if not isinstance(code, str) or code not in self.known_units:
                self.fail(where, _("unknown unit code “%(code)s”") % {"code": code})
            elif code in codes:
                self.fail(where, _("listed twice"))
            else:
                codes.append(code)
        return codes

    def clauses(self, value, path: str, *, priority: bool) -> list[dict]:
        if value is None:
            return []
        if not isinstance(value, list):
            self.fail(path, _("must be a list"))
            return []
        out, seen = [], set()
        fields = PRIORITY_FIELDS if priority else CLAUSE_FIELDS
        for index, entry in enumerate(value):
            where = f"{path}[{index}]"
            if self.mapping(entry, where, fields, {"number", "text"}) is None:
                continue
            number = (
                self.number(entry.get("number"), f"{where}.number", nullable=True)
                if "number" in entry
                else None
            )
            if number is not None:
                if number in seen:
                    self.fail(f"{where}.number", _("number %(n)s listed twice") % {"n": number})
                seen.add(number)
            clause = {
                "number": number,
                "title": self.text(entry.get("title"), f"{where}.title", required=False),
                "text": self.text(entry.get("text"), f"{where}.text"),
            }
            if priority:
                clause["responsibility_text"] = self.text(
                    entry.get("responsibility_text"), f"{where}.responsibility_text", required=False
                )
                for name, _role in UNIT_ROLES:
                    clause[name] = self.unit_codes(entry.get(name), f"{where}.{name}")
            out.append(clause)
        return out

    def periods(self, value) -> list[str]:
        if not isinstance(value, list) or not value:
            self.fail("periods", _('must be a non-empty list such as ["2022", "2023-2029", "2030"]'))
            return []
        periods, last_end = [], None
        for index, period in enumerate(value):
            where = f"periods[{index}]"
            if not isinstance(period, str) or not PERIOD_RE.match(period):
                self.fail(where, _("must be a year (2022) or a range of years (2023-2029), quoted"))
                continue
            start, end = period_bounds(period)
            if end < start or (last_end is not None and start <= last_end):
                self.fail(where, _("periods must follow each other without overlap"))
            last_end = end
            periods.append(period)
        return periods

    def units(self, value, periods: list[str]) -> list[dict]:
        if not isinstance(value, list) or not value:
            self.fail("units", _("must be a non-empty list"))
            return []
        out, seen = [], set()
        for index, entry in enumerate(value):
            where = f"units[{index}]"
            if self.mapping(entry, where, UNIT_FIELDS, UNIT_FIELDS) is None:
                continue
            code = entry.get("unit")
            if not isinstance(code, str) or code not in self.known_units:
                self.fail(f"{where}.unit", _("unknown unit code “%(code)s”") % {"code": code})
            elif code in seen:
                self.fail(f"{where}.unit", _("unit listed twice"))
            seen.add(code)
            measures_in = entry.get("measures")
            measures: dict[str, list[dict]] = {}
            if not isinstance(measures_in, dict):
                if "measures" in entry:
                    self.fail(f"{where}.measures", _("must map each period to a list of measures"))
            else:
                for period in measures_in:
                    if str(period) not in periods:
                        self.fail(f"{where}.measures.{period}", _("not one of the plan's periods"))
                for period in periods:
                    if period not in measures_in:
                        self.fail(f"{where}.measures.{period}", _("missing"))
                    else:
                        measures[period] = self.records(measures_in[period], f"{where}.measures.{period}")
            out.append(
                {
                    "unit": code,
                    "name": self.text(entry.get("name"), f"{where}.name"),
                    "key_tasks": self.records(entry.get("key_tasks"), f"{where}.key_tasks"),
                    "measures": measures,
                }
            )
        return out

    def issued(self, value) -> str | None:
        if value is None:
            return None
        if isinstance(value, dt.date):
            return value.isoformat()
        try:
            return dt.date.fromisoformat(str(value)).isoformat()
        except ValueError:
            self.fail("issued", _("must be a date written YYYY-MM-DD"))
            return None

    def document(self, data) -> dict:
        if self.mapping(data, "", TOP_FIELDS, {"code", "title", "periods", "units"}) is None:
            return {}
        code = data.get("code")
        if not isinstance(code, str) or not CODE_RE.match(code) or len(code) > 64:
            self.fail("code", _("must be lower-case letters, digits and hyphens, e.g. liuan-2022"))
        periods = self.periods(data.get("periods"))
        return {
            "code": code,
            "title": self.text(data.get("title"), "title"),
            "document_number": self.text(data.get("document_number"), "document_number", required=False),
            "issuer": self.text(data.get("issuer"), "issuer", required=False),
            "issued": self.issued(data.get("issued")),
            "periods": periods,
            "goals": self.records(data.get("goals"), "goals"),
            "priorities": self.clauses(data.get("priorities"), "priorities", priority=True),
            "safeguards": self.clauses(data.get("safeguards"), "safeguards", priority=False),
            "units": self.units(data.get("units"), periods),
        }


def parse_plan(text: str) -> dict:
    """Validate a plan file's content; returns the normalised tree (the shape of the export)."""
    try:
        data = yaml.safe_load(text)
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        where = f"line {mark.line + 1}" if mark else ""
        raise ValidationFailed(
            [RowError(0, where, _("not valid YAML: %s") % getattr(exc, "problem", exc))]
        ) from exc
    checker = _Checker(set(Unit.objects.values_list("code", flat=True)))
    tree = checker.document(data)
    if checker.errors:
        raise ValidationFailed(checker.errors)
    return tree


def _keys(records: list[dict]) -> list[str]:
    """Numbered records are keyed by their number, unnumbered ones by their rank among unnumbered ones."""
    keys, unnumbered = [], 0
    for record in records:
        if record["number"] is None:
            unnumbered += 1
            keys.append(f"#{unnumbered}")
        else:
            keys.append(str(record["number"]))
    return keys


class _Writer:
    def __init__(self):
        self.created = self.updated = 0

    def upsert(self, model, lookup: dict, values: dict):
        obj = model.objects.filter(**lookup).first()
        if obj is None:
            obj = model.objects.create(**lookup, **values)
            self.created += 1
            return obj
        changed = [name for name, value in values.items() if getattr(obj, name) != value]
        if changed:
            for name in changed:
                setattr(obj, name, values[name])
            obj.save(update_fields=changed)
            self.updated += 1
        return obj


def load_plan(path: Path | str, actor=None) -> LoadResult:
    path = Path(path)
    try:
        text = path.read_text(encoding="utf-8-sig")
    except FileNotFoundError as exc:
        raise ValidationFailed([RowError(0, "", _("file not found: %s") % path)]) from exc
    except UnicodeDecodeError as exc:
        raise ValidationFailed([RowError(0, "", _("the file is not UTF-8 text"))]) from exc
    return load_plan_text(text, actor=actor)


@transaction.atomic
def load_plan_text(text: str, actor=None) -> LoadResult:
    tree = parse_plan(text)
    units = {u.code: u for u in Unit.objects.all()}
    writer = _Writer()
    plan = writer.upsert(
        Plan,
        {"code": tree["code"]},
        {
            "title": tree["title"],
            "document_number": tree["document_number"],
            "issuer": tree["issuer"],
            "issued": dt.date.fromisoformat(tree["issued"]) if tree["issued"] else None,
            "periods": tree["periods"],
        },
    )
    current_clauses: set[int] = set()
    for section, records in (
        (PlanClause.Section.GOAL, [{**r, "title": ""} for r in tree["goals"]]),
        (PlanClause.Section.PRIORITY, tree["priorities"]),
        (PlanClause.Section.SAFEGUARD, tree["safeguards"]),
    ):
        for position, (key, record) in enumerate(zip(_keys(records), records, strict=True)):
            clause = writer.upsert(
                PlanClause,
                {"plan": plan, "section": section, "key": key},
                {
                    "position": position,
                    "number": record["number"],
                    "title": record.get("title", ""),
                    "text": record["text"],
                    "responsibility_text": record.get("responsibility_text", ""),
                    "is_current": True,
                },
            )
            current_clauses.add(clause.pk)
            wanted = sorted(
                (str(role), position, units[code].pk)
                for name, role in UNIT_ROLES
                for position, code in enumerate(record.get(name, []))
            )
            existing = sorted(clause.unit_links.values_list("role", "position", "unit_id"))
            if existing != wanted:
                clause.unit_links.all().delete()
                ClauseUnit.objects.bulk_create(
                    [ClauseUnit(clause=clause, role=r, position=p, unit_id=u) for r, p, u in wanted]
                )
                if existing:
                    writer.updated += 1
    retired = (
        PlanClause.objects.filter(plan=plan, is_current=True)
        .exclude(pk__in=current_clauses)
        .update(is_current=False)
    )
    current_units: set[int] = set()
    current_items: set[int] = set()
    for position, entry in enumerate(tree["units"]):
        plan_unit = writer.upsert(
            PlanUnit,
            {"plan": plan, "unit": units[entry["unit"]]},
            {"name": entry["name"], "position": position, "is_current": True},
        )
        current_units.add(plan_unit.pk)
        lists = [(PlanItem.Kind.KEY_TASK, "", entry["key_tasks"])]
        lists += [(PlanItem.Kind.MEASURE, period, entry["measures"][period]) for period in tree["periods"]]
        for kind, period, records in lists:
            for rank, (key, record) in enumerate(zip(_keys(records), records, strict=True)):
                item = writer.upsert(
                    PlanItem,
                    {"plan_unit": plan_unit, "kind": kind, "period": period, "key": key},
                    {
                        "position": rank,
                        "number": record["number"],
                        "text": record["text"],
                        "is_current": True,
                    },
                )
                current_items.add(item.pk)
    retired += (
        PlanUnit.objects.filter(plan=plan, is_current=True)
        .exclude(pk__in=current_units)
        .update(is_current=False)
    )
    retired += (
        PlanItem.objects.filter(plan_unit__plan=plan, is_current=True)
        .exclude(pk__in=current_items)
        .update(is_current=False)
    )
    record_event(
        "plan.load",
        actor=actor,
        object_type="plans.plan",
        object_id=plan.pk,
        details={"code": plan.code, "created": writer.created, "updated": writer.updated, "retired": retired},
    )
    return LoadResult(plan=plan, created=writer.created, updated=writer.updated, retired=retired)


def _record(obj) -> dict:
    return {"number": obj.number, "text": obj.text}


def export_plan(plan: Plan) -> dict:
    """The plan as a tree; the contract documented in plans/README.md (loading it back changes nothing)."""
    clauses = list(
        plan.clauses.filter(is_current=True)
        .prefetch_related("unit_links__unit")
        .order_by("section", "position")
    )

    def section(name):
        return [c for c in clauses if c.section == name]

    priorities = []
    for clause in section(PlanClause.Section.PRIORITY):
        links = sorted(clause.unit_links.all(), key=lambda link: link.position)
        entry = {
            "number": clause.number,
            "title": clause.title,
            "text": clause.text,
            "responsibility_text": clause.responsibility_text,
        }
        for name, role in UNIT_ROLES:
            entry[name] = [link.unit.code for link in links if link.role == role]
        priorities.append(entry)
    units = []
    plan_units = plan.plan_units.filter(is_current=True).select_related("unit").order_by("position")
    items = PlanItem.objects.filter(plan_unit__plan=plan, is_current=True).order_by("position")
    by_unit: dict[int, list[PlanItem]] = {}
    for item in items:
        by_unit.setdefault(item.plan_unit_id, []).append(item)
    for plan_unit in plan_units:
        own = by_unit.get(plan_unit.pk, [])
        units.append(
            {
                "unit": plan_unit.unit.code,
                "name": plan_unit.name,
                "key_tasks": [_record(i) for i in own if i.kind == PlanItem.Kind.KEY_TASK],
                "measures": {
                    period: [
                        _record(i) for i in own if i.kind == PlanItem.Kind.MEASURE and i.period == period
                    ]
                    for period in plan.periods
                },
            }
        )
    return {
        "code": plan.code,
        "title": plan.title,
        "document_number": plan.document_number,
        "issuer": plan.issuer,
        "issued": plan.issued.isoformat() if plan.issued else None,
        "periods": list(plan.periods),
        "goals": [_record(c) for c in section(PlanClause.Section.GOAL)],
        "priorities": priorities,
        "safeguards": [
            {"number": c.number, "title": c.title, "text": c.text}
            for c in section(PlanClause.Section.SAFEGUARD)
        ],
        "units": units,
    }
