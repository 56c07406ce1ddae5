"""Links that follow through (issue 14 item 3): a case's linked clue is the clue itself, the clue's page shows
the cases (those the viewer may see), a case opens from a clue, the chief and the package owners are police
accounts that are told, and refusals say why and change nothing. Each test walks the whole path and asserts
every record it touches."""

import importlib

import pytest
from django.apps import apps as django_apps
from django.core.exceptions import ValidationError
from django.utils import timezone, translation

from fanguai.audit.models import AuditEvent
from fanguai.cases import selectors, services
from fanguai.cases.models import Case, CaseEvent, ClueLink, Package, Responsibility
from fanguai.clues import services as clue_services
from fanguai.clues.models import Clue, ClueEvent, Outcome
from fanguai.notifications.models import Notification
from fanguai.org.models import Region

from .conftest import officer

pytestmark = pytest.mark.django_db


def zh(message: str) -> str:
    """The Chinese of a message, as the pages write it (the catalogue may not hold it yet: then the msgid)."""
    with translation.override("zh-hans"):
        return translation.gettext(message)


def record_clue(actor, county: str = "341522", description: str = "集市上看到疑似被拐男孩") -> Clue:
    return clue_services.record_clue(
        actor=actor,
        source="hotline_110",
        category="missing_child",
        description=description,
        region=Region.objects.get(code=county),
    )


def counts(case: Case, clue: Clue) -> tuple:
    return (
        ClueLink.objects.count(),
        CaseEvent.objects.filter(case=case).count(),
        ClueEvent.objects.filter(clue=clue).count(),
        Notification.objects.count(),
    )


def links_section(html: str) -> str:
    start = html.index('id="clue-links"')
    return html[start : html.index("</ul>", start)]


def test_linking_a_clue_updates_the_case_the_clue_and_both_timelines(case, alice, office, liaison, login):
    clue = record_clue(liaison)  # recorded by the city civil affairs: the liaison sees the clue, not the case
    office_notes = Notification.objects.filter(recipient=office).count()

    response = login(alice).post(f"/cases/{case.pk}/clues/", {"clue_number": f" {clue.number.lower()} "})

    assert response.status_code == 302
    link = ClueLink.objects.get(case=case)
    assert (link.clue, link.clue_number, link.created_by) == (clue, clue.number, alice)
    assert [e.text for e in case.events.filter(kind=CaseEvent.Kind.CLUE)] == [clue.number]
    linked, outcome = clue.events.filter(kind__in=["linked", "outcome"]).order_by("id")
    assert linked.kind == ClueEvent.Kind.LINKED and linked.actor == alice
    assert outcome.outcome == Outcome.CONFIRMED and outcome.message == zh(
        "The clue was joined to an existing case."
    )
    assert clue_services.led_to_result(clue)  # a reward may now be proposed
    assert Clue.objects.get(pk=clue.pk).status == Clue.Status.NEW  # its handlers decide when it closes
    assert AuditEvent.objects.filter(action="case.clue_link", object_id=str(case.pk)).exists()
    assert AuditEvent.objects.filter(action="clue.link", object_id=str(clue.pk)).exists()
    told = Notification.objects.filter(recipient=office, kind="clue.outcome")
    assert told.count() == 1 and Notification.objects.filter(recipient=office).count() == office_notes + 1
    assert clue.number in told.get().subject and case.number in told.get().subject

    # the clue's page shows the case to those who see both, never to the others
    assert case.number in links_section(login(alice).get(f"/clues/{clue.pk}/").content.decode())
    assert case.number in links_section(login(office).get(f"/clues/{clue.pk}/").content.decode())
    liaison_page = login(liaison).get(f"/clues/{clue.pk}/").content.decode()
    assert case.number not in liaison_page
    assert "未关联案件" in links_section(liaison_page)
    # and the case's page links to the clue
    assert f"/clues/{clue.pk}/" in login(alice).get(f"/cases/{case.pk}/").content.decode()


def test_a_number_that_is_no_visible_clue_is_refused_on_the_field(case, alice, office, login):
    other_county = record_clue(office, county="341502")  # 金安区: alice does not see it
    own = record_clue(office)
    services.link_clue(actor=alice, case=case, clue=own)
    before = counts(case, own), ClueEvent.objects.filter(clue=other_county).count()
    client = login(alice)
    for number in ("CNOSUCH123", other_county.number, own.number):
        response = client.post(f"/cases/{case.pk}/clues/", {"clue_number": number, "note": "x"})
        assert response.status_code == 200
        assert response.context["clue_form"].errors["clue_number"]
        assert [m.level_tag for m in response.context["messages"]] == ["error"]
    # nonexistent and invisible read the same: nothing tells alice that the other county's clue exists
    assert (counts(case, own), ClueEvent.objects.filter(clue=other_county).count()) == before


