"""API tokens get an expiry. The column starts nullable so that the next (data) migration can give every
existing token its own expiry (created + 90 days); 0004 then makes it required."""

from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [
        ("accounts", "0001_initial"),
    ]

    operations = [
        migrations.AddField(
            model_name="apitoken",
            name="expires_at",
            field=models.DateTimeField(null=True, verbose_name="expires"),
        ),
    ]
