"""Demo supervision data: listings in every state (one under a yellow and one under a red warning) and
inspections with findings and rectifications at each step. Idempotent: does nothing once a listing exists."""

from datetime import timedelta

from django.db import transaction
from django.utils import timezone

from fanguai.accounts.models import User
from fanguai.audit.context import acting
from fanguai.deadlines.models import Deadline
from fanguai.org.models import Region, Unit

from . import services
from .deadline_kinds import LISTING, RECTIFICATION
from .models import Inspection, Listing, Rectification


def _backdate_listing(listing: Listing, *, listed_days_ago: int, due_in_days: int) -> Listing:
    """Demo only: pretend the listing was made earlier and falls due at another time."""
    now = timezone.now()
    due_date = timezone.localdate() + timedelta(days=due_in_days)
    due_at = services.end_of_day(due_date)
    Listing.objects.filter(pk=listing.pk).update(
        created_at=now - timedelta(days=listed_days_ago), due_date=due_date, due_at=due_at
    )
    Deadline.objects.filter(object_id=str(listing.pk), kind=LISTING, status=Deadline.Status.OPEN).update(
        due_at=due_at, warn_at=min(due_at, now)
    )
    return Listing.objects.get(pk=listing.pk)


@transaction.atomic
def create_demo_supervision() -> int:
    """Returns the number of listings created (0 when present already)."""
    if Listing.objects.exists():
        return 0
    office = User.objects.get(username="office")
    investigator = User.objects.get(username="investigator")
    caseworker = User.objects.get(username="caseworker")
    unit = Unit.objects.get
    today = timezone.localdate()
    with acting(ip_address="127.0.0.1"):
        normal = services.create_listing(
            actor=office,
            kind=Listing.Kind.CASE,
            title="霍邱县“3·15”拐卖儿童案",
            case_reference="霍公（刑）立字〔2026〕015号",
            requirements="落实“一长三包”责任制，三个月内查明被拐儿童下落并依法打击犯罪嫌疑人。",
            responsible_unit=unit(code="341522-police"),
            due_date=today + timedelta(days=60),
        )
        services.report_progress(
            actor=investigator, listing=normal, text="已成立专案组，完成嫌疑人身份核查，正在开展异地追查。"
        )

        yellow = services.create_listing(
            actor=office,
            kind=Listing.Kind.AREA,
            title="城关镇婚介场所涉拐风险整治",
            region=Region.objects.filter(parent__code="341522", level=Region.Level.TOWNSHIP)
            .order_by("code")
            .first()
            or Region.objects.get(code="341522"),
            problem="多家无证婚介机构涉嫌介绍跨国婚姻，存在拐卖妇女风险。",
            requirements="开展专项排查，依法取缔无证婚介机构，建立台账。",
            responsible_unit=unit(code="341522-police"),
            due_date=today + timedelta(days=30),
        )
        yellow = _backdate_listing(yellow, listed_days_ago=40, due_in_days=5)
        services.check_listing(yellow)

        red = services.create_listing(
            actor=office,
            kind=Listing.Kind.CASE,
            title="金安区流浪儿童身份查找",
            case_reference="金公（刑）〔2026〕008号",
            requirements="采血入库比对，两个月内查明身份，落实救助安置。",
            responsible_unit=unit(code="341502-police"),
            due_date=today + timedelta(days=30),
        )
        red = _backdate_listing(red, listed_days_ago=70, due_in_days=-3)
        services.check_listing(red)

        requested = services.create_listing(
            actor=office,
            kind=Listing.Kind.AREA,
            title="霍邱县救助管理站寻亲工作",
            region=Region.objects.get(code="341522"),
            problem="滞留受助人员长期未能寻亲。",
            requirements="逐人开展DNA比对和人像比对，一月一报。",
            responsible_unit=unit(code="341522-shelter"),
            due_date=today + timedelta(days=20),
        )
        services.report_progress(
            actor=caseworker, listing=requested, text="已完成全部滞留人员采血和人像比对。"
        )
        services.request_lift(actor=caseworker, listing=requested, reason="全部滞留人员已寻亲或落户安置。")

        lifted = services.create_listing(
            actor=office,
            kind=Listing.Kind.CASE,
            title="霍邱县网络招聘诱骗案",
            case_reference="霍公（刑）〔2025〕121号",
            requirements="依法打击，督促平台整改。",
            responsible_unit=unit(code="341522-police"),
            due_date=today + timedelta(days=10),
        )
        services.request_lift(actor=investigator, listing=lifted, reason="案件已侦破，嫌疑人已移送起诉。")
        services.decide_lift(actor=office, listing=lifted, approve=True, note="同意摘牌。")

        _demo_inspections(office, investigator, caseworker, today)
    return 5


