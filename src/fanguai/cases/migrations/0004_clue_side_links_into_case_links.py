"""The clue page's own "link to a case or listing" (clues.ClueLink: a typed reference whose target was never
set) becomes the one link between clues and cases (cases.ClueLink). A reference that is the number of a case
of the platform becomes that link, with its step on the case's timeline, dated as it was made. A reference that
names no case (a typo, a case outside the platform, a listing under supervision) is kept as text in an
internal note on the clue's timeline, so nothing typed is lost when the old table goes (clues migration 0005).

The clue's timeline already has the "linked" step the old form wrote; no outcome (属实) is added: an outcome is
a judgement of those who handle the clue, and the old form never recorded one."""

from django.conf import settings
from django.db import migrations
from django.utils import translation
from django.utils.translation import gettext


def move(apps, schema_editor):
    OldLink = apps.get_model("clues", "ClueLink")
    ClueEvent = apps.get_model("clues", "ClueEvent")
    Case = apps.get_model("cases", "Case")
    CaseLink = apps.get_model("cases", "ClueLink")
    CaseEvent = apps.get_model("cases", "CaseEvent")
    with translation.override(settings.LANGUAGE_CODE):
        kinds = {"case": gettext("Case"), "listing": gettext("Listing under supervision")}
        for row in OldLink.objects.select_related("clue").order_by("pk"):
            reference = (row.reference or "").strip()
            case = None
            if row.kind == "case" and reference:
                case = Case.objects.filter(number=reference.upper()).first()
            if case is None:
                text = gettext(
                    "Link recorded before links were checked, kept as typed: %(kind)s %(reference)s"
                ) % {
                    "kind": kinds.get(row.kind, row.kind),
                    "reference": reference or "—",
                }
                ClueEvent.objects.create(
                    clue_id=row.clue_id,
                    kind="note",
                    actor_id=row.created_by_id,
                    message=text,
                    created_at=row.created_at,
                )
                continue
            clue = row.clue
            if (
                CaseLink.objects.filter(case=case, clue=clue).exists()
                or CaseLink.objects.filter(case=case, clue_number=clue.number).exists()
            ):
                continue
            link = CaseLink.objects.create(
                case=case, clue=clue, clue_number=clue.number, created_by_id=row.created_by_id
            )
            CaseLink.objects.filter(pk=link.pk).update(created_at=row.created_at)
            CaseEvent.objects.create(
                case=case,
                kind="clue",
                text=clue.number,
                occurred_at=row.created_at,
                created_by_id=row.created_by_id,
            )


class Migration(migrations.Migration):
    dependencies = [
        ("cases", "0003_resolve_clue_numbers_and_names"),
        ("clues", "0004_unit_queue_and_updated_indexes"),
    ]

    # Going back leaves the links in cases (the old table comes back empty with clues 0005 reversed).
    operations = [migrations.RunPython(move, migrations.RunPython.noop)]
