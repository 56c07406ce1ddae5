from django.db import migrations, models

import fanguai.accounts.models


class Migration(migrations.Migration):
    dependencies = [
        ("accounts", "0003_existing_api_tokens_expire"),
    ]

    operations = [
        migrations.AlterField(
            model_name="apitoken",
            name="expires_at",
            field=models.DateTimeField(
                default=fanguai.accounts.models.default_token_expiry, verbose_name="expires"
            ),
        ),
    ]
