"""No main page runs more than MAX_QUERIES queries, whatever the number of rows it lists: each list holds
ROWS rows here, so a query per row (an N+1) pushes a page over the limit and fails. The pages are opened by
the member of the cast (tests/conftest.py) who works with them."""

import datetime as dt
import os

import pytest
from django.contrib.contenttypes.models import ContentType
from django.utils import timezone

from .conftest import client_for

pytestmark = pytest.mark.django_db

MAX_QUERIES = 20
ROWS = 15


@pytest.fixture
def lists(cast):
    """ROWS rows in every main list, in the county and units of the cast (alice's county 霍邱县)."""
    from fanguai.assistance.models import AssistanceCase, Consent, Referral
    from fanguai.clues.models import Clue
    from fanguai.deadlines.models import Deadline
    from fanguai.missing.models import MissingReport
    from fanguai.notifications.models import Notification
    from fanguai.org.models import Region, Unit
    from fanguai.people.models import Person
    from fanguai.supervision.models import Finding, Inspection, Listing, Rectification

    alice, bob, liaison, office = cast["alice"], cast["bob"], cast["liaison"], cast["office"]
    county = Region.objects.get(code="341522")
    township = Region.objects.filter(parent=county).first()
    police, shelter = alice.unit, bob.unit
    now = timezone.now()
    people = [
        Person.objects.create(
            registered_by_unit=[police, shelter][i % 2],
            county=county,
            region=township,
            full_name=f"测试人{i}",
            identity_status="unknown" if i % 3 == 0 else "known",
        )
        for i in range(ROWS)
    ]
    cases = [
        AssistanceCase.objects.create(
            person=person,
            shelter=shelter,
            handed_over_by_unit=police,
            handed_over_by_officer="民警",
            handed_over_at=now,
            risk_level="low",
        )
        for person in people
    ]
    consent = Consent.objects.create(case=cases[0], unit=shelter, basis="law", given_on=now.date())
    referrals = [
        Referral.objects.create(
            case=case,
            person=case.person,
            service="education",
            from_unit=shelter,
            to_unit=liaison.unit,
            consent=consent,
            respond_by=now + dt.timedelta(days=2),
            deliver_by=now + dt.timedelta(days=10),
        )
        for case in cases
    ]
    reports = [
        MissingReport.objects.create(
            person=person,
            last_seen_at=now - dt.timedelta(hours=i),
            last_seen_place="集市",
            owner_unit=police,
            county=county,
            region=township,
        )
        for i, person in enumerate(people)
    ]
    clues = [
        Clue.objects.create(
            source="hotline_110",
            category="trafficking",
            description=f"线索{i}",
            received_by_unit=office.unit,
            responsible_unit=police,
            county=county,
            region=township,
            status=Clue.Status.TRANSFERRED,
        )
        for i in range(ROWS)
    ]
    inspections = [
        Inspection.objects.create(
            title=f"督查{i}",
            scheduled_for=now.date() - dt.timedelta(days=i),
            team="督查组",
            scope="范围",
            target_unit=police,
            target_region=county,
        )
        for i in range(ROWS)
    ]
    rectifications = []
    for inspection in inspections:
        finding = Finding.objects.create(inspection=inspection, description="问题")
        rectifications.append(
            Rectification.objects.create(
                finding=finding,
                inspection=inspection,
                responsible_unit=police,
                requirement="整改要求",
                due_date=now.date(),
                due_at=now + dt.timedelta(days=3),
            )
        )
    listings = [
        Listing.objects.create(
            title=f"挂牌{i}",
            responsible_unit=police,
            region=county,
            due_at=now + dt.timedelta(days=i),
            **_listing_extra(Listing, now),
        )
        for i in range(ROWS)
    ]
    targets = [*people, *clues, *reports, *rectifications, *listings]
    Deadline.objects.bulk_create(
        Deadline(
            content_type=ContentType.objects.get_for_model(target),
            object_id=str(target.pk),
            kind="test.kind",
            responsible_unit=police,
            due_at=now + dt.timedelta(hours=i - 10),
        )
        for i, target in enumerate(targets)
    )
    Notification.objects.bulk_create(
        Notification(recipient=user, subject=f"通知{i}", link="/deadlines/")
        for user in (alice, bob, liaison, office)
        for i in range(ROWS)
    )
    return {
        "person": people[0],
        "shelter_person": people[1],
        "case": cases[1],
        "referral": referrals[1],
        "report": reports[0],
        "clue": clues[0],
        "inspection": inspections[0],
        "rectification": rectifications[0],
        "listing": listings[0],
        "units": Unit.objects.filter(pk__in=[police.pk, shelter.pk]),
    }


