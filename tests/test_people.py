import pytest
from django.core.exceptions import PermissionDenied, ValidationError

from fanguai.audit.models import AuditEvent
from fanguai.people.models import Person
from fanguai.people.services import merge_people, register_person, update_person
from fanguai.people.validators import validate_id_card

from .permissions import SIGNED_IN, Row, attachment, check_row, field_of, files_of

ID_CARD = "341502199001010025"
CHANGERS = frozenset({"alice", "office"})


@pytest.fixture
def scenario(cast):
    alice = cast["alice"]
    person = register_person(actor=alice, full_name="李秘密", id_card_number=ID_CARD, sex="female")
    duplicate = register_person(actor=alice, full_name="李秘", sex="female", identity_status="unknown")
    return {"person": person, "duplicate": duplicate, "users": cast}


MATRIX = [
    Row(
        "list",
        lambda s: f"/people/?q={ID_CARD}",
        SIGNED_IN,
        secret=lambda s: "李秘密",
    ),
    Row(
        "detail",
        lambda s: f"/people/{s['person'].pk}/",
        frozenset({"alice", "office"}),
        secret=lambda s: "李秘密",
    ),
    Row(
        "edit form",
        lambda s: f"/people/{s['person'].pk}/edit/",
        frozenset({"alice", "office"}),
        secret=lambda s: "李秘密",
    ),
    Row(
        "create form",
        lambda s: "/people/new/",
        frozenset({"alice", "bob", "charlie", "office", "liaison", "publicity"}),
    ),
    Row(
        "attach",
        lambda s: f"/people/{s['person'].pk}/attach/",
        CHANGERS,
        method="post",
        data=attachment,
        effect=files_of("person"),
    ),
    Row(
        "merge",
        lambda s: f"/people/{s['person'].pk}/merge/",
        CHANGERS,
        method="post",
        data=lambda s: {"duplicate": s["duplicate"].pk},
        effect=field_of("duplicate", "merged_into"),
    ),
    Row(
        "api list",
        lambda s: f"/api/people?q={ID_CARD}",
        SIGNED_IN,
        secret=lambda s: "李秘密",
    ),
    Row(
        "api detail",
        lambda s: f"/api/people/{s['person'].pk}",
        frozenset({"alice", "office"}),
        secret=lambda s: "李秘密",
    ),
]


@pytest.mark.parametrize("row", MATRIX, ids=lambda r: r.name)
def test_permission_matrix(row, scenario):
    # The list is reachable for everyone signed in, but only alice and office find the record in it.
    check_row(row, scenario, scenario["users"])
    if row.name in ("list", "api list"):
        from django.test import Client

        for who in SIGNED_IN - CHANGERS:
            client = Client()
            client.force_login(scenario["users"][who])
            assert "李秘密".encode() not in client.get(row.url(scenario)).content


def test_a_forged_merge_of_an_invisible_record_changes_nothing(scenario, charlie, login):
    other = register_person(actor=charlie, full_name="金安某", sex="male")
    response = login(charlie).post(f"/people/{other.pk}/merge/", {"duplicate": scenario["person"].pk})
    assert response.status_code == 404
    assert Person.objects.get(pk=scenario["person"].pk).merged_into is None


def test_every_view_of_a_record_is_audited(scenario, alice, login):
    person = scenario["person"]
    login(alice).get(f"/people/{person.pk}/")
    event = AuditEvent.objects.filter(action="person.view", object_id=str(person.pk)).get()
    assert event.actor == alice
    assert "李秘密" not in str(event.details)


def test_registering_through_the_form_validates_the_id_card(alice, login):
    client = login(alice)
    bad = client.post(
        "/people/new/",
        {
            "full_name": "张三",
            "sex": "male",
            "identity_status": "known",
            "id_card_number": "341502199001010021",
        },
    )
    assert bad.status_code == 200
    assert Person.objects.count() == 0
    good = client.post(
        "/people/new/",
        {"full_name": "张三", "sex": "male", "identity_status": "known", "id_card_number": ID_CARD},
    )
    assert good.status_code == 302
    assert Person.objects.get().registered_by_unit == alice.unit


def test_id_card_checksum():
    validate_id_card(ID_CARD)
    validate_id_card("11010519491231002X")
    with pytest.raises(ValidationError) as wrong_check:
        validate_id_card("110105194912310021")
    assert wrong_check.value.code == "id_card_checksum"
    with pytest.raises(ValidationError) as too_short:
        validate_id_card("1101051949")
    assert too_short.value.code == "id_card_format"


def test_unknown_identity_opens_a_deadline_met_when_identified(alice):
    from fanguai.deadlines.models import Deadline

    person = register_person(actor=alice, sex="female", identity_status="unknown")
    deadline = Deadline.objects.get(kind="people.identity_verification", object_id=str(person.pk))
    assert deadline.responsible_unit == alice.unit and deadline.status == "open"
    update_person(actor=alice, person=person, identity_status="known", full_name="找到了")
    deadline.refresh_from_db()
    assert deadline.status == "met"


def test_merge_moves_references_and_is_audited(alice, office):
    from fanguai.deadlines.models import Deadline

    keep = register_person(actor=alice, full_name="周某", id_card_number=ID_CARD)
    duplicate = register_person(
        actor=office, id_card_number=ID_CARD, phone="13912345678", identity_status="unknown"
    )
    from fanguai.people.selectors import possible_duplicates

    assert list(possible_duplicates(office, keep)) == [duplicate]
    merged = merge_people(actor=office, keep=keep, duplicate=duplicate)
    assert merged.phone == "13912345678"
    assert Person.objects.get(pk=duplicate.pk).merged_into == keep
    assert Deadline.objects.filter(object_id=str(keep.pk)).count() == 1
    event = AuditEvent.objects.get(action="person.merge")
    assert event.changed_fields == ["phone"]
    assert "13912345678" not in str(event.details)


def test_merge_needs_the_role(alice, bob):
    one = register_person(actor=bob, full_name="甲")
    two = register_person(actor=bob, full_name="乙")
    with pytest.raises(PermissionDenied):
        merge_people(actor=bob, keep=one, duplicate=two)


def test_the_person_page_lists_the_records_of_other_modules_the_user_may_see(alice, bob, login):
    from fanguai.cases.services import add_party, open_case
    from fanguai.org.models import Region

    township = Region.objects.filter(parent__code="341522", level="township").first()
    person = register_person(actor=bob, full_name="赵某某", sex="female", region=township)  # bob's shelter
    case = open_case(actor=alice, title="拐卖妇女案", kind="women_trafficking")
    add_party(actor=alice, case=case, role="victim", person=person)
    link = f'href="/cases/{case.pk}/"'.encode()
    assert link in login(alice).get(f"/people/{person.pk}/").content
    # bob sees the person his shelter registered, but not the police case: the page does not reveal it
    page = login(bob).get(f"/people/{person.pk}/")
    assert page.status_code == 200 and link not in page.content and case.number.encode() not in page.content
