"""Data migration: a care visit's clue reference (a clue number typed as text) becomes the foreign key to that
clue. A reference that names no clue is kept in the audit trail's place: it is written to the visit's findings
so that nothing recorded is lost when the text column goes."""

from django.db import migrations


def reference_to_clue(apps, schema_editor):
    CareVisit = apps.get_model("assistance", "CareVisit")
    Clue = apps.get_model("clues", "Clue")
    for visit in CareVisit.objects.exclude(clue_reference="").filter(clue__isnull=True):
        reference = visit.clue_reference.strip()
        clue = Clue.objects.filter(number=reference.upper()).first()
        if clue is not None:
            visit.clue = clue
            visit.save(update_fields=["clue"])
        else:
            # The findings are encrypted in the model; the historical model keeps the field class, so the
            # value is encrypted again on save.
            note = f"线索编号：{reference}"
            visit.findings = f"{visit.findings}\n{note}" if visit.findings else note
            visit.save(update_fields=["findings"])


def clue_to_reference(apps, schema_editor):
    CareVisit = apps.get_model("assistance", "CareVisit")
    for visit in CareVisit.objects.filter(clue__isnull=False).select_related("clue"):
        visit.clue_reference = visit.clue.number
        visit.save(update_fields=["clue_reference"])


class Migration(migrations.Migration):
    dependencies = [("assistance", "0003_carevisit_clue")]
    operations = [migrations.RunPython(reference_to_clue, clue_to_reference)]
