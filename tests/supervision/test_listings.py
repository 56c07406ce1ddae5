"""Listing supervision: creation with its deadline, progress, yellow and red warnings through the deadline
sweep and the periodic check, lifting with approval, pages, filters and the Excel export."""

import io
from datetime import timedelta

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.utils import timezone
from openpyxl import load_workbook

from fanguai.audit.models import AuditEvent
from fanguai.deadlines.models import Deadline
from fanguai.deadlines.services import sweep
from fanguai.files.models import StoredFile
from fanguai.files.tests.samples import pdf_bytes, upload
from fanguai.notifications.models import Notification
from fanguai.org.models import Region, Unit
from fanguai.supervision import services
from fanguai.supervision.deadline_kinds import LISTING
from fanguai.supervision.models import LiftRequest, Listing, ListingWarning, ProgressReport, TimelineEntry
from fanguai.supervision.selectors import visible_listings, with_warning_level
from fanguai.supervision.tasks import check_listing_warnings

from ..conftest import make_user
from .conftest import SECRET, in_days, listing_fields

pytestmark = pytest.mark.django_db


def level_of(listing) -> str:
    return with_warning_level(Listing.objects.filter(pk=listing.pk)).get().warning_level


def subjects(user) -> list[str]:
    return list(Notification.objects.filter(recipient=user).values_list("subject", flat=True))


def shift(listing, *, listed_days_ago: int = 0, due_in_days: int | None = None) -> Listing:
    """Let time pass: move the listing's creation and deadline (and its open deadline row)."""
    updates = {}
    if listed_days_ago:
        updates["created_at"] = timezone.now() - timedelta(days=listed_days_ago)
    if due_in_days is not None:
        due_date = timezone.localdate() + timedelta(days=due_in_days)
        due_at = services.end_of_day(due_date)
        updates.update(due_date=due_date, due_at=due_at)
        Deadline.objects.filter(object_id=str(listing.pk), kind=LISTING).update(
            due_at=due_at, warn_at=due_at - timedelta(days=7)
        )
    Listing.objects.filter(pk=listing.pk).update(**updates)
    return Listing.objects.get(pk=listing.pk)


def test_creating_a_listing_opens_its_deadline_tells_the_unit_and_is_audited(office, alice, dave, listing):
    deadline = Deadline.objects.get(object_id=str(listing.pk), kind=LISTING)
    assert deadline.responsible_unit.code == "341522-police"
    assert deadline.due_at == listing.due_at
    assert deadline.warn_at == listing.due_at - timedelta(days=7)
    assert any(listing.number in s for s in subjects(alice))
    assert TimelineEntry.objects.filter(listing=listing, action="listing.create").exists()
    event = AuditEvent.objects.get(action="listing.create")
    assert event.actor_username == "office" and "title" in event.changed_fields
    assert SECRET not in str(event.details)


@pytest.mark.parametrize(
    ("overrides", "field"),
    [
        ({"kind": Listing.Kind.AREA, "case_reference": ""}, "region"),
        ({"kind": Listing.Kind.CASE, "case_reference": ""}, "case_reference"),
        ({"due_date": None}, "due_date"),
        ({"title": "  "}, "title"),
        ({"requirements": ""}, "requirements"),
    ],
)
def test_bad_input_names_the_field_and_writes_nothing(office, overrides, field):
    with pytest.raises(ValidationError) as caught:
        services.create_listing(actor=office, **listing_fields(**overrides))
    assert field in caught.value.message_dict
    assert not Listing.objects.exists() and not Deadline.objects.exists()


def test_a_deadline_in_the_past_is_refused(office):
    with pytest.raises(ValidationError) as caught:
        services.create_listing(actor=office, **listing_fields(due_date=in_days(-1)))
    assert "due_date" in caught.value.message_dict


def test_only_the_office_lists(alice, dave):
    for user in (alice, dave):
        with pytest.raises(PermissionDenied):
            services.create_listing(actor=user, **listing_fields())


