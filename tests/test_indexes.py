"""The main lists stay index-driven as tables grow: on PostgreSQL, with tens of thousands of rows spread over
the city's units and counties and fresh planner statistics, the query of each list's first page must not
read its own table sequentially, nor another large table to find a small share of it (a "Seq Scan" node in
its EXPLAIN plan). An unindexed status, county, unit or sort column shows up here as a sequential scan. SQLite has no comparable planner: the test is skipped there (CI
runs the suite on PostgreSQL too)."""

import json

import pytest
from django.db import connection
from django.utils import timezone

pytestmark = [
    pytest.mark.django_db,
    pytest.mark.skipif(
        connection.vendor != "postgresql", reason="EXPLAIN plans are checked on PostgreSQL only"
    ),
]

ROWS = 30_000  # per large table: enough that reading it whole costs the planner more than an index


# A sequential scan of another large table (a subquery of a visibility rule, a join) is a sound plan when the
# planner expects it to return a good share of that table; below this share an index should have served it.
SMALL_SHARE = 0.10


def _seq_scans(plan: dict, large: dict[str, int], own: str) -> list[str]:
    """Sequential scans that show a missing index: any over the list's own table (its filter and sort must
    come from an index), and any over another large table that returns a small share of its rows."""
    found = []
    table = plan.get("Relation Name")
    if plan.get("Node Type") == "Seq Scan" and table in large:
        if table == own or plan.get("Plan Rows", 0) < SMALL_SHARE * large[table]:
            found.append(table)
    for child in plan.get("Plans", ()):
        found += _seq_scans(child, large, own)
    return found


def _plan(queryset) -> dict:
    sql, params = queryset.query.sql_with_params()
    with connection.cursor() as cursor:
        cursor.execute("EXPLAIN (FORMAT JSON) " + sql, params)
        raw = cursor.fetchone()[0]
    return (json.loads(raw) if isinstance(raw, str) else raw)[0]["Plan"]


def _fill(model, rows: int, fixed: dict, varied: dict[str, str]) -> None:
    """Insert `rows` rows in one INSERT ... SELECT over generate_series (g = 1..rows): the columns of
    `varied` are SQL expressions of g, every other column takes the value of an unsaved instance built from
    `fixed` (model defaults included), as Django would save it."""
    template = model(**fixed)
    columns, values, params = [], [], []
    for field in model._meta.concrete_fields:
        if field.primary_key:
            continue
        columns.append(connection.ops.quote_name(field.column))
        if field.column in varied:
            values.append(varied[field.column].replace("%", "%%"))
        else:
            values.append("%s")
            params.append(field.get_db_prep_save(field.pre_save(template, add=True), connection))
    sql = (
        f"INSERT INTO {connection.ops.quote_name(model._meta.db_table)} ({', '.join(columns)}) "  # noqa: S608 - test data
        f"SELECT {', '.join(values)} FROM generate_series(1, {int(rows)}) AS g"
    )
    with connection.cursor() as cursor:
        cursor.execute(sql, params)


def _cycle(values) -> str:
    """An SQL expression of g that cycles through the values (ids or strings)."""
    items = ", ".join(str(v) if isinstance(v, int) else "'" + str(v).replace("'", "''") + "'" for v in values)
    return f"(ARRAY[{items}])[1 + g % {len(values)}]"


def _statuses(model) -> str:
    return _cycle([value for value, _label in model._meta.get_field("status").choices])


