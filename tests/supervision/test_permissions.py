"""The permission matrix of supervision: every page and API endpoint, for the whole cast. The records belong
to alice's unit (霍邱县公安局): alice works on them, dave (its leader) and the office read them, bob (same
county, another unit) and charlie (another county) see nothing."""

import pytest
from django.utils import timezone

from fanguai.org.models import Unit
from fanguai.supervision import services
from fanguai.supervision.models import Inspection, ProgressReport

from ..permissions import SIGNED_IN, WORKERS, Row, attachment, check_matrix, count_of, field_of, files_of
from .conftest import SECRET, in_days, listing_fields

pytestmark = pytest.mark.django_db
# the lists are open to every unit (empty when nothing is theirs); the API lists to everyone signed in
EVERYONE = WORKERS
READERS = frozenset({"alice", "dave", "office", "coordinator"})
OFFICE = frozenset({"office"})
ALICE = frozenset({"alice"})


@pytest.fixture
def scenario(cast):
    office, alice = cast["office"], cast["alice"]
    listing = services.create_listing(actor=office, **listing_fields())
    requested = services.create_listing(actor=office, **listing_fields(title=SECRET + "-lift"))
    listing_report = services.report_progress(actor=alice, listing=requested, text="progress")
    services.request_lift(actor=alice, listing=requested, reason="done")
    inspection = services.schedule_inspection(
        actor=office,
        kind=Inspection.Kind.ROUTINE,
        title=SECRET + "-inspection",
        target_unit=alice.unit,
        target_region=None,
        institution="",
        scheduled_for=in_days(2),
        team="team",
        scope="scope",
    )
    finding = services.record_finding(actor=office, inspection=inspection, description="f", severity="minor")
    rectification = services.order_rectification(
        actor=office,
        finding=finding,
        responsible_unit=alice.unit,
        requirement=SECRET + "-rect",
        due_date=in_days(9),
    )
    reported = services.order_rectification(
        actor=office, finding=finding, responsible_unit=alice.unit, requirement="second", due_date=in_days(9)
    )
    rectification_report = services.report_rectification(actor=alice, rectification=reported, text="done")
    conducted = services.schedule_inspection(
        actor=office,
        kind=Inspection.Kind.ROUTINE,
        title="to close",
        target_unit=alice.unit,
        target_region=None,
        institution="",
        scheduled_for=in_days(0),
        team="team",
        scope="scope",
    )
    services.record_conduct(actor=office, inspection=conducted, conducted_on=timezone.localdate())
    return {
        "listing": listing,
        "requested": requested,
        "inspection": inspection,
        "finding": finding,
        "rectification": rectification,
        "reported": reported,
        "conducted": conducted,
        "listing_report": listing_report,
        "rectification_report": rectification_report,
        "users": cast,
    }


def new_listing_data(scenario) -> dict:
    return {
        "kind": "case",
        "title": "Matrix listing",
        "case_reference": "x",
        "requirements": "y",
        "responsible_unit": Unit.objects.get(code="341522-police").pk,
        "due_date": in_days(30).isoformat(),
    }


