"""The default rapid-search checklist (the office changes it on the checklist page)."""

from django.db import migrations

DEFAULT_STEPS = [
    ("alert", "发布儿童失踪信息（警报）", 30, 10, True),
    ("video", "调取查看周边视频监控", 60, 20, False),
    ("stations", "通报车站、码头、高速卡口", 60, 30, False),
    ("neighbours", "通报相邻县区公安机关", 120, 40, False),
    ("dna", "采集失踪儿童父母血样", 1440, 50, False),
]


def add_steps(apps, schema_editor):
    SearchStep = apps.get_model("missing", "SearchStep")
    for code, name, minutes, order, is_alert in DEFAULT_STEPS:
        SearchStep.objects.get_or_create(
            code=code,
            defaults={"name": name, "target_minutes": minutes, "order": order, "is_alert_step": is_alert},
        )


def remove_steps(apps, schema_editor):
    SearchStep = apps.get_model("missing", "SearchStep")
    SearchStep.objects.filter(code__in=[s[0] for s in DEFAULT_STEPS]).delete()


class Migration(migrations.Migration):
    dependencies = [("missing", "0001_initial")]
    operations = [migrations.RunPython(add_steps, remove_steps)]
