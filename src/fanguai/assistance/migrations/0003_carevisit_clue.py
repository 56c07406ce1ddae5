import django.db.models.deletion
from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [
        ("assistance", "0002_list_indexes"),
        ("clues", "0004_unit_queue_and_updated_indexes"),
    ]

    operations = [
        migrations.AddField(
            model_name="carevisit",
            name="clue",
            field=models.ForeignKey(
                blank=True,
                null=True,
                on_delete=django.db.models.deletion.PROTECT,
                related_name="care_visits",
                to="clues.clue",
                verbose_name="clue reported",
            ),
        ),
    ]
