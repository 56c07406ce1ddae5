"""One link between clues and cases (issue 14 item 3, issue 16 item 6): linking from the clue's page asks for
a case number and goes through the cases service, so it writes the same cases.ClueLink, with the same steps
on both timelines, the clue's outcome and the office's notice, as linking from the case's page. The old
clue-side link (clues.ClueLink) is gone; its rows moved by migration. Also: the missing report's reporter is
报案人, and a police leader named chief sees the cases he answers for on his home page."""

import importlib
from datetime import timedelta
from types import SimpleNamespace

import pytest
from django.apps import apps as django_apps
from django.utils import timezone, translation

from fanguai.audit.labels import field_labels
from fanguai.audit.models import AuditEvent
from fanguai.cases import services
from fanguai.cases.models import Case, CaseEvent, ClueLink
from fanguai.clues import services as clue_services
from fanguai.clues.models import Clue, ClueEvent, Outcome
from fanguai.notifications.models import Notification
from fanguai.org.models import Region

from .test_links import links_section, record_clue, zh

pytestmark = pytest.mark.django_db


def counts(case: Case, clue: Clue) -> tuple:
    return (
        ClueLink.objects.count(),
        CaseEvent.objects.filter(case=case).count(),
        ClueEvent.objects.filter(clue=clue).count(),
        Notification.objects.count(),
        AuditEvent.objects.filter(action__in=["case.clue_link", "clue.link"]).count(),
    )


def link_form_on(html: str, clue: Clue) -> bool:
    return f'action="/cases/link-clue/{clue.pk}/"' in html and 'name="case_number"' in html


def test_linking_from_the_clue_page_writes_the_one_link_and_both_timelines(
    case, alice, office, liaison, login
):
    clue = record_clue(liaison)
    client = login(alice)
    page = client.get(f"/clues/{clue.pk}/").content.decode()
    assert link_form_on(page, clue)
    assert zh("Not linked to a case.") in links_section(page)
    office_notes = Notification.objects.filter(recipient=office).count()

    response = client.post(
        f"/cases/link-clue/{clue.pk}/", {"case_number": f" {case.number.lower()} ", "note": "同一团伙"}
    )

    assert response.status_code == 302 and response["Location"] == f"/clues/{clue.pk}/"
    link = ClueLink.objects.get()
    assert (link.case, link.clue, link.clue_number, link.note, link.created_by) == (
        case,
        clue,
        clue.number,
        "同一团伙",
        alice,
    )
    step = CaseEvent.objects.get(case=case, kind=CaseEvent.Kind.CLUE)
    assert step.text == clue.number and step.created_by == alice
    linked = ClueEvent.objects.get(clue=clue, kind=ClueEvent.Kind.LINKED)
    assert linked.message == zh("Linked to a case") and case.number not in linked.message
    outcome = ClueEvent.objects.get(clue=clue, kind=ClueEvent.Kind.OUTCOME)
    assert outcome.outcome == Outcome.CONFIRMED
    assert outcome.message == zh("The clue was joined to an existing case.")
    clue.refresh_from_db()
    assert clue.status != Clue.Status.CLOSED  # the status stays with those who handle it
    assert clue_services.led_to_result(clue)
    assert AuditEvent.objects.filter(action="case.clue_link", object_id=str(case.pk)).exists()
    assert AuditEvent.objects.filter(action="clue.link", object_id=str(clue.pk)).exists()
    assert Notification.objects.filter(recipient=office).count() == office_notes + 1
    # both pages show the link
    page = client.get(f"/clues/{clue.pk}/").content.decode()
    assert case.number in links_section(page)
    assert clue.number in client.get(f"/cases/{case.pk}/").content.decode()


