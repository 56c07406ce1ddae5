from django.db import migrations


class Migration(migrations.Migration):
    dependencies = [("assistance", "0004_carevisit_clue_from_reference")]

    operations = [
        migrations.RemoveField(model_name="carevisit", name="clue_reference"),
    ]
