"""Links between modules that follow through (issue 14, item 3; the survey in docs-links2): each test walks the
whole path from the page or service of the event and asserts the state of every record it touches.

- An unidentified person identified (or closed) cancels the record's blood sample requests and the person's
  sampling request in the DNA database, with its deadline; identified, the person record becomes known.
- A missing-person report closed as found safe (ran away and returned, false report) cancels its parents'
  blood sample requests, and their DNA-database requests unless another open report still asks for them.
- A screening referred to investigation files a clue through the clues service, shown on the screening.
- An assistance case closed with the person back with the family cancels its DNA sampling requests, here and
  in the DNA database; closing any case cancels its follow-up visits still scheduled.
- An assistance case whose police case reference is a platform case number points at that case record.
"""

from datetime import timedelta

import pytest
from django.contrib.contenttypes.models import ContentType
from django.utils import timezone, translation

from fanguai.assistance import services as assistance_services
from fanguai.assistance.deadline_kinds import FOLLOW_UP_VISIT
from fanguai.assistance.models import AssistanceCase, DnaSamplingRequest, FollowUpVisit, Referral
from fanguai.audit.models import AuditEvent
from fanguai.clues.models import Clue, ClueEvent, Source
from fanguai.deadlines.models import Deadline
from fanguai.dna.models import Category, SamplingRequest
from fanguai.dna.services import SAMPLING_DEADLINE
from fanguai.missing import services as missing_services
from fanguai.missing.models import BloodSampleRequest, MissingReport, Screening, UnidentifiedPerson
from fanguai.people.deadline_kinds import IDENTITY_VERIFICATION
from fanguai.people.models import Person
from fanguai.people.services import register_person

from .assistance.conftest import take_in
from .conftest import make_user

pytestmark = pytest.mark.django_db


def _deadline(target, kind=SAMPLING_DEADLINE) -> Deadline:
    return Deadline.objects.get(
        kind=kind,
        content_type=ContentType.objects.get_for_model(target),
        object_id=str(target.pk),
    )


def _events(action: str, obj_type: str, pk) -> int:
    return AuditEvent.objects.filter(action=action, object_type=obj_type, object_id=str(pk)).count()


def _label(choice) -> str:
    with translation.override("zh-hans"):
        return str(choice.label)


def _unidentified(alice, place="淮河岸边"):
    return missing_services.record_unidentified(
        actor=alice,
        kind=UnidentifiedPerson.Kind.LIVING,
        found_at=timezone.now() - timedelta(days=2),
        found_place=place,
    )


@pytest.mark.parametrize("status", ["identified", "closed"])
def test_an_identified_unidentified_person_cancels_its_sample_requests(alice, login, status):
    record, other = _unidentified(alice), _unidentified(alice, place="城关镇")
    client = login(alice)
    assert client.post(f"/missing/unidentified/{record.pk}/sample/", {"reason": "比对"}).status_code == 302
    missing_services.request_blood_sample(actor=alice, unidentified=other, reason="比对")
    blood = BloodSampleRequest.objects.get(unidentified=record)
    sampling = SamplingRequest.objects.get(person=record.person)
    assert blood.status == "open" and sampling.status == "open" and _deadline(sampling).status == "open"

    response = client.post(f"/missing/unidentified/{record.pk}/status/", {"status": status})

    assert response.status_code == 302
    record.refresh_from_db(), blood.refresh_from_db(), sampling.refresh_from_db()
    assert record.status == status
    record.person.refresh_from_db()
    identification = Deadline.objects.get(
        kind=IDENTITY_VERIFICATION,
        content_type=ContentType.objects.get_for_model(Person),
        object_id=str(record.person.pk),
    )
    if status == "identified":  # the person record shared by every module is known from now on
        assert record.person.identity_status == Person.IdentityStatus.KNOWN
        assert identification.status == Deadline.Status.MET
        assert _events("person.identified", "people.person", record.person.pk) == 1
    else:  # closed without an identification (e.g. the body was buried): the person stays unknown
        assert record.person.identity_status == Person.IdentityStatus.UNKNOWN
        assert identification.status == Deadline.Status.OPEN
    assert blood.status == BloodSampleRequest.Status.CANCELLED and blood.dna_reference == ""
    assert sampling.status == SamplingRequest.Status.CANCELLED
    assert _deadline(sampling).status == Deadline.Status.CANCELLED
    assert _events("unidentified.status", "missing.unidentifiedperson", record.pk) == 1
    assert _events("sample_request.cancel", "missing.bloodsamplerequest", blood.pk) == 1
    assert _events("dna.sampling.cancel", "dna.samplingrequest", sampling.pk) == 1
    # The other record's requests are untouched.
    assert BloodSampleRequest.objects.get(unidentified=other).status == "open"
    assert SamplingRequest.objects.get(person=other.person).status == "open"
    page = client.get(f"/missing/unidentified/{record.pk}/").content.decode()
    assert _label(BloodSampleRequest.Status.CANCELLED) in page


def _report(alice, name):
    return missing_services.file_report(
        actor=alice,
        full_name=name,
        last_seen_at=timezone.now() - timedelta(hours=1),
        last_seen_place="霍邱县城关镇",
    )