def test_a_number_of_no_visible_case_is_refused_on_the_field(case, alice, charlie, liaison, login):
    clue = record_clue(liaison)
    other = record_clue(liaison, county="341502")  # a clue of charlie's county
    before, other_before = counts(case, clue), counts(case, other)
    for number in ("C000000000", "", "长" * 40, "<b>x</b>"):
        response = login(alice).post(f"/cases/link-clue/{clue.pk}/", {"case_number": number})
        assert response.status_code == 200, number
        assert response.context["form"].errors["case_number"], number
    # charlie (another county) sees a clue of his county but not alice's case: the same words as no case
    response = login(charlie).post(f"/cases/link-clue/{other.pk}/", {"case_number": case.number})
    assert response.status_code == 200
    assert response.context["form"].errors["case_number"] == [
        zh("No case with this number is visible to you.")
    ]
    assert counts(case, clue) == before and counts(case, other) == other_before
    # and alice's clue is out of charlie's sight altogether
    assert (
        login(charlie).post(f"/cases/link-clue/{clue.pk}/", {"case_number": case.number}).status_code == 404
    )
    assert counts(case, clue) == before


def test_a_clue_linked_twice_or_merged_is_refused_and_nothing_is_written(case, alice, office, liaison, login):
    clue = record_clue(liaison)
    client = login(alice)
    assert client.post(f"/cases/link-clue/{clue.pk}/", {"case_number": case.number}).status_code == 302
    before = counts(case, clue)
    response = client.post(f"/cases/link-clue/{clue.pk}/", {"case_number": case.number})
    assert response.status_code == 200
    assert response.context["form"].errors["case_number"] == [zh("This clue is already linked to the case.")]
    assert counts(case, clue) == before

    keep, duplicate = record_clue(liaison), record_clue(liaison, description="重复的线索")
    clue_services.merge(actor=office, keep=keep, duplicate=duplicate)
    assert not link_form_on(client.get(f"/clues/{duplicate.pk}/").content.decode(), duplicate)
    before = counts(case, duplicate)
    response = client.post(f"/cases/link-clue/{duplicate.pk}/", {"case_number": case.number})
    assert response.status_code == 200
    assert response.context["form"].non_field_errors() == [
        zh("This clue was merged into clue %(number)s: link that one.") % {"number": keep.number}
    ]
    assert counts(case, duplicate) == before


def test_who_does_not_work_on_cases_gets_no_form_and_cannot_link(case, alice, office, chief, liaison, login):
    """The office handles clues but does not investigate; a leader named chief reads the case, no more."""
    services.set_responsibility(
        actor=alice,
        case=case,
        chief=chief,
        chief_position="局长",
        owners={"solve": alice, "rescue": alice, "family": alice},
    )
    clue = record_clue(liaison)
    before = counts(case, clue)
    assert not link_form_on(login(office).get(f"/clues/{clue.pk}/").content.decode(), clue)
    for user in (office, chief):
        response = login(user).post(f"/cases/link-clue/{clue.pk}/", {"case_number": case.number})
        assert response.status_code == 403
    assert counts(case, clue) == before


def test_the_clue_side_link_is_gone():
    from django.apps import apps
    from django.urls import NoReverseMatch, reverse

    with pytest.raises(LookupError):
        apps.get_model("clues", "ClueLink")
    with pytest.raises(NoReverseMatch):
        reverse("clues:link", args=[1])


# The data migration --------------------------------------------------------------------------------------


class OldRows:
    """The old table's rows as the migration reads them (the model is gone from the current apps)."""

    def __init__(self, rows):
        self.rows = rows

    def select_related(self, *fields):
        return self

    def order_by(self, *fields):
        return list(self.rows)


class AppsWithOldLinks:
    """The apps registry of the migration: the current models, and the old clue-side link's rows."""

    def __init__(self, rows):
        self.old = SimpleNamespace(objects=OldRows(rows))

    def get_model(self, app_label, model_name):
        if (app_label, model_name) == ("clues", "ClueLink"):
            return self.old
        return django_apps.get_model(app_label, model_name)


