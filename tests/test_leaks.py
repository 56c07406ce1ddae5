"""Leaks of issue 11, item 7: the person page showed the person's audit history (user names, actions,
changed fields) to everyone who could see the person. The audit trail is the audit administrator's alone: the
history selector goes through the audit policy, and the audit administrator reads it on the audit pages,
filtered by the object."""

import pytest

from fanguai.people import selectors, services

pytestmark = pytest.mark.django_db


@pytest.fixture
def changed_person(alice):
    person = services.register_person(actor=alice, full_name="赵历史", sex="female", identity_status="known")
    return services.update_person(actor=alice, person=person, phone="13800001111")


def test_the_person_page_shows_no_audit_history(changed_person, alice, office, login):
    for user in (alice, office):
        response = login(user).get(f"/people/{changed_person.pk}/")
        assert response.status_code == 200, user.username
        html = response.content.decode()
        assert changed_person.number in html
        for action in ("person.create", "person.update", "person.view"):
            assert action not in html, (user.username, action)
    # The office reads the record, but not who changed it.
    office_page = login(office).get(f"/people/{changed_person.pk}/").content.decode()
    assert "alice" not in office_page


def test_the_history_selector_is_for_the_audit_administrator(changed_person, alice, office, auditor):
    assert list(selectors.history(alice, changed_person)) == []
    assert list(selectors.history(office, changed_person)) == []
    actions = set(selectors.history(auditor, changed_person).values_list("action", flat=True))
    assert {"person.create", "person.update"} <= actions


def test_the_audit_administrator_filters_the_trail_by_the_person(
    changed_person, alice, auditor, office, login
):
    from django.utils import translation

    from fanguai.audit.labels import action_label, object_type_label

    other = services.register_person(actor=alice, full_name="钱其他", sex="male", identity_status="known")
    services.update_person(actor=alice, person=other, phone="13800002222")
    url = f"/audit/?object_type=people.person&object_id={changed_person.pk}"
    page = login(auditor).get(url)
    assert page.status_code == 200
    html = page.content.decode()
    # the page shows actions and object types by their labels, in the reader's language
    with translation.override(page.wsgi_request.LANGUAGE_CODE):
        update, person = action_label("person.update"), object_type_label("people.person")
    assert update != "person.update"
    assert f"<td>{update}</td>" in html
    assert f"<td>{person} {changed_person.pk}</td>" in html
    assert f"<td>{person} {other.pk}</td>" not in html
    unfiltered = login(auditor).get("/audit/?object_type=people.person").content.decode()
    assert f"<td>{person} {other.pk}</td>" in unfiltered
    assert login(office).get(url).status_code == 403