def test_the_create_page_shows_the_field_error_and_writes_nothing(office, login):
    client = login(office)
    unit = Unit.objects.get(code="341522-police")
    response = client.post(
        "/supervision/listings/new/",
        {
            "kind": "area",
            "title": "x",
            "requirements": "y",
            "responsible_unit": unit.pk,
            "due_date": in_days(3),
        },
    )
    assert response.status_code == 200
    assert "A key area needs its region." in response.content.decode()
    assert not Listing.objects.exists()
    response = client.post(
        "/supervision/listings/new/",
        {
            "kind": "area",
            "title": "Township X",
            "region": Region.objects.get(code="341522").pk,
            "problem": "marriage agencies",
            "requirements": "y",
            "responsible_unit": unit.pk,
            "due_date": in_days(3),
        },
    )
    listing = Listing.objects.get()
    assert response.status_code == 302 and response["Location"] == listing.get_absolute_url()


def test_yellow_warning_when_near_and_quiet_goes_to_the_leader_and_the_office(office, alice, dave, listing):
    listing = shift(listing, listed_days_ago=20, due_in_days=5)
    warning = services.check_listing(listing)
    assert warning.level == ListingWarning.Level.YELLOW
    assert warning.notified == 2
    assert any("GP-" in s for s in subjects(dave)) and any(listing.number in s for s in subjects(office))
    assert not any("warning" in s for s in subjects(alice))
    assert level_of(listing) == "yellow"
    assert services.check_listing(listing) is None  # once per deadline
    assert TimelineEntry.objects.filter(listing=listing, action="listing.warning.yellow").count() == 1
    # A progress report lifts the yellow warning; the warning row stays.
    services.report_progress(actor=alice, listing=listing, text="Suspect identified.")
    assert level_of(listing) == ""
    assert ListingWarning.objects.filter(listing=listing).count() == 1
    assert services.check_listing(listing) is None


def test_no_yellow_warning_with_a_recent_report_or_far_from_the_deadline(alice, listing):
    far = shift(listing, listed_days_ago=30, due_in_days=20)
    assert services.check_listing(far) is None
    services.report_progress(actor=alice, listing=listing, text="Working on it.")
    near = shift(listing, due_in_days=3)
    assert services.check_listing(near) is None
    assert level_of(near) == ""


def test_the_thresholds_are_configurable(settings, listing):
    settings.LISTING_WARN_DAYS = 30
    settings.LISTING_QUIET_DAYS = 1
    listing = shift(listing, listed_days_ago=2, due_in_days=20)
    assert services.check_listing(listing).level == "yellow"


def test_the_deadline_sweep_issues_the_red_warning_once(office, alice, dave, listing):
    listing = shift(listing, listed_days_ago=70, due_in_days=-1)
    result = sweep()
    assert result.late == 1
    assert level_of(listing) == "red"
    red = ListingWarning.objects.get(listing=listing, level="red")
    assert red.notified == 2
    # The unit's staff get the deadline's own late notice; the leader and the office only the red warning.
    assert Notification.objects.filter(recipient=office, kind="supervision.warning.red").count() == 1
    assert Notification.objects.filter(recipient=alice, kind="deadline.late").exists()
    assert not Notification.objects.filter(recipient=dave, kind="deadline.late").exists()
    assert not Notification.objects.filter(recipient=office, kind="deadline.escalation").exists()
    assert Notification.objects.filter(recipient=dave, kind="supervision.warning.red").count() == 1
    assert sweep().late == 0
    assert services.check_all_listings() == 0
    assert ListingWarning.objects.filter(listing=listing).count() == 1


def test_the_periodic_check_warns_a_listing_that_fell_quiet_after_its_warning_time(dave, listing):
    listing = shift(listing, listed_days_ago=20, due_in_days=3)
    Deadline.objects.filter(object_id=str(listing.pk)).update(warned_at=timezone.now())
    assert sweep().warned == 0
    assert check_listing_warnings.call() == {"warnings": 1}
    assert level_of(listing) == "yellow"


def test_moving_the_deadline_lifts_the_red_warning(office, listing):
    listing = shift(listing, due_in_days=-2)
    services.check_listing(listing)
    assert level_of(listing) == "red"
    services.update_listing(actor=office, listing=listing, due_date=in_days(30))
    assert level_of(listing) == ""
    deadline = Deadline.objects.get(object_id=str(listing.pk), kind=LISTING, status="open")
    assert deadline.due_at == services.end_of_day(in_days(30)) and deadline.late_notified_at is None
    assert TimelineEntry.objects.filter(listing=listing, action="listing.update").exists()