def test_a_merged_clue_points_to_the_clue_it_joined(case, alice, office):
    keep, duplicate = record_clue(office), record_clue(office, description="同一男孩")
    clue_services.merge(actor=office, keep=keep, duplicate=duplicate)
    with pytest.raises(ValidationError) as refused:
        services.link_clue(actor=alice, case=case, clue_number=duplicate.number)
    assert keep.number in str(refused.value)
    assert not ClueLink.objects.exists()


def test_open_a_case_from_a_clue(alice, office, charlie, login):
    clue = record_clue(office)
    clue_services.transfer(actor=office, clue=clue, to_unit=alice.unit)
    client = login(alice)

    page = client.get(f"/clues/{clue.pk}/").content.decode()
    assert f"/cases/from-clue/{clue.pk}/" in page  # the button, for those who file cases
    assert f"/cases/from-clue/{clue.pk}/" not in login(office).get(f"/clues/{clue.pk}/").content.decode()
    form = client.get(f"/cases/from-clue/{clue.pk}/").context["form"]
    assert clue.number in form.initial["title"]
    assert form.initial["kind"] == Case.Kind.CHILD_TRAFFICKING
    assert form.initial["county"] == Region.objects.get(code="341522")
    assert form.initial["summary"] == clue.description
    assert login(charlie).get(f"/cases/from-clue/{clue.pk}/").status_code == 404  # another county's clue

    response = client.post(
        f"/cases/from-clue/{clue.pk}/",
        {
            "title": form.initial["title"],
            "kind": "child_trafficking",
            "county": form.initial["county"].pk,
            "filed_on": timezone.localdate().isoformat(),
            "summary": clue.description,
        },
    )
    case = Case.objects.get()
    assert response.status_code == 302 and response["Location"] == f"/cases/{case.pk}/"
    assert (case.county.code, case.owner_unit, case.created_by, case.summary) == (
        "341522",
        alice.unit,
        alice,
        clue.description,
    )
    assert ClueLink.objects.get().clue == clue
    assert [e.kind for e in case.events.all()] == [CaseEvent.Kind.STATUS, CaseEvent.Kind.CLUE]
    assert clue.number in case.events.first().text
    outcome = clue.events.get(kind=ClueEvent.Kind.OUTCOME)
    assert outcome.outcome == Outcome.CONFIRMED and outcome.message == zh("A case was filed from this clue.")
    assert clue.events.filter(kind=ClueEvent.Kind.LINKED).count() == 1
    assert AuditEvent.objects.filter(action="case.create", object_id=str(case.pk)).exists()


def test_a_case_from_a_clue_with_nonsense_writes_nothing(alice, office, login):
    clue = record_clue(office)
    before = Case.objects.count(), ClueEvent.objects.filter(clue=clue).count()
    response = login(alice).post(
        f"/cases/from-clue/{clue.pk}/",
        {"title": "", "kind": "nonsense", "county": "999999", "filed_on": "9999-12-31", "summary": ""},
    )
    assert response.status_code == 200
    assert {"title", "kind", "county", "filed_on"} <= set(response.context["form"].errors)
    assert (Case.objects.count(), ClueEvent.objects.filter(clue=clue).count()) == before


def test_chief_and_owners_are_accounts_told_and_accountable(case, alice, chief, owners, charlie, bob, login):
    client = login(alice)
    data = {
        "chief": chief.pk,
        "chief_position": "霍邱县公安局局长",
        "solve_owner": owners["solve"].pk,
        "rescue_owner": owners["rescue"].pk,
        "family_owner": owners["family"].pk,
    }
    form = client.get(f"/cases/{case.pk}/responsibility/").context["form"]
    choices = set(form.fields["chief"].queryset)
    assert chief in choices and alice in choices and charlie not in choices and bob not in choices

    assert client.post(f"/cases/{case.pk}/responsibility/", data).status_code == 302
    record = Responsibility.objects.get(case=case)
    assert (record.chief, record.chief_name, record.chief_position) == (chief, "王局长", "霍邱县公安局局长")
    assert {p.kind: p.owner for p in record.packages.all()} == owners
    assert all(p.owner_name == owners[p.kind].full_name for p in record.packages.all())
    for person in (chief, owners["rescue"], owners["family"], alice):
        note = Notification.objects.get(recipient=person, kind="case.responsibility")
        assert case.number in note.subject and note.link == f"/cases/{case.pk}/"
    assert "王局长" in case.events.filter(kind=CaseEvent.Kind.PACKAGE).last().text

    # the chief (a leader) reads the case he answers for; a leader of no record does not
    assert login(chief).get(f"/cases/{case.pk}/").status_code == 200
    other_leader = officer("hq_deputy", "leader")
    assert login(other_leader).get(f"/cases/{case.pk}/").status_code == 404

    # a new owner is told; the others are not told again
    new_owner = officer("hq_new_owner", full_name="新负责人")
    notes = Notification.objects.count()
    assert (
        client.post(f"/cases/{case.pk}/responsibility/", {**data, "family_owner": new_owner.pk}).status_code
        == 302
    )
    assert Notification.objects.count() == notes + 1
    assert Notification.objects.get(recipient=new_owner).kind == "case.responsibility"
    assert Package.objects.get(responsibility=record, kind="family").owner == new_owner

    # "my packages": the list filter and the home panel
    mine = client.get("/cases/", {"mine": "on"}).context["page"].object_list
    assert list(mine) == [case]
    assert list(selectors.visible_cases(charlie, mine=True)) == []
    assert [p.kind for p in selectors.my_open_packages(alice)] == ["solve"]
    assert "/cases/?mine=on" in client.get("/").content.decode()


