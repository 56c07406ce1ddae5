"""Four-eyes review: two different analysts; outcomes confirmed, rejected, re-test; a confirmed match
notifies the case officers, links the missing-person report to the found person, and the reunion is
recorded; revealing the persons is an explicit, audited action."""

from datetime import date

import pytest

from fanguai.audit.models import AuditEvent
from fanguai.core.errors import ValidationFailed
from fanguai.dna import services
from fanguai.dna.models import Candidate, Reunion, Specimen
from fanguai.notifications.models import Notification


@pytest.fixture
def match(typed_family):
    return Candidate.objects.get(kind=Candidate.Kind.MATCH)


def test_two_different_analysts_confirm(match, analyst, analyst2, alice, charlie, typed_family):
    services.review_candidate(actor=analyst, candidate=match, outcome="confirmed")
    with pytest.raises(ValidationFailed):
        services.review_candidate(actor=analyst, candidate=match, outcome="confirmed")
    match.refresh_from_db()
    assert match.status == Candidate.Status.FIRST_REVIEWED
    services.review_candidate(actor=analyst2, candidate=match, outcome="confirmed")
    match.refresh_from_db()
    assert match.status == Candidate.Status.CONFIRMED
    reunion = Reunion.objects.get(candidate=match)
    people = typed_family["people"]
    assert reunion.found_person == people["child"]
    assert reunion.family_person == people["mother"] and reunion.partner_person == people["father"]
    assert reunion.missing_report_ref == "XS-1"
    notice = Notification.objects.get(recipient=alice, kind="dna.reunion")
    assert "王秘密" not in notice.subject + notice.body
    assert not Notification.objects.filter(recipient=charlie).exists()


def test_disagreement_sends_the_candidate_back(match, analyst, analyst2):
    services.review_candidate(actor=analyst, candidate=match, outcome="confirmed")
    services.review_candidate(actor=analyst2, candidate=match, outcome="rejected")
    match.refresh_from_db()
    assert match.status == Candidate.Status.NEW and not Reunion.objects.exists()
    services.review_candidate(actor=analyst2, candidate=match, outcome="rejected")
    services.review_candidate(actor=analyst, candidate=match, outcome="rejected")
    match.refresh_from_db()
    assert match.status == Candidate.Status.REJECTED
    assert match.reviews.count() == 4


def test_retest_flags_the_specimens(match, analyst, analyst2):
    services.review_candidate(actor=analyst, candidate=match, outcome="retest")
    services.review_candidate(actor=analyst2, candidate=match, outcome="retest")
    assert Specimen.objects.filter(retest_requested=True).count() == 3


def test_a_lead_cannot_be_confirmed(typed_family, analyst):
    excluded = Candidate.objects.filter(kind=Candidate.Kind.EXCLUDED).first()
    with pytest.raises(ValidationFailed):
        services.review_candidate(actor=analyst, candidate=excluded, outcome="confirmed")


def test_review_pages_and_the_reunion(match, analyst, analyst2, alice, login):
    first, second, officer = login(analyst), login(analyst2), login(alice)
    page = first.get(f"/dna/lab/candidates/{match.pk}/").content.decode()
    assert "Per-locus table" in page or "逐位点" in page or "D3S1358" in page
    assert first.post(f"/dna/lab/candidates/{match.pk}/review/", {"outcome": "confirmed"}).status_code == 302
    assert 'id="review-form"' not in first.get(f"/dna/lab/candidates/{match.pk}/").content.decode()
    assert second.post(f"/dna/lab/candidates/{match.pk}/review/", {"outcome": "confirmed"}).status_code == 302
    reunion = Reunion.objects.get()
    page = officer.get(f"/dna/reunions/{reunion.pk}/").content.decode()
    assert "王秘密" not in page  # not yet revealed
    assert not AuditEvent.objects.filter(action="dna.reunion.reveal").exists()
    page = officer.post(f"/dna/reunions/{reunion.pk}/").content.decode()
    assert "王秘密" in page and "陈秘密" in page and "XS-1" in page
    assert AuditEvent.objects.filter(action="dna.reunion.reveal", actor_username="alice").count() == 1
    response = officer.post(
        f"/dna/reunions/{reunion.pk}/record/", {"reunited_on": "2024-04-01", "note": "到家"}
    )
    assert response.status_code == 302
    reunion.refresh_from_db()
    assert reunion.status == Reunion.Status.REUNITED and reunion.reunited_on == date(2024, 4, 1)
    assert Specimen.objects.filter(case_closed_at__isnull=False).count() == 3


def test_a_confirmed_match_links_the_missing_person_report(
    match, analyst, analyst2, alice, typed_family, login
):
    from django.utils import timezone

    from fanguai.dna.models import SpecimenLink
    from fanguai.missing.services import file_report

    report = file_report(
        actor=alice, full_name="王小宝", last_seen_at=timezone.now(), last_seen_place="城关镇"
    )
    link = SpecimenLink.objects.get(specimen=typed_family["mother"])
    link.missing_report_ref = report.number
    link.save()
    services.review_candidate(actor=analyst, candidate=match, outcome="confirmed")
    services.review_candidate(actor=analyst2, candidate=match, outcome="confirmed")
    reunion = Reunion.objects.get(candidate=match)
    assert reunion.missing_report == report
    page = login(alice).get(f"/missing/reports/{report.pk}/")
    assert f'href="/dna/reunions/{reunion.pk}/"'.encode() in page.content