@pytest.fixture
def big_city(alice, bob, liaison, coordinator, office):
    """ROWS rows in each large table, spread over every unit and county, then ANALYZE."""
    from django.contrib.contenttypes.models import ContentType

    from fanguai.assistance.models import AssistanceCase, Consent, Referral
    from fanguai.audit.models import AuditEvent
    from fanguai.clues.models import Clue
    from fanguai.deadlines.models import Deadline
    from fanguai.missing.models import MissingReport
    from fanguai.org.models import Region, Unit
    from fanguai.people.models import Person
    from fanguai.supervision.models import Finding, Inspection, Rectification

    units = _cycle(list(Unit.objects.order_by("pk").values_list("pk", flat=True)))
    other_units = units.replace("1 + g %", "1 + (g / 7) %")
    counties = _cycle(list(Region.objects.filter(level=Region.Level.COUNTY).values_list("pk", flat=True)))
    minutes_ago = "now() - g * interval '1 minute'"
    now = timezone.now()
    unit = alice.unit

    _fill(
        Person,
        ROWS,
        {"registered_by_unit": unit},
        {
            "number": "'P' || lpad(g::text, 9, '0')",
            "registered_by_unit_id": units,
            "county_id": counties,
            "identity_status": "CASE WHEN g % 5 = 0 THEN 'unknown' ELSE 'known' END",
            "created_at": minutes_ago,
        },
    )
    first_person = Person.objects.filter(number="P000000001").values_list("pk", flat=True).get()
    person = f"{first_person} + g - 1"
    _fill(
        AssistanceCase,
        ROWS,
        {
            "person_id": first_person,
            "shelter": unit,
            "handed_over_by_unit": unit,
            "handed_over_by_officer": "officer",
            "handed_over_at": now,
            "risk_level": "low",
        },
        {
            "number": "'A' || lpad(g::text, 9, '0')",
            "person_id": person,
            "shelter_id": units,
            "handed_over_by_unit_id": other_units,
            "status": _statuses(AssistanceCase),
            "created_at": minutes_ago,
        },
    )
    first_case = AssistanceCase.objects.order_by("pk").values_list("pk", flat=True).first()
    consent = Consent.objects.create(case_id=first_case, unit=bob.unit, basis="law", given_on=now.date())
    _fill(
        Referral,
        ROWS,
        {
            "case_id": first_case,
            "person_id": first_person,
            "service": "education",
            "from_unit": unit,
            "to_unit": unit,
            "consent": consent,
            "respond_by": now,
            "deliver_by": now,
        },
        {
            "number": "'R' || lpad(g::text, 9, '0')",
            "case_id": f"{first_case} + g - 1",
            "person_id": person,
            "from_unit_id": units,
            "to_unit_id": other_units,
            "status": _statuses(Referral),
            "created_at": minutes_ago,
        },
    )
    _fill(
        MissingReport,
        ROWS,
        {"person_id": first_person, "last_seen_at": now, "last_seen_place": "place", "owner_unit": unit},
        {
            "number": "'M' || lpad(g::text, 9, '0')",
            "person_id": person,
            "owner_unit_id": units,
            "county_id": counties,
            "status": _statuses(MissingReport),
            "created_at": minutes_ago,
        },
    )
    _fill(
        Inspection,
        ROWS,
        {"title": "inspection", "scheduled_for": now.date(), "team": "team", "scope": "scope"},
        {
            "target_unit_id": units,
            "target_region_id": counties,
            "status": _statuses(Inspection),
            "scheduled_for": "current_date - (g % 700)",
        },
    )
    first_inspection = Inspection.objects.order_by("pk").values_list("pk", flat=True).first()
    inspection = f"{first_inspection} + g - 1"
    _fill(
        Finding,
        ROWS,
        {"inspection_id": first_inspection, "description": "finding"},
        {"inspection_id": inspection},
    )
    first_finding = Finding.objects.order_by("pk").values_list("pk", flat=True).first()
    _fill(
        Rectification,
        ROWS,
        {
            "finding_id": first_finding,
            "inspection_id": first_inspection,
            "responsible_unit": unit,
            "requirement": "requirement",
            "due_date": now.date(),
            "due_at": now,
        },
        {
            "finding_id": f"{first_finding} + g - 1",
            "inspection_id": inspection,
            "responsible_unit_id": units,
            "status": _statuses(Rectification),
            "due_at": minutes_ago,
        },
    )
    _fill(
        Clue,
        ROWS,
        {"source": "public", "category": "other", "description": "", "received_by_unit": unit},
        {
            "number": "'X' || lpad(g::text, 9, '0')",
            "received_by_unit_id": units,
            "responsible_unit_id": other_units,
            "county_id": counties,
            "status": _statuses(Clue),
            "created_at": minutes_ago,
        },
    )
    _fill(
        Deadline,
        ROWS,
        {
            "content_type": ContentType.objects.get_for_model(Person),
            "object_id": "1",
            "kind": "people.identify",
            "responsible_unit": unit,
            "due_at": now,
        },
        {
            "object_id": f"({person})::text",
            "responsible_unit_id": units,
            "status": _statuses(Deadline),
            "due_at": minutes_ago,
        },
    )
    _fill(
        AuditEvent,
        ROWS,
        {
            "created_at": now,
            "action": "person.view",
            "object_type": "people.person",
            "previous_hash": "",
            "hash": "",
        },
        {
            "object_id": f"({person})::text",
            "created_at": minutes_ago,
            "previous_hash": "lpad(to_hex(g), 64, '0')",
            "hash": "lpad(to_hex(g + 1), 64, '0')",
        },
    )
    tables = [
        model._meta.db_table
        for model in (
            Person,
            AssistanceCase,
            Referral,
            MissingReport,
            Inspection,
            Finding,
            Rectification,
            Clue,
            Deadline,
            AuditEvent,
        )
    ]
    with connection.cursor() as cursor:
        for table in tables:
            cursor.execute(f'ANALYZE "{table}"')
    return {"large": dict.fromkeys(tables, ROWS), "person": Person.objects.get(number=f"P{ROWS // 2:09d}")}