def _listing_extra(model, now) -> dict:
    """Required fields of a listing beyond those given above, with plain values."""
    extra = {}
    for field in model._meta.concrete_fields:
        if field.primary_key or field.null or field.has_default() or field.is_relation:
            continue
        if getattr(field, "auto_now", False) or getattr(field, "auto_now_add", False):
            continue
        if field.name in ("title", "due_at"):
            continue
        if field.get_internal_type() == "DateField":
            extra[field.name] = now.date()
        elif field.get_internal_type() == "DateTimeField":
            extra[field.name] = now
        elif field.choices:
            extra[field.name] = field.choices[0][0]
        elif not field.blank:
            extra[field.name] = "x"
    return extra


PAGES = {
    "alice": [
        "/",
        "/deadlines/",
        "/deadlines/?state=all",
        "/clues/",
        "/clues/{clue.pk}/",
        "/people/",
        "/people/{person.pk}/",
        "/missing/",
        "/missing/reports/{report.pk}/",
        "/cases/",
        "/supervision/",
        "/supervision/listings/",
        "/supervision/listings/{listing.pk}/",
        "/supervision/rectifications/",
        "/inbox/",
    ],
    "bob": [
        "/",
        "/deadlines/",
        "/people/",
        "/people/{shelter_person.pk}/",
        "/assistance/",
        "/assistance/cases/{case.pk}/",
        "/assistance/referrals/",
    ],
    "liaison": [
        "/",
        "/plan/work-plans/",
        "/plan/reports/",
        "/assistance/referrals/",
        "/assistance/referrals/{referral.pk}/",
    ],
    "coordinator": [
        "/",
        "/deadlines/?scope=all",
        "/supervision/",
        "/supervision/listings/",
        "/supervision/inspections/",
        "/supervision/inspections/{inspection.pk}/",
        "/supervision/rectifications/",
        "/supervision/rectifications/{rectification.pk}/",
    ],
    "office": [
        "/",
        "/deadlines/?scope=all",
        "/clues/",
        "/clues/{clue.pk}/",
        "/people/",
        "/missing/",
        "/plan/work-plans/",
        "/supervision/",
        "/supervision/inspections/",
        "/supervision/rectifications/",
        "/assistance/",
    ],
    "auditor": ["/audit/", "/audit/?object_type=people.person"],
}


def test_no_main_page_runs_more_than_twenty_queries(lists, cast, django_assert_max_num_queries):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    checked, over, broken = 0, {}, {}
    for member, pages in PAGES.items():
        client = client_for(cast[member])
        for template in pages:
            url = template.format(**lists)
            client.get(url)  # first visit: per-process caches (content types, translations) fill here
            with CaptureQueriesContext(connection) as queries:
                response = client.get(url)
            if response.status_code != 200:
                broken[f"{member} {url}"] = response.status_code
                continue
            checked += 1
            if len(queries) > MAX_QUERIES:
                over[f"{member} {url}"] = len(queries)
                if os.environ.get("SHOW_QUERIES"):
                    print(member, url, *(q["sql"][:150] for q in queries), sep="\n    ")
    assert not broken, f"pages that did not open: {broken}"
    assert not over, f"pages over {MAX_QUERIES} queries with {ROWS} rows a list: {over}"
    assert checked == sum(len(pages) for pages in PAGES.values())
    # The same limit as pytest-django states it, for the busiest page (the home page of the investigator).
    client = client_for(cast["alice"])
    client.get("/")  # a session's first request also records the session's start
    with django_assert_max_num_queries(MAX_QUERIES):
        client.get("/")
