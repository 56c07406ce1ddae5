"""Demo missing-person work for `make run`: an active alert with a photo, a report whose rapid-search steps
are late, a found child (public page shows only "found"), subscribers, an unidentified body and a screening
with a blood sample request. Idempotent."""

import io
from datetime import timedelta
from decimal import Decimal

from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import transaction
from django.utils import timezone
from PIL import Image, ImageDraw

from fanguai.accounts.models import User
from fanguai.audit.context import acting
from fanguai.deadlines.models import Deadline
from fanguai.files.selectors import files_for

from . import alerts, services
from .deadline_kinds import RAPID_SEARCH_STEP
from .models import MissingReport, SearchTask


def _portrait() -> SimpleUploadedFile:
    image = Image.new("RGB", (480, 600), (225, 232, 240))
    draw = ImageDraw.Draw(image)
    draw.ellipse((160, 90, 320, 270), fill=(120, 130, 150))
    draw.rounded_rectangle((110, 290, 370, 600), radius=60, fill=(200, 60, 60))
    out = io.BytesIO()
    image.save(out, "PNG")
    return SimpleUploadedFile("demo-photo.png", out.getvalue(), content_type="image/png")


@transaction.atomic
def create_demo_missing() -> int:
    if MissingReport.objects.exists():
        return 0
    investigator = User.objects.get(username="investigator")
    office = User.objects.get(username="office")
    now = timezone.now()
    with acting(user=investigator, ip_address="127.0.0.1"):
        active = services.file_report(
            actor=investigator,
            full_name="陈小雨",
            sex="female",
            category="child",
            description="扎马尾，穿粉色外套、白色运动鞋",
            last_seen_at=now - timedelta(minutes=40),
            last_seen_place="霍邱县城关镇文峰广场",
            latitude=Decimal("32.353"),
            longitude=Decimal("116.278"),
            reporter_name="陈建华",
            reporter_phone="13905640001",
            reporter_relation="父亲",
            photo=_portrait(),
        )
        alerts.request_alert(
            actor=investigator,
            report=active,
            display_name="陈小雨",
            age_text="6岁",
            description="扎马尾，身高约一米一，穿粉色外套、白色运动鞋",
            description_en="Ponytail, about 1.1 m, pink coat, white trainers",
            last_seen_place=active.last_seen_place,
            latitude=active.latitude,
            longitude=active.longitude,
            police_phone="0564-6012110",
            photo=files_for(investigator, active).first(),
        )
        late = services.file_report(
            actor=investigator,
            full_name="刘浩然",
            sex="male",
            category="child",
            description="穿蓝色校服",
            last_seen_at=now - timedelta(hours=3),
            last_seen_place="霍邱县冯井镇中心小学门口",
            latitude=Decimal("32.25"),
            longitude=Decimal("116.30"),
        )
        # Filed three hours ago: the early steps are now late (shown on the investigator's home page).
        MissingReport.objects.filter(pk=late.pk).update(created_at=now - timedelta(hours=3))
        for task in late.tasks.select_related("step"):
            due = now - timedelta(hours=3) + timedelta(minutes=task.step.target_minutes)
            SearchTask.objects.filter(pk=task.pk).update(due_at=due)
            Deadline.objects.filter(kind=RAPID_SEARCH_STEP, object_id=str(task.pk)).update(
                due_at=due, warn_at=None
            )
        found = services.file_report(
            actor=investigator,
            full_name="张子涵",
            sex="male",
            category="child",
            last_seen_at=now - timedelta(days=2),
            last_seen_place="霍邱县汽车站",
            latitude=Decimal("32.34"),
            longitude=Decimal("116.27"),
        )
        alerts.request_alert(
            actor=investigator,
            report=found,
            display_name="张子涵",
            age_text="9岁",
            description="穿黑色上衣",
            last_seen_place=found.last_seen_place,
            latitude=found.latitude,
            longitude=found.longitude,
        )
        services.record_outcome(actor=investigator, report=found, outcome="found_safe", notes="在亲戚家找到")
        for name, kind, lat, lon in (
            ("六安出租车公司", "taxi", "31.74", "116.51"),
            ("霍邱县汽车站", "station", "32.34", "116.27"),
            ("霍邱县第一人民医院", "hospital", "32.35", "116.28"),
            ("合肥南站", "station", "31.80", "117.29"),
        ):
            alerts.add_subscriber(
                actor=office,
                name=name,
                kind=kind,
                latitude=Decimal(lat),
                longitude=Decimal(lon),
                channel="email",
                email=f"{kind}@example.invalid",
            )
        services.record_unidentified(
            actor=investigator,
            kind="body",
            found_at=now - timedelta(days=5),
            found_place="淮河霍邱段河滩",
            sex="male",
            estimated_age="40-50",
            description="身高约一米七，左臂有疤痕",
        )
        screening = services.record_screening(
            actor=investigator,
            reason="informal",
            screened_on=timezone.localdate(),
            full_name="李小花",
            sex="female",
            notes="无出生医学证明，抱养来源不明",
        )
        services.request_blood_sample(actor=investigator, screening=screening, reason="来历不明儿童")
    return 3