def test_an_officer_outside_the_county_is_refused_on_the_field(case, alice, chief, owners, charlie, login):
    data = {
        "chief": chief.pk,
        "chief_position": "局长",
        "solve_owner": charlie.pk,  # 金安区 police: not of the case's county
        "rescue_owner": owners["rescue"].pk,
        "family_owner": owners["family"].pk,
    }
    response = login(alice).post(f"/cases/{case.pk}/responsibility/", data)
    assert response.status_code == 200 and "solve_owner" in response.context["form"].errors
    assert not Responsibility.objects.exists() and not Notification.objects.filter(kind="case.responsibility")
    with pytest.raises(ValidationError) as refused:
        services.set_responsibility(
            actor=alice, case=case, chief=charlie, chief_position="局长", owners=owners
        )
    assert "chief" in refused.value.message_dict


def test_a_closed_case_keeps_its_packages_and_says_so(case, alice, chief, owners, login):
    record = services.set_responsibility(
        actor=alice, case=case, chief=chief, chief_position="局长", owners=owners
    )
    for package in record.packages.all():
        services.update_package(actor=alice, package=package, status="done")
    services.change_status(actor=alice, case=case, status="closed")
    package = record.packages.get(kind="family")
    events = case.events.count()
    client = login(alice)
    for data in ({"status": "open", "notes": ""}, {"status": "done", "notes": "改写备注"}, {"status": "x"}):
        response = client.post(f"/cases/packages/{package.pk}/", data, follow=True)
        shown = list(response.context["messages"])
        assert [m.level_tag for m in shown] == ["error"]
        with translation.override("zh-hans"):
            assert package.get_kind_display() in str(shown[0])  # it names the package
    package.refresh_from_db()
    assert (package.status, package.notes, case.events.count()) == ("done", "", events)
    with pytest.raises(ValidationError):
        services.set_responsibility(actor=alice, case=case, chief=alice, chief_position="局长", owners=owners)


def test_a_status_nonsense_is_shown_again_with_the_error(case, alice, login):
    response = login(alice).post(f"/cases/{case.pk}/status/", {"status": "__nonsense__", "note": ""})
    assert response.status_code == 200
    assert "status" in response.context["status_form"].errors
    assert Case.objects.get(pk=case.pk).status == Case.Status.FILED and case.events.count() == 1


def test_the_data_migration_resolves_numbers_and_names(case, alice, office):
    """Rows written before the links were keys: a number of a clue and names of police accounts resolve;
    the rest keeps its text."""
    migration = importlib.import_module("fanguai.cases.migrations.0003_resolve_clue_numbers_and_names")
    clue = record_clue(office)
    known = officer("hq_chen", full_name="陈明")
    officer("hq_twin_a", full_name="李同名")
    officer("hq_twin_b", full_name="李同名")
    by_number = ClueLink.objects.create(case=case, clue_number=clue.number)
    unknown = ClueLink.objects.create(case=case, clue_number="K2026DEMO1")
    record = Responsibility.objects.create(case=case, chief_name="刑侦大队长 陈明", chief_position="大队长")
    twin = Package.objects.create(responsibility=record, kind="solve", owner_name="李同名")
    nobody = Package.objects.create(responsibility=record, kind="rescue", owner_name="查无此人")

    migration.resolve(django_apps, None)

    assert ClueLink.objects.get(pk=by_number.pk).clue == clue
    assert ClueLink.objects.get(pk=unknown.pk).clue is None
    record.refresh_from_db()
    assert record.chief == known and record.chief_label == "陈明"
    assert Package.objects.get(pk=twin.pk).owner is None  # two accounts of that name: not guessed
    nobody.refresh_from_db()
    assert nobody.owner is None and nobody.owner_label == "查无此人"