def _demo_inspections(office: User, investigator: User, caseworker: User, today) -> None:
    unit = Unit.objects.get
    done = services.schedule_inspection(
        actor=office,
        kind=Inspection.Kind.ROUTINE,
        title="2026年上半年反拐工作督导检查（霍邱县）",
        target_unit=unit(code="341522-police"),
        target_region=Region.objects.get(code="341522"),
        scheduled_for=today,
        team="市反拐办 王立华、市民政局 陈秀英",
        scope="一长三包责任制落实、儿童失踪快速查找、采血入库。",
    )
    services.record_conduct(
        actor=office, inspection=done, conducted_on=today, summary="总体落实较好，存在两处问题。"
    )
    first = services.record_finding(
        actor=office, inspection=done, description="部分来历不明儿童未及时采血入库。", severity="serious"
    )
    second = services.record_finding(
        actor=office, inspection=done, description="救助站寻亲台账更新不及时。", severity="minor"
    )
    reported = services.order_rectification(
        actor=office,
        finding=first,
        responsible_unit=unit(code="341522-police"),
        requirement="一个月内完成全部采血入库并报送台账。",
        due_date=today + timedelta(days=30),
    )
    services.report_rectification(
        actor=investigator, rectification=reported, text="已完成23人采血入库，台账已更新。"
    )
    late = services.order_rectification(
        actor=office,
        finding=second,
        responsible_unit=unit(code="341522-shelter"),
        requirement="补齐寻亲台账，每月更新。",
        due_date=today + timedelta(days=7),
    )
    # One rectification already late, to show lateness.
    past = timezone.now() - timedelta(days=2)
    Rectification.objects.filter(pk=late.pk).update(due_date=timezone.localdate(past), due_at=past)
    Deadline.objects.filter(object_id=str(late.pk), kind=RECTIFICATION).update(due_at=past, warn_at=past)

    closed = services.schedule_inspection(
        actor=office,
        kind=Inspection.Kind.SPECIAL,
        title="霍邱县救助管理站反拐宣传专项检查",
        target_unit=unit(code="341522-shelter"),
        scheduled_for=today,
        team="市反拐办",
        scope="“6·26”宣传活动开展情况。",
    )
    services.record_conduct(actor=office, inspection=closed, conducted_on=today)
    finding = services.record_finding(
        actor=office, inspection=closed, description="宣传材料未覆盖乡镇。", severity="minor"
    )
    rectification = services.order_rectification(
        actor=office,
        finding=finding,
        responsible_unit=unit(code="341522-shelter"),
        requirement="向各乡镇补发宣传材料。",
        due_date=today + timedelta(days=14),
    )
    services.report_rectification(actor=caseworker, rectification=rectification, text="已向全部乡镇补发。")
    services.accept_rectification(actor=office, rectification=rectification, note="整改到位。")
    services.close_inspection(actor=office, inspection=closed)

    services.schedule_inspection(
        actor=office,
        kind=Inspection.Kind.PATERNITY_TESTING,
        title="亲子鉴定机构专项检查",
        target_region=Region.objects.get(code="341503"),
        institution="裕安区某司法鉴定所",
        scheduled_for=today + timedelta(days=10),
        team="市反拐办、市公安局物证鉴定所",
        scope="严厉打击虚假亲子鉴定行为：委托手续、样本采集、报告出具。",
    )