def _lists(cast: dict, person) -> dict:
    """The first page of each main list, as the list views build it."""
    from fanguai.assistance.selectors import visible_cases, visible_referrals
    from fanguai.audit.selectors import visible_events
    from fanguai.clues.selectors import visible_clues
    from fanguai.deadlines.selectors import visible_deadlines
    from fanguai.missing.selectors import visible_reports
    from fanguai.people.selectors import visible_people
    from fanguai.supervision.selectors import visible_inspections, visible_rectifications

    alice, bob, liaison, coordinator, office, auditor = (
        cast[name] for name in ("alice", "bob", "liaison", "coordinator", "office", "auditor")
    )
    return {
        "people (county investigator)": visible_people(alice)[:25],
        "people (shelter caseworker)": visible_people(bob)[:25],
        "people (office, unknown identity)": visible_people(office, identity_status="unknown")[:25],
        "assistance cases (shelter)": visible_cases(bob)[:25],
        "assistance cases (office, by status)": visible_cases(office, status="open")[:25],
        "referrals received": visible_referrals(liaison, box="received")[:25],
        "referrals sent": visible_referrals(bob, box="sent")[:25],
        "missing reports (county)": visible_reports(alice)[:25],
        "missing reports (office, open)": visible_reports(office, status="open")[:25],
        "inspections (county coordinator)": visible_inspections(coordinator)[:25],
        "inspections (office, by status)": visible_inspections(office, status="scheduled")[:25],
        "rectifications (county coordinator)": visible_rectifications(coordinator)[:25],
        "rectifications (office, open)": visible_rectifications(office, status="open")[:25],
        "clues (county investigator)": visible_clues(alice)[:25],
        # The bounded count of a list (core.pagination): a unit's share of the clues or persons is found through
        # the indexes of each branch of its visibility rule (the `any` lookup), not by reading every row.
        "clue count (unit liaison)": visible_clues(liaison).order_by()[:1001],
        "people count (shelter caseworker)": visible_people(bob).order_by()[:1001],
        "deadlines (own unit)": visible_deadlines(alice, unit=alice.unit)[:25],
        "audit events of one object": visible_events(
            auditor, object_type="people.person", object_id=str(person.pk)
        )[:100],
    }


def _text_plan(queryset) -> str:
    sql, params = queryset.query.sql_with_params()
    with connection.cursor() as cursor:
        cursor.execute("EXPLAIN " + sql, params)
        return "\n".join(row[0] for row in cursor.fetchall())


def test_the_main_lists_use_indexes_on_large_tables(big_city, cast, auditor):
    members = {**cast, "auditor": auditor}
    problems = {}
    for name, queryset in _lists(members, big_city["person"]).items():
        scans = _seq_scans(_plan(queryset), big_city["large"], queryset.model._meta.db_table)
        if scans:
            problems[name] = f"{sorted(set(scans))}\n{_text_plan(queryset)}"
    assert not problems, "sequential scans over large tables:\n\n" + "\n\n".join(
        f"{name}: {plan}" for name, plan in problems.items()
    )
    # The plan walker is not blind: a filter on an unindexed column reads the whole table for a few rows.
    from fanguai.people.models import Person

    plan = _plan(Person.objects.filter(notes="nothing like this"))
    assert _seq_scans(plan, big_city["large"], own="") == ["people_person"]