def _parent(alice, name):
    return register_person(actor=alice, full_name=name, sex=Person.Sex.FEMALE)


def test_a_report_closed_as_found_safe_cancels_the_parents_sample_requests(alice, login):
    report, other_report = _report(alice, "王小宝"), _report(alice, "王小妹")
    mother, father = _parent(alice, "李梅"), _parent(alice, "王强")
    for parent in (mother, father):
        missing_services.request_blood_sample(actor=alice, report=report, parent=parent, reason="父母血样")
    # The father is also asked for by the open report on his other child.
    missing_services.request_blood_sample(actor=alice, report=other_report, parent=father, reason="父母血样")
    asked = {p: BloodSampleRequest.objects.get(report=report, person=p) for p in (mother, father)}
    mother_dna = SamplingRequest.objects.get(person=mother, category=Category.PARENT)
    father_dna = SamplingRequest.objects.filter(person=father, category=Category.PARENT)
    assert father_dna.count() == 2

    client = login(alice)
    response = client.post(f"/missing/reports/{report.pk}/outcome/", {"outcome": "found_safe"})

    assert response.status_code == 302
    report.refresh_from_db(), mother_dna.refresh_from_db()
    assert report.status == MissingReport.Status.CLOSED and report.outcome == "found_safe"
    for request in asked.values():
        request.refresh_from_db()
        assert request.status == BloodSampleRequest.Status.CANCELLED
        assert _events("sample_request.cancel", "missing.bloodsamplerequest", request.pk) == 1
    assert mother_dna.status == SamplingRequest.Status.CANCELLED
    assert _deadline(mother_dna).status == Deadline.Status.CANCELLED
    assert _events("dna.sampling.cancel", "dna.samplingrequest", mother_dna.pk) == 1
    # The father's sample is still wanted for the other report: his requests there stay open.
    assert BloodSampleRequest.objects.get(report=other_report, person=father).status == "open"
    assert set(father_dna.values_list("status", flat=True)) == {"open"}
    assert other_report.tasks.filter(done_at__isnull=True).exists()
    page = client.get(f"/missing/reports/{report.pk}/").content.decode()
    with translation.override("zh-hans"):
        assert str(asked[mother]) in page and _label(BloodSampleRequest.Status.CANCELLED) in str(
            asked[mother]
        )


def test_a_report_closed_as_trafficking_keeps_the_parents_sample_requests(alice):
    report, mother = _report(alice, "王小宝"), _parent(alice, "李梅")
    request = missing_services.request_blood_sample(actor=alice, report=report, parent=mother, reason="血样")

    missing_services.record_outcome(actor=alice, report=report, outcome="trafficked")

    request.refresh_from_db()
    assert request.status == BloodSampleRequest.Status.OPEN
    assert SamplingRequest.objects.get(person=mother).status == SamplingRequest.Status.OPEN


def _screening(alice):
    return missing_services.record_screening(
        actor=alice,
        reason=Screening.Reason.INFORMAL_ADOPTION,
        screened_on=timezone.localdate(),
        full_name="小花",
        sex=Person.Sex.FEMALE,
        notes="无出生证明",
    )


def test_a_screening_referred_to_investigation_files_a_clue(alice, login):
    screening = _screening(alice)
    client = login(alice)

    response = client.post(f"/missing/screenings/{screening.pk}/result/", {"result": "referred", "notes": ""})

    assert response.status_code == 302
    screening.refresh_from_db()
    assert screening.result == Screening.Result.REFERRED and screening.clue is not None
    clue = Clue.objects.get()
    assert clue == screening.clue
    assert clue.status == Clue.Status.NEW and clue.source == Source.POLICE
    assert clue.received_by_unit == alice.unit and clue.created_by == alice
    assert "小花" in clue.description and "无出生证明" in clue.description
    assert clue.events.filter(kind=ClueEvent.Kind.RECEIVED).count() == 1
    assert _events("clue.create", "clues.clue", clue.pk) == 1
    event = AuditEvent.objects.get(action="screening.result", object_id=str(screening.pk))
    assert event.details["clue"] == clue.pk and "clue" in event.changed_fields
    page = client.get(f"/missing/screenings/{screening.pk}/").content.decode()
    assert clue.number in page and clue.get_absolute_url() in page
    # Saving the result again files no second clue.
    client.post(f"/missing/screenings/{screening.pk}/result/", {"result": "referred", "notes": "补充"})
    assert Clue.objects.count() == 1


def test_a_screening_cleared_files_no_clue(alice):
    screening = missing_services.set_screening_result(
        actor=alice, screening=_screening(alice), result="cleared"
    )
    assert screening.clue is None and not Clue.objects.exists()


def _unknown_case(bob):
    case = take_in(bob, person_fields={"full_name": "", "identity_status": Person.IdentityStatus.UNKNOWN})
    search = case.referrals.get(service="family_search")
    assistance_services.withdraw_referral(actor=bob, referral=search, reason="家人已来认领")
    return case