LST = "/supervision/listings"
INS = "/supervision/inspections"
REC = "/supervision/rectifications"
ROWS = [
    Row("overview", lambda s: "/supervision/", EVERYONE),
    Row("listing list", lambda s: f"{LST}/", EVERYONE),
    Row("listing export", lambda s: f"{LST}/export.xlsx", EVERYONE),
    Row("listing detail", lambda s: f"{LST}/{s['listing'].pk}/", READERS, secret=lambda s: SECRET),
    Row("listing create form", lambda s: f"{LST}/new/", OFFICE),
    Row(
        "listing create",
        lambda s: f"{LST}/new/",
        OFFICE,
        method="post",
        data=new_listing_data,
        effect=count_of("supervision.Listing", title="Matrix listing"),
    ),
    Row("listing edit", lambda s: f"{LST}/{s['listing'].pk}/edit/", OFFICE, secret=lambda s: SECRET),
    Row("listing report form", lambda s: f"{LST}/{s['listing'].pk}/report/", ALICE, secret=lambda s: SECRET),
    Row(
        "listing report",
        lambda s: f"{LST}/{s['listing'].pk}/report/",
        ALICE,
        method="post",
        data=lambda s: {"text": "progress"},
        effect=lambda s: ProgressReport.objects.filter(listing=s["listing"]).count(),
    ),
    Row(
        "listing attach",
        lambda s: f"{LST}/{s['listing'].pk}/attach/",
        frozenset({"alice", "office"}),
        method="post",
        data=attachment,
        effect=files_of("listing"),
    ),
    Row("listing lift form", lambda s: f"{LST}/{s['listing'].pk}/lift/", ALICE, secret=lambda s: SECRET),
    Row(
        "listing lift decide",
        lambda s: f"{LST}/{s['requested'].pk}/lift/decide/",
        OFFICE,
        method="post",
        data=lambda s: {"decision": "approve"},
        effect=field_of("requested", "status"),
    ),
    # until the office accepts it (lifts the listing, accepts the rectification) the reporting unit's staff
    # correct or withdraw a report
    *(
        row
        for kind in ("listing", "rectification")
        for row in (
            Row(
                f"{kind} report correct form",
                lambda s, kind=kind: f"/supervision/reports/{kind}/{s[kind + '_report'].pk}/correct/",
                ALICE,
            ),
            Row(
                f"{kind} report correct",
                lambda s, kind=kind: f"/supervision/reports/{kind}/{s[kind + '_report'].pk}/correct/",
                ALICE,
                method="post",
                data=lambda s: {"text": "corrected text", "reason": "typo"},
                effect=field_of(f"{kind}_report", "version", "text"),
            ),
            Row(
                f"{kind} report withdraw",
                lambda s, kind=kind: f"/supervision/reports/{kind}/{s[kind + '_report'].pk}/withdraw/",
                ALICE,
                method="post",
                data=lambda s: {"withdraw-reason": "wrong listing"},
                effect=field_of(f"{kind}_report", "withdrawn_at"),
            ),
        )
    ),
    Row("inspection list", lambda s: f"{INS}/", EVERYONE),
    Row("inspection export", lambda s: f"{INS}/export.xlsx", EVERYONE),
    Row("inspection detail", lambda s: f"{INS}/{s['inspection'].pk}/", READERS, secret=lambda s: SECRET),
    Row("inspection create form", lambda s: f"{INS}/new/", OFFICE),
    Row("past inspection form", lambda s: f"{INS}/record/", OFFICE),
    Row(
        "past inspection record",
        lambda s: f"{INS}/record/",
        OFFICE,
        method="post",
        data=lambda s: {
            "kind": "routine",
            "title": "Past inspection",
            "target_unit": Unit.objects.get(code="341522-police").pk,
            "team": "team",
            "scope": "scope",
            "conducted_on": in_days(-30).isoformat(),
        },
        effect=count_of("supervision.Inspection", title="Past inspection", status="conducted"),
    ),
    Row("inspection edit", lambda s: f"{INS}/{s['inspection'].pk}/edit/", OFFICE, secret=lambda s: SECRET),
    Row("inspection conduct", lambda s: f"{INS}/{s['inspection'].pk}/conduct/", OFFICE),
    Row("finding create", lambda s: f"{INS}/{s['inspection'].pk}/findings/new/", OFFICE),
    Row(
        "inspection close",
        lambda s: f"{INS}/{s['conducted'].pk}/close/",
        OFFICE,
        method="post",
        effect=field_of("conducted", "status"),
    ),
    Row("rectification create", lambda s: f"/supervision/findings/{s['finding'].pk}/rectify/", OFFICE),
    Row("rectification list", lambda s: f"{REC}/", EVERYONE),
    Row(
        "rectification detail", lambda s: f"{REC}/{s['rectification'].pk}/", READERS, secret=lambda s: SECRET
    ),
    Row("rectification report form", lambda s: f"{REC}/{s['rectification'].pk}/report/", ALICE),
    Row(
        "rectification review",
        lambda s: f"{REC}/{s['reported'].pk}/review/",
        OFFICE,
        method="post",
        data=lambda s: {"decision": "accept"},
        effect=field_of("reported", "status"),
    ),
    Row("api listings", lambda s: "/api/supervision/listings", SIGNED_IN),
    Row(
        "api listing",
        lambda s: f"/api/supervision/listings/{s['listing'].pk}",
        READERS,
        secret=lambda s: SECRET,
    ),
    Row("api inspections", lambda s: "/api/supervision/inspections", SIGNED_IN),
    Row(
        "api inspection",
        lambda s: f"/api/supervision/inspections/{s['inspection'].pk}",
        READERS,
        secret=lambda s: SECRET,
    ),
    Row("api rectifications", lambda s: "/api/supervision/rectifications", SIGNED_IN),
]


def test_matrix(scenario):
    """One scenario for every row (each request runs in a savepoint that is rolled back); every failing row
    is reported, not only the first."""
    check_matrix(ROWS, scenario, scenario["users"])


LISTS = [
    "/supervision/listings/",
    "/supervision/listings/export.xlsx",
    "/supervision/inspections/",
    "/supervision/inspections/export.xlsx",
    "/supervision/rectifications/",
    "/supervision/",
    "/",
    "/api/supervision/listings",
    "/api/supervision/inspections",
    "/api/supervision/rectifications",
]


def test_lists_never_show_other_units_records(scenario, bob, charlie, login):
    for user in (bob, charlie):
        client = login(user)
        for url in LISTS:
            response = client.get(url)
            assert response.status_code == 200, url
            assert SECRET.encode() not in response.content, url


def test_lists_show_the_records_to_those_who_may_see_them(scenario, alice, dave, office, login):
    for user in (alice, dave, office):
        assert SECRET.encode() in login(user).get("/supervision/listings/").content
        assert SECRET.encode() in login(user).get("/api/supervision/listings").content


def test_administrators_get_no_page(scenario, auditor, sysadmin, login):
    for user in (auditor, sysadmin):
        assert login(user).get("/supervision/listings/").status_code == 403
        assert login(user).get(f"/supervision/listings/{scenario['listing'].pk}/").status_code == 403
        assert SECRET.encode() not in login(user).get("/api/supervision/listings").content
