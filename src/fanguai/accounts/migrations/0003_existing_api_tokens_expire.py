"""Data migration: every token issued before expiries existed expires 90 days after it was created (the
default lifetime), so an old leaked token stops working instead of living forever."""

from datetime import timedelta

from django.db import migrations

EXISTING_TOKEN_DAYS = 90


def set_expiry(apps, schema_editor):
    ApiToken = apps.get_model("accounts", "ApiToken")
    for token in ApiToken.objects.filter(expires_at__isnull=True).only("pk", "created_at"):
        token.expires_at = token.created_at + timedelta(days=EXISTING_TOKEN_DAYS)
        token.save(update_fields=["expires_at"])


class Migration(migrations.Migration):
    dependencies = [
        ("accounts", "0002_apitoken_expires_at"),
    ]

    operations = [
        migrations.RunPython(set_expiry, migrations.RunPython.noop),
    ]