@pytest.mark.parametrize("outcome, cancelled", [("with_family", True), ("institutional", False)])
def test_closing_an_assistance_case_back_with_the_family_cancels_its_dna_requests(
    bob, login, outcome, cancelled
):
    civil = make_user("civil", "liaison", "341522-civil_affairs")
    case = _unknown_case(bob)
    shelter_request = case.dna_requests.get()
    dna_request = SamplingRequest.objects.get(person=case.person, category=Category.RESCUED)
    assert shelter_request.status == "requested" and dna_request.status == "open"
    visit = assistance_services.schedule_visit(
        actor=bob, case=case, scheduled_for=timezone.localdate() + timedelta(days=30)
    )
    done = assistance_services.schedule_visit(actor=bob, case=case, scheduled_for=timezone.localdate())
    assistance_services.record_visit(
        actor=bob, visit=done, visited=True, visited_on=timezone.localdate(), notes="到家", risk_flags=[]
    )
    assistance_services.record_outcome(actor=bob, case=case, outcome=outcome, outcome_on=timezone.localdate())
    assistance_services.request_closure(actor=bob, case=case, reason="结案")

    response = login(civil).post(
        f"/assistance/cases/{case.pk}/closure-decision/", {"decision": "approve", "note": ""}
    )

    assert response.status_code == 302
    case.refresh_from_db(), shelter_request.refresh_from_db(), dna_request.refresh_from_db()
    assert case.status == AssistanceCase.Status.CLOSED
    assert not case.referrals.filter(status__in=Referral.ACTIVE).exists()
    # The visit still scheduled is cancelled with its deadline, whatever the outcome; the one made stays.
    visit.refresh_from_db(), done.refresh_from_db()
    assert visit.status == FollowUpVisit.Status.CANCELLED and done.status == FollowUpVisit.Status.DONE
    assert _deadline(visit, FOLLOW_UP_VISIT).status == Deadline.Status.CANCELLED
    assert AuditEvent.objects.filter(action="assistance.visit.cancel", details__visit=visit.pk).count() == 1
    page = login(bob).get(f"/assistance/cases/{case.pk}/").content.decode()
    assert _label(FollowUpVisit.Status.CANCELLED) in page
    if cancelled:
        assert shelter_request.status == DnaSamplingRequest.Status.CANCELLED
        assert dna_request.status == SamplingRequest.Status.CANCELLED
        assert _deadline(dna_request).status == Deadline.Status.CANCELLED
        assert _events("assistance.dna_request.cancel", "assistance.dna_request", shelter_request.pk) == 1
        assert _events("dna.sampling.cancel", "dna.samplingrequest", dna_request.pk) == 1
        lab_row = f"{shelter_request.laboratory} · {_label(DnaSamplingRequest.Status.CANCELLED)}"
        assert lab_row in page
    else:  # still of unknown family in long-term care: the sample is still wanted for the search
        assert shelter_request.status == DnaSamplingRequest.Status.REQUESTED
        assert dna_request.status == SamplingRequest.Status.OPEN
        assert _deadline(dna_request).status == Deadline.Status.OPEN


def test_an_assistance_case_points_at_the_police_case_its_reference_names(alice, bob, office, login):
    from fanguai.cases.services import open_case
    from fanguai.core.policies import policy_for

    police_case = open_case(actor=alice, title="拐卖妇女案", kind="women_trafficking")
    linked = take_in(bob, case_reference=f" {police_case.number.lower()} ")
    other = take_in(bob, case_reference="霍公（刑）〔2026〕015号")

    assert linked.police_case == police_case and other.police_case is None
    assert list(police_case.assistance_cases.all()) == [linked]
    event = AuditEvent.objects.get(action="assistance.case.create", object_id=str(linked.pk))
    assert event.details["police_case"] == police_case.pk
    # Who may open the case record gets the link and its status; the shelter keeps the reference it typed.
    assert policy_for(police_case).can_view(office, police_case)
    assert not policy_for(police_case).can_view(bob, police_case)
    page = login(office).get(f"/assistance/cases/{linked.pk}/").content.decode()
    assert (
        f'href="/cases/{police_case.pk}/"' in page and _label(police_case.Status(police_case.status)) in page
    )
    page = login(bob).get(f"/assistance/cases/{linked.pk}/").content.decode()
    assert f'href="/cases/{police_case.pk}/"' not in page and police_case.number.lower() in page


def test_the_data_migration_links_the_references_that_name_a_case(alice, bob):
    from importlib import import_module

    from django.apps import apps

    from fanguai.cases.services import open_case

    police_case = open_case(actor=alice, title="拐卖妇女案", kind="women_trafficking")
    linked, other = take_in(bob), take_in(bob)
    AssistanceCase.objects.filter(pk=linked.pk).update(case_reference=police_case.number, police_case=None)
    AssistanceCase.objects.filter(pk=other.pk).update(case_reference="外市案件")
    migration = import_module("fanguai.assistance.migrations.0007_assistancecase_police_case_from_reference")

    migration.reference_to_case(apps, None)

    linked.refresh_from_db(), other.refresh_from_db()
    assert linked.police_case == police_case and linked.case_reference == police_case.number
    assert other.police_case is None and other.case_reference == "外市案件"