def test_the_migration_moves_clue_side_links_into_case_links(alice, office):
    """Rows of the old clue-side link: a reference that is a case number becomes the one link (dated as
    made, with its step on the case's timeline); one that names no case, and a listing, stay as text in a
    note on the clue's timeline; a link already made from the case is not doubled."""
    migration = importlib.import_module("fanguai.cases.migrations.0004_clue_side_links_into_case_links")
    case = services.open_case(actor=alice, title="旧关联", kind="child_trafficking")
    other = services.open_case(actor=alice, title="已关联", kind="child_trafficking")
    clue = record_clue(office)
    linked_before = record_clue(office, description="已从案件关联的线索")
    services.link_clue(actor=alice, case=other, clue=linked_before)
    made = timezone.now() - timedelta(days=30)

    def row(of, kind, reference):
        return SimpleNamespace(
            clue=of, clue_id=of.pk, kind=kind, reference=reference, created_by_id=alice.pk, created_at=made
        )

    rows = [
        row(clue, "case", f" {case.number.lower()} "),
        row(clue, "case", "A2026-001"),
        row(clue, "listing", "督2026-3"),
        row(linked_before, "case", other.number),
    ]
    notes_before = ClueEvent.objects.filter(clue=clue, kind="note").count()
    other_before = (ClueLink.objects.filter(case=other).count(), other.events.count())

    migration.move(AppsWithOldLinks(rows), None)

    link = ClueLink.objects.get(case=case)
    assert (link.clue_id, link.clue_number, link.created_by_id, link.created_at) == (
        clue.pk,
        clue.number,
        alice.pk,
        made,
    )
    step = CaseEvent.objects.get(case=case, kind=CaseEvent.Kind.CLUE)
    assert (step.text, step.occurred_at, step.created_by_id) == (clue.number, made, alice.pk)
    assert (ClueLink.objects.filter(case=other).count(), other.events.count()) == other_before  # not doubled
    notes = list(ClueEvent.objects.filter(clue=clue, kind="note").order_by("pk"))[notes_before:]
    assert len(notes) == 2
    assert "A2026-001" in notes[0].message and "督2026-3" in notes[1].message
    assert all(n.actor_id == alice.pk and n.created_at == made for n in notes)


# 报案人, not 举报人 ------------------------------------------------------------------------------------------


def test_the_missing_reports_reporter_is_baoanren_and_the_clues_stays_jubaoren(alice):
    from fanguai.missing import services as missing_services
    from fanguai.missing.models import MissingReport

    with translation.override("zh-hans"):
        assert str(MissingReport._meta.get_field("reporter").verbose_name) == "报案人"
        assert str(Clue._meta.get_field("reporter").verbose_name) == "举报人"
    report = missing_services.file_report(
        actor=alice,
        full_name="失踪儿童",
        last_seen_at=timezone.now() - timedelta(hours=2),
        last_seen_place="集市",
        region=Region.objects.get(code="341522"),
        reporter_name="陈建华",
        reporter_phone="13905640001",
        reporter_relation="父亲",
    )
    event = AuditEvent.objects.get(action="missing_report.create", object_id=str(report.pk))
    assert "reporter" in event.changed_fields
    with translation.override("zh-hans"):
        labels = field_labels(event.object_type, event.changed_fields)
    assert "报案人" in labels and "举报人" not in labels and "reporter" not in labels


# The chief's home page ------------------------------------------------------------------------------------


def test_a_leader_named_chief_sees_the_cases_he_answers_for_at_home(case, alice, chief, dave, login):
    home = login(chief).get("/").content.decode()
    assert 'id="cases-answering"' not in home and case.number not in home
    services.set_responsibility(
        actor=alice,
        case=case,
        chief=chief,
        chief_position="局长",
        owners={"solve": alice, "rescue": alice, "family": alice},
    )
    home = login(chief).get("/").content.decode()
    assert 'id="cases-answering"' in home
    section = home[
        home.index('id="cases-answering"') : home.index("</ul>", home.index('id="cases-answering"'))
    ]
    assert f"/cases/{case.pk}/" in section and case.number in section
    assert "/cases/?" not in home and 'href="/cases/"' not in home  # no list he may not open
    assert login(chief).get(f"/cases/{case.pk}/").status_code == 200
    # another leader of the same unit, not named, has no cases panel
    assert 'id="cases-answering"' not in login(dave).get("/").content.decode()
    # the investigator's panel keeps its counts, its link to the list and her packages to do
    home = login(alice).get("/").content.decode()
    assert 'href="/cases/"' in home and "/cases/?mine=on" in home and case.number in home