def test_lifting_needs_the_office_approval(office, alice, dave, bob, listing):
    with pytest.raises(PermissionDenied):
        services.request_lift(actor=dave, listing=listing, reason="done")  # the leader only reads
    with pytest.raises(ValidationError) as caught:
        services.request_lift(actor=alice, listing=listing, reason=" ")
    assert "reason" in caught.value.message_dict
    services.request_lift(actor=alice, listing=listing, reason="Child found.")
    listing.refresh_from_db()
    assert listing.status == Listing.Status.LIFT_REQUESTED
    assert any("Lifting requested" in s for s in subjects(office))
    with pytest.raises(PermissionDenied):
        services.decide_lift(actor=alice, listing=listing, approve=True)
    with pytest.raises(ValidationError) as caught:
        services.decide_lift(actor=office, listing=listing, approve=False, note="")
    assert "note" in caught.value.message_dict
    services.decide_lift(actor=office, listing=listing, approve=False, note="Victim support missing.")
    listing.refresh_from_db()
    assert listing.status == Listing.Status.ACTIVE
    services.request_lift(actor=alice, listing=listing, reason="Support arranged.")
    services.decide_lift(actor=office, listing=listing, approve=True, note="Agreed.")
    listing.refresh_from_db()
    assert listing.status == Listing.Status.LIFTED and listing.lifted_at
    assert Deadline.objects.get(object_id=str(listing.pk), kind=LISTING).status == Deadline.Status.MET
    assert list(LiftRequest.objects.filter(listing=listing).values_list("decision", flat=True)) == [
        "approved",
        "refused",
    ]
    steps = list(TimelineEntry.objects.filter(listing=listing).values_list("action", flat=True))
    assert steps == [
        "listing.create",
        "listing.lift_request",
        "listing.lift_refuse",
        "listing.lift_request",
        "listing.lift_approve",
    ]
    with pytest.raises(PermissionDenied):
        services.report_progress(actor=alice, listing=listing, text="late news")
    assert services.check_listing(shift(listing, due_in_days=-3)) is None


def test_progress_with_evidence_through_the_pages(alice, dave, bob, login, listing):
    client = login(alice)
    response = client.post(f"/supervision/listings/{listing.pk}/report/", {"text": ""})
    assert response.status_code == 200 and not ProgressReport.objects.exists()
    response = client.post(
        f"/supervision/listings/{listing.pk}/report/",
        {"text": "Two suspects arrested.", "file": upload("evidence.pdf", pdf_bytes(), "application/pdf")},
    )
    assert response.status_code == 302
    report = ProgressReport.objects.get()
    stored = StoredFile.objects.get()
    assert stored.target_id == str(report.pk)
    page = login(dave).get(listing.get_absolute_url()).content.decode()
    assert "Two suspects arrested." in page and "evidence.pdf" in page
    assert login(dave).get(f"/files/{stored.pk}/").status_code == 200
    assert login(bob).get(f"/files/{stored.pk}/").status_code == 404


def test_attaching_a_file_to_the_listing(alice, login, listing):
    response = login(alice).post(
        f"/supervision/listings/{listing.pk}/attach/",
        {"file": upload("note.pdf", pdf_bytes(), "application/pdf")},
    )
    assert response.status_code == 302
    assert StoredFile.objects.get().target_id == str(listing.pk)
    assert "note.pdf" in login(alice).get(listing.get_absolute_url()).content.decode()


def test_the_detail_page_shows_the_red_badge_and_the_lift_decision(office, alice, login, listing):
    services.check_listing(shift(listing, due_in_days=-1))
    html = login(office).get(listing.get_absolute_url()).content.decode()
    assert 'data-level="red"' in html
    services.request_lift(actor=alice, listing=listing, reason="Case solved.")
    html = login(office).get(listing.get_absolute_url()).content.decode()
    assert "lift-decision" in html
    response = login(office).post(
        f"/supervision/listings/{listing.pk}/lift/decide/", {"decision": "refuse", "note": ""}
    )
    assert response.status_code == 302
    listing.refresh_from_db()
    assert listing.status == Listing.Status.LIFT_REQUESTED
    login(office).post(f"/supervision/listings/{listing.pk}/lift/decide/", {"decision": "approve"})
    listing.refresh_from_db()
    assert listing.status == Listing.Status.LIFTED


