"""Demo work for `make run`: a year of work plans and progress reports for a few units, at every step of
the review (approved with reports, one report overdue, submitted, returned, draft). Idempotent: a unit that
already has a work plan for the year is left alone."""

import datetime as dt
from decimal import Decimal

from django.conf import settings
from django.db import transaction
from django.utils import timezone

from fanguai.accounts.models import User
from fanguai.audit.context import acting
from fanguai.deadlines.models import Deadline
from fanguai.org.models import Unit

from . import services
from .deadline_kinds import PROGRESS_REPORT
from .loader import load_plan
from .models import Plan, ProgressReport, WorkPlan, WorkPlanEvent
from .periods import periods_of

PLAN_FILE = "plans/liuan-2022.yaml"

# unit code -> (demo user who drafts, final step, work items: (title, indicator, target, measure number))
DEMO_WORK = {
    "341500-civil_affairs": (
        "liaison",
        "approved",
        [
            ("救助管理机构接收打拐解救人员并开展寻亲服务", "寻亲服务人次", 40, 1),
            ("符合条件儿童收养登记", "办理收养登记件数", 12, 2),
            ("购买社会工作服务，提供心理疏导和技能培训", "服务人次", 150, 3),
            ("农村留守儿童暑期走访排查", "走访排查人数", 3000, 4),
        ],
    ),
    "341522-police": (
        "coordinator",
        "approved",
        [
            ("打拐专项行动，现发拐卖案件发一破一", "拐卖案件破案率（%）", 100, 1),
            ("来历不明儿童和失踪儿童父母采血入库比对", "采血入库人数", 200, 3),
            ("涉网拐卖、非法代孕、非法送养线索研判", "研判线索条数", 30, 5),
        ],
    ),
    "341522-civil_affairs": (
        "coordinator",
        "submitted",
        [
            ("县救助管理站打拐解救人员照料与寻亲", "寻亲服务人次", 15, 1),
            ("留守儿童委托照护协议签订", "签订协议份数", 500, 4),
        ],
    ),
    "341522-women_federation": (
        "coordinator",
        "returned",
        [("三八维权月、12.4宪法宣传日反拐宣传", "发放宣传资料份数", 5000, None)],
    ),
    "341522-education": ("coordinator", "draft", [("中小学反拐、防性侵主题班会", "覆盖学生人数", 80000, 1)]),
}
NARRATIVES = {
    ProgressReport.Status.ON_TRACK: "按计划推进，本期完成阶段任务。",
    ProgressReport.Status.AT_RISK: "受人员调整影响，进度略有滞后，已制定追赶措施。",
    ProgressReport.Status.LATE: "进度滞后，需协调相关单位配合推进。",
    ProgressReport.Status.DONE: "全年任务已完成。",
}


def _stamp_last_step(work_plan: WorkPlan, when: dt.datetime) -> None:
    last = work_plan.events.order_by("-id").first()
    if last is not None:
        WorkPlanEvent.objects.filter(pk=last.pk).update(created_at=when)


def _at(day: dt.date, hour: int = 10) -> dt.datetime:
    return timezone.make_aware(dt.datetime.combine(day, dt.time(hour, 0)))


def create_demo_plans(today: dt.date | None = None) -> int:
    """Returns the number of work plans created."""
    plan = Plan.objects.filter(code="liuan-2022").first()
    if plan is None:
        plan = load_plan(settings.REPO_DIR / PLAN_FILE).plan
    today = today or timezone.localdate()
    year = today.year
    if plan.period_for_year(year) is None:
        return 0
    office = User.objects.filter(username="office").first()
    created = 0
    with acting(ip_address="127.0.0.1"):
        for code, (username, final_step, items) in DEMO_WORK.items():
            actor = User.objects.filter(username=username).first()
            unit = Unit.objects.filter(code=code).first()
            if actor is None or unit is None or office is None:
                continue
            if WorkPlan.objects.filter(plan=plan, unit=unit, year=year).exists():
                continue
            _create_one(plan, unit, year, actor, office, final_step, items, today)
            created += 1
    return created


@transaction.atomic
def _create_one(plan, unit, year, actor, office, final_step, items, today) -> None:
    start = dt.date(year, 1, 8)
    work_plan = services.create_work_plan(actor=actor, plan=plan, unit=unit, year=year)
    _stamp_last_step(work_plan, _at(start))
    measures = {m.number: m for m in services.measures_for(work_plan) if m.number is not None}
    owner = User.objects.filter(unit=unit, is_active=True).exclude(pk=actor.pk).first()
    for index, (title, indicator, target, number) in enumerate(items):
        services.add_work_item(
            actor=actor,
            work_plan=work_plan,
            title=title,
            indicator=indicator,
            target=Decimal(target),
            measure=measures.get(number),
            owner=owner if index == 0 else None,
            due_date=dt.date(year, 12, 20),
            description="",
        )
        _stamp_last_step(work_plan, _at(start, 11))
    if final_step == "draft":
        return
    services.submit_work_plan(actor=actor, work_plan=work_plan, comment="请审核。")
    _stamp_last_step(work_plan, _at(start + dt.timedelta(days=5)))
    if final_step == "submitted":
        return
    if final_step == "returned":
        services.return_work_plan(
            actor=office, work_plan=work_plan, comment="请补充量化指标，并与年度推进举措逐项对应。"
        )
        _stamp_last_step(work_plan, _at(start + dt.timedelta(days=9)))
        return
    approved_on = start + dt.timedelta(days=12)
    services.approve_work_plan(actor=office, work_plan=work_plan, comment="同意。", today=approved_on)
    _stamp_last_step(work_plan, _at(approved_on))
    _report_the_year(work_plan, actor, today)


def _report_the_year(work_plan: WorkPlan, actor, today: dt.date) -> None:
    """Reports for every period already due; the last item of each unit misses its latest one (overdue)."""
    items = list(work_plan.items.order_by("position"))
    periods = [p for p in periods_of(work_plan.year, work_plan.report_cycle) if p.due < today]
    statuses = [ProgressReport.Status.ON_TRACK, ProgressReport.Status.AT_RISK, ProgressReport.Status.LATE]
    for rank, period in enumerate(periods, start=1):
        for index, item in enumerate(items):
            if index == len(items) - 1 and rank == len(periods):
                continue  # left overdue on purpose
            status = statuses[(index + rank) % 3] if index else ProgressReport.Status.ON_TRACK
            late_days = 3 if (index + rank) % 4 == 0 else -2
            submitted = _at(period.due + dt.timedelta(days=late_days), 15)
            share = Decimal(rank) / Decimal(len(periods) + 1)
            services.submit_report(
                actor=actor,
                item=item,
                status=status,
                narrative=NARRATIVES[status],
                achieved=(item.target * share).quantize(Decimal("1")) if item.target is not None else None,
                figures={"投入人员（人次）": str(10 * rank + index)},
                today=period.due,
                submitted_at=submitted,
            )
            Deadline.objects.filter(
                kind=PROGRESS_REPORT, object_id=str(item.pk), status=Deadline.Status.MET, met_at__gt=submitted
            ).update(met_at=submitted)
