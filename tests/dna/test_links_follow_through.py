"""Links that follow through from the DNA database (issue 14, item 3): each test walks the whole path and
asserts every record it touches.

- A recorded reunion identifies the unidentified person behind the found side, closes every open sampling
  request for that person (DNA database, missing-person module, assistance) with the specimen that matched,
  and resolves the missing-person report on the family side as found.
- Registering a parent's blood sample meets the rapid-search step 采集失踪儿童父母血样 of the report on the
  missing child and takes over the open requests for that parent; the step is not born overdue.
"""

from datetime import date, timedelta

import pytest
from django.utils import timezone

from fanguai.assistance.models import AssistanceCase, DnaSamplingRequest
from fanguai.audit.models import AuditEvent
from fanguai.deadlines.models import Deadline
from fanguai.dna import services
from fanguai.dna.models import Candidate, Category, Reunion, SamplingRequest, SpecimenLink
from fanguai.missing import services as missing_services
from fanguai.missing.deadline_kinds import RAPID_SEARCH_STEP
from fanguai.missing.models import BloodSampleRequest, MissingReport, UnidentifiedPerson
from fanguai.org.models import Unit
from fanguai.people.services import register_person

pytestmark = pytest.mark.django_db


def _deadline(target, kind):
    from django.contrib.contenttypes.models import ContentType

    return Deadline.objects.get(
        kind=kind, content_type=ContentType.objects.get_for_model(target), object_id=str(target.pk)
    )


def _assistance_request(bob, person):
    """A DNA sampling request of a shelter for the found person (as `take_in` makes for an unknown person)."""
    from ..assistance.conftest import take_in

    case = take_in(bob, person_fields={"full_name": "另一人"}, needs=[])
    return DnaSamplingRequest.objects.create(
        case=case,
        person=person,
        requested_by_unit=case.shelter,
        laboratory=Unit.objects.get(code="341500-dna-lab"),
    )


def test_a_recorded_reunion_settles_the_found_person_and_the_report(
    typed_family, analyst, analyst2, alice, bob
):
    child = typed_family["people"]["child"]
    # The child of unknown origin is also an unidentified person of alice's unit, with open requests for a
    # sample in all three modules (made before the lab told anyone the specimen existed).
    unidentified = UnidentifiedPerson.objects.create(
        person=child,
        kind=UnidentifiedPerson.Kind.LIVING,
        found_at=timezone.now() - timedelta(days=30),
        found_place="霍邱县城关镇",
        owner_unit=alice.unit,
    )
    blood = missing_services.request_blood_sample(actor=alice, unidentified=unidentified, reason="比对")
    sampling = SamplingRequest.objects.get(person=child, status=SamplingRequest.Status.OPEN)
    shelter_request = _assistance_request(bob, child)
    report = missing_services.file_report(
        actor=alice, full_name="王小宝", last_seen_at=timezone.now(), last_seen_place="城关镇"
    )
    link = SpecimenLink.objects.get(specimen=typed_family["mother"])
    link.missing_report_ref = report.number
    link.save()
    from decimal import Decimal

    from fanguai.missing import alerts
    from fanguai.missing.models import Alert

    alert = alerts.request_alert(
        actor=alice,
        report=report,
        display_name="王小宝",
        description="穿红色外套",
        last_seen_place="城关镇",
        latitude=Decimal("32.353"),
        longitude=Decimal("116.278"),
    )
    assert alert.status in (Alert.Status.PENDING, Alert.Status.ACTIVE)
    open_steps = list(report.tasks.filter(done_at__isnull=True))  # publishing met the alert step
    assert open_steps

    match = Candidate.objects.get(kind=Candidate.Kind.MATCH)
    services.review_candidate(actor=analyst, candidate=match, outcome="confirmed")
    services.review_candidate(actor=analyst2, candidate=match, outcome="confirmed")
    reunion = Reunion.objects.get(candidate=match)
    # Confirmed, not yet reunited: nothing is settled yet.
    unidentified.refresh_from_db()
    assert unidentified.status == UnidentifiedPerson.Status.OPEN

    services.record_reunion(actor=alice, reunion=reunion, reunited_on=date(2024, 4, 1), note="到家")

    found = typed_family["child"]
    reunion.refresh_from_db()
    assert reunion.status == Reunion.Status.REUNITED
    unidentified.refresh_from_db()
    assert unidentified.status == UnidentifiedPerson.Status.IDENTIFIED
    blood.refresh_from_db()
    assert blood.status == BloodSampleRequest.Status.HANDED_OVER
    assert blood.dna_reference == found.number and blood.handed_over_at is not None
    sampling.refresh_from_db()
    assert sampling.status == SamplingRequest.Status.COLLECTED and sampling.specimen == found
    assert _deadline(sampling, services.SAMPLING_DEADLINE).status == Deadline.Status.MET
    shelter_request.refresh_from_db()
    assert shelter_request.status == DnaSamplingRequest.Status.SAMPLED
    assert shelter_request.specimen_number == found.number
    report.refresh_from_db()
    assert report.status == MissingReport.Status.CLOSED
    assert report.outcome == MissingReport.Outcome.FOUND_SAFE and report.outcome_at is not None
    for task in open_steps:
        assert _deadline(task, RAPID_SEARCH_STEP).status == Deadline.Status.CANCELLED
    alert.refresh_from_db()
    assert alert.status == Alert.Status.FOUND and alert.display_name == ""
    # Each record has its event (the platform's timeline of these modules is the audit trail).
    actions = set(
        AuditEvent.objects.filter(actor_username="alice").values_list("action", "object_type", "object_id")
    )
    assert ("unidentified.status", "missing.unidentifiedperson", str(unidentified.pk)) in actions
    assert ("sample_request.hand_over", "missing.bloodsamplerequest", str(blood.pk)) in actions
    assert ("dna.sampling.collected", "dna.samplingrequest", str(sampling.pk)) in actions
    assert ("assistance.dna_request.sampled", "assistance.dna_request", str(shelter_request.pk)) in actions
    assert ("missing_report.outcome", "missing.report", str(report.pk)) in actions
    # An unrelated open record stays open.
    assert AssistanceCase.objects.filter(status=AssistanceCase.Status.OPEN).exists()


