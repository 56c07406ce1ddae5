"""Data migration: an assistance case whose police case reference is a case number of the platform points at
that case record. The reference text stays (it is what the police handed over, and may name a case of another
city), so reversing only clears the link."""

from django.db import migrations


def reference_to_case(apps, schema_editor):
    AssistanceCase = apps.get_model("assistance", "AssistanceCase")
    Case = apps.get_model("cases", "Case")
    for row in AssistanceCase.objects.exclude(case_reference="").filter(police_case__isnull=True):
        case = Case.objects.filter(number=row.case_reference.strip().upper()).first()
        if case is not None:
            row.police_case = case
            row.save(update_fields=["police_case"])


def clear_links(apps, schema_editor):
    apps.get_model("assistance", "AssistanceCase").objects.update(police_case=None)


class Migration(migrations.Migration):
    dependencies = [("assistance", "0006_assistancecase_police_case")]
    operations = [migrations.RunPython(reference_to_case, clear_links)]
