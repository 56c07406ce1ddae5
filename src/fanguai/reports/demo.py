"""Demo evaluation round: a stage evaluation of this year, open, with some self-assessments submitted and one
scored, and a circular of commendation. Idempotent."""

from datetime import timedelta
from decimal import Decimal

from django.utils import timezone

from fanguai.accounts.models import User
from fanguai.audit.context import acting

from . import services
from .models import Evaluation, SelfAssessment


def create_demo_reports() -> int:
    if Evaluation.objects.exists():
        return 0
    office = User.objects.get(username="office")
    today = timezone.localdate()
    with acting(ip_address="127.0.0.1"):
        evaluation = services.open_evaluation(
            actor=office,
            kind=Evaluation.Kind.STAGE,
            title=f"{today.year}年度反拐工作阶段性评估",
            year=today.year,
            due_on=today + timedelta(days=20),
        )
        submissions = [
            ("coordinator", "霍邱县全年开展反拐宣传12场，破获拐卖案件2起，全部落实一长三包。", 86),
            ("liaison", "市民政局完善救助管理流程，被拐卖受害人均及时得到安置。", None),
        ]
        for username, narrative, score in submissions:
            user = User.objects.get(username=username)
            assessment = SelfAssessment.objects.get(evaluation=evaluation, unit=user.unit)
            services.submit_self_assessment(
                actor=user,
                assessment=assessment,
                narrative=narrative,
                reported_figures={"outreach.publicity_events": 12},
            )
            if score is not None:
                services.score_self_assessment(
                    actor=office, assessment=assessment, score=Decimal(score), comment="工作扎实，数据详实。"
                )
        services.record_commendation(
            actor=office,
            kind="praise",
            unit=User.objects.get(username="coordinator").unit,
            year=today.year,
            issued_on=today,
            text="霍邱县反拐宣传覆盖面广、成效显著，予以通报表扬。",
        )
    return 1
