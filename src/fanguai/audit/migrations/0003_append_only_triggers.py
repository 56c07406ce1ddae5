"""The database refuses UPDATE and DELETE on the audit table (TRUNCATE too on PostgreSQL); DELETE passes only
under a purge permit (see fanguai.audit.triggers)."""

from django.db import migrations


def install(apps, schema_editor):
    from fanguai.audit import triggers

    triggers.install(schema_editor.connection)


def remove(apps, schema_editor):
    from fanguai.audit import triggers

    triggers.remove(schema_editor.connection)


class Migration(migrations.Migration):

    dependencies = [
        ("audit", "0002_purge_permit_and_actor"),
    ]

    operations = [migrations.RunPython(install, remove, elidable=False)]