def test_a_reunion_with_an_unidentified_body_resolves_the_report_as_found_dead(
    typed_family, analyst, analyst2, alice
):
    from fanguai.dna.models import Specimen

    Specimen.objects.filter(pk=typed_family["child"].pk).update(category=Category.UNIDENTIFIED)
    report = missing_services.file_report(
        actor=alice, full_name="王小宝", last_seen_at=timezone.now(), last_seen_place="城关镇"
    )
    SpecimenLink.objects.filter(specimen=typed_family["mother"]).update(missing_report_ref=report.number)
    match = Candidate.objects.get(kind=Candidate.Kind.MATCH)
    services.review_candidate(actor=analyst, candidate=match, outcome="confirmed")
    services.review_candidate(actor=analyst2, candidate=match, outcome="confirmed")
    services.record_reunion(
        actor=alice, reunion=Reunion.objects.get(candidate=match), reunited_on=date(2024, 4, 1)
    )
    report.refresh_from_db()
    assert (report.status, report.outcome) == (MissingReport.Status.CLOSED, MissingReport.Outcome.FOUND_DEAD)


def test_a_parents_sample_meets_the_rapid_search_step(alice, login):
    before = timezone.now()
    report = missing_services.file_report(
        actor=alice,
        full_name="刘小明",
        # Last seen two days ago, reported now: the step's clock starts at the report.
        last_seen_at=before - timedelta(days=2),
        last_seen_place="霍邱县汽车站",
    )
    task = report.tasks.get(step__code=missing_services.PARENT_SAMPLE_STEP)
    # Not born overdue: due a day after the report, never in the past at creation.
    assert task.due_at >= before + timedelta(minutes=task.step.target_minutes)
    assert not task.is_late
    assert task not in missing_services.SearchTask.objects.filter(due_at__lte=timezone.now())
    deadline = _deadline(task, RAPID_SEARCH_STEP)
    assert deadline.due_at == task.due_at and not deadline.is_late
    # The page shows the day it is due, not only the clock time, which for a 24-hour step is the time of
    # filing itself and read as "due now".
    page = login(alice).get(report.get_absolute_url()).content.decode()
    assert timezone.localtime(task.due_at).strftime("%m-%d %H:%M") in page

    father = register_person(actor=alice, full_name="刘父", sex="male")
    blood = missing_services.request_blood_sample(actor=alice, report=report, parent=father, reason="父亲")
    sampling = SamplingRequest.objects.get(person=father, status=SamplingRequest.Status.OPEN)
    assert sampling.category == Category.PARENT

    specimen = services.collect_sample(
        actor=alice,
        person=father,
        category=Category.PARENT,
        collected_on=timezone.localdate(),
        legal_basis=SpecimenLink.LegalBasis.STATUTORY_DUTY,
        request=sampling,
    )

    task.refresh_from_db()
    assert task.done_at is not None and task.done_by == alice and task.done_at <= task.due_at
    assert _deadline(task, RAPID_SEARCH_STEP).status == Deadline.Status.MET
    blood.refresh_from_db()
    assert blood.status == BloodSampleRequest.Status.HANDED_OVER and blood.dna_reference == specimen.number
    sampling.refresh_from_db()
    assert sampling.status == SamplingRequest.Status.COLLECTED and sampling.specimen == specimen
    report.refresh_from_db()
    assert report.status == MissingReport.Status.OPEN  # a sample does not find the child
    other_steps = report.tasks.exclude(step__code=missing_services.PARENT_SAMPLE_STEP)
    assert not other_steps.filter(done_at__isnull=False).exists()
    assert AuditEvent.objects.filter(
        action="missing_report.step_done", object_id=str(report.pk), details__step="dna"
    ).exists()


def test_a_parents_sample_named_by_report_number_meets_the_step(alice):
    report = missing_services.file_report(
        actor=alice, full_name="刘小红", last_seen_at=timezone.now(), last_seen_place="霍邱县"
    )
    mother = register_person(actor=alice, full_name="刘母", sex="female")
    services.collect_sample(
        actor=alice,
        person=mother,
        category=Category.PARENT,
        collected_on=timezone.localdate(),
        legal_basis=SpecimenLink.LegalBasis.STATUTORY_DUTY,
        missing_report_ref=report.number.lower(),
    )
    assert report.tasks.get(step__code="dna").done_at is not None
    # Another category (a relative) meets nothing.
    second = missing_services.file_report(
        actor=alice, full_name="刘小蓝", last_seen_at=timezone.now(), last_seen_place="霍邱县"
    )
    aunt = register_person(actor=alice, full_name="刘姨", sex="female")
    services.collect_sample(
        actor=alice,
        person=aunt,
        category=Category.RELATIVE,
        relation="avuncular",
        collected_on=timezone.localdate(),
        legal_basis=SpecimenLink.LegalBasis.STATUTORY_DUTY,
        missing_report_ref=second.number,
    )
    assert second.tasks.get(step__code="dna").done_at is None
