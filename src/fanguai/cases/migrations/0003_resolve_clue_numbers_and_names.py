"""Resolve the links and names typed before they were foreign keys: a linked clue's number to the clue, a
chief's or package owner's name to the account of that full name (only when exactly one active police account
has it; "刑侦大队长 陈明" is tried as "陈明" too). What resolves to nothing keeps its typed text, shown as is."""

from django.db import migrations


def _account(User, name: str):
    candidates = [name.strip()]
    parts = name.split()
    if len(parts) > 1:
        candidates.append(parts[-1])
    for candidate in candidates:
        if not candidate:
            continue
        matches = list(
            User.objects.filter(full_name=candidate, is_active=True, unit__sector="police").values_list(
                "pk", flat=True
            )[:2]
        )
        if len(matches) == 1:
            return matches[0]
    return None


def resolve(apps, schema_editor):
    ClueLink = apps.get_model("cases", "ClueLink")
    Clue = apps.get_model("clues", "Clue")
    Responsibility = apps.get_model("cases", "Responsibility")
    Package = apps.get_model("cases", "Package")
    User = apps.get_model("accounts", "User")
    for link in ClueLink.objects.filter(clue__isnull=True):
        clue_id = Clue.objects.filter(number=link.clue_number.strip().upper()).values_list("pk", flat=True).first()
        if clue_id is not None and not ClueLink.objects.filter(case_id=link.case_id, clue_id=clue_id).exists():
            ClueLink.objects.filter(pk=link.pk).update(clue_id=clue_id)
    for record in Responsibility.objects.filter(chief__isnull=True).exclude(chief_name=""):
        user_id = _account(User, record.chief_name)
        if user_id is not None:
            Responsibility.objects.filter(pk=record.pk).update(chief_id=user_id)
    for package in Package.objects.filter(owner__isnull=True).exclude(owner_name=""):
        user_id = _account(User, package.owner_name)
        if user_id is not None:
            Package.objects.filter(pk=package.pk).update(owner_id=user_id)


class Migration(migrations.Migration):
    dependencies = [
        ("cases", "0002_clue_and_accounts_as_foreign_keys"),
        ("accounts", "0004_apitoken_expires_at_required"),
        ("clues", "0004_unit_queue_and_updated_indexes"),
    ]

    # Going back needs nothing: the typed numbers and names are kept beside the keys.
    operations = [migrations.RunPython(resolve, migrations.RunPython.noop)]