def test_list_filters_search_and_pagination(office, alice, login, make_listing):
    jinan = Unit.objects.get(code="341502-police")
    red = make_listing(title="Red one", responsible_unit=jinan)
    services.check_listing(shift(red, due_in_days=-1))
    Listing.objects.bulk_create(
        [
            Listing(
                kind="case",
                title=f"Bulk {i}",
                case_reference="x",
                requirements="y",
                responsible_unit_id=alice.unit_id,
                due_date=in_days(10),
                due_at=services.end_of_day(in_days(10)),
            )
            for i in range(26)
        ]
    )
    client = login(office)
    assert list(visible_listings(office, level="red")) == [red]
    assert list(visible_listings(office, county="341502")) == [red]
    assert list(visible_listings(office, unit=jinan)) == [red]
    assert list(visible_listings(office, query=red.number)) == [red]
    assert visible_listings(office, level="none").count() == 26
    html = client.get("/supervision/listings/", {"level": "red"}).content.decode()
    assert "Red one" in html and "Bulk 1" not in html
    html = client.get("/supervision/listings/", {"q": "Bulk"}).content.decode()
    assert "Page 1 of 2" in html or "第 1" in html
    assert client.get("/supervision/listings/", {"q": "Bulk", "page": 2}).status_code == 200
    assert "Red one" not in login(alice).get("/supervision/listings/").content.decode()


def test_the_excel_export_has_the_visible_rows_only(office, bob, login, listing):
    response = login(office).get("/supervision/listings/export.xlsx")
    assert response["Content-Type"].startswith("application/vnd.openxmlformats")
    sheet = load_workbook(io.BytesIO(response.content)).active
    values = [row for row in sheet.iter_rows(values_only=True)]
    assert len(values) == 2 and values[1][0] == listing.number and values[1][2] == SECRET
    response = login(bob).get("/supervision/listings/export.xlsx")
    assert len(list(load_workbook(io.BytesIO(response.content)).active.iter_rows())) == 1
    assert AuditEvent.objects.filter(action="listing.export").count() == 2


def test_a_county_coordinator_sees_the_listings_of_the_county(listing, make_listing):
    coordinator = make_user("coord", "county_coordinator", "341522-government")
    other = make_listing(title="Elsewhere", responsible_unit=Unit.objects.get(code="341502-police"))
    assert list(visible_listings(coordinator)) == [listing]
    assert set(visible_listings(make_user("lead2", "leader", "341500-conference"))) == {listing, other}


def test_the_home_panel_and_the_overview(office, alice, login, listing):
    services.check_listing(shift(listing, due_in_days=-1))
    html = login(office).get("/").content.decode()
    assert "supervision-panel" in html and listing.number in html
    assert "supervision-panel" in login(alice).get("/").content.decode()
    html = login(office).get("/supervision/").content.decode()
    assert listing.number in html


def test_administrators_see_nothing(auditor, login, listing):
    assert login(auditor).get("/supervision/listings/").status_code == 403
    assert not visible_listings(auditor).exists()


def test_a_key_case_with_a_platform_case_number_links_the_case_record(office, alice, login):
    from fanguai.cases.services import open_case

    case = open_case(actor=alice, title="拐卖儿童案", kind="child_trafficking")
    listing = services.create_listing(actor=office, **listing_fields(case_reference=case.number))
    assert listing.case == case
    page = login(office).get(f"/supervision/listings/{listing.pk}/")
    assert f'href="/cases/{case.pk}/"'.encode() in page.content
    other = services.create_listing(actor=office, **listing_fields())  # another police's file number
    assert other.case is None
    services.update_listing(actor=office, listing=listing, case_reference="外地公安案件")
    listing.refresh_from_db()
    assert listing.case is None
