"""Synthetic demo clues for `make run`: public reports, hotline transcripts and unit findings in every state
of the flow, one acknowledgement already late, one reward proposed. Idempotent: does nothing when clues
exist. Never real people."""

from datetime import timedelta
from decimal import Decimal

from django.utils import timezone

from fanguai.accounts.models import User
from fanguai.audit.context import acting
from fanguai.org.models import Region, Unit

from . import services
from .models import Category, Clue, ClueTransfer, Outcome, Priority, Source

PUBLIC_REPORTS = [
    (
        Category.MISSING_CHILD,
        "341522",
        "在集市上看到一个约五岁的男孩，很像寻人启事上的孩子，和一名中年男子在一起，孩子一直在哭。",
    ),
    (
        Category.ONLINE_ADOPTION,
        "",
        "某社交平台群里有人发帖“送养”刚出生的女婴，要求支付“营养费”两万元，私信联系。",
    ),
    (
        Category.AGENCY,
        "341502",
        "一家婚介所声称可以介绍外籍新娘，收费十几万元，女方不会说中文，看起来不自愿。",
    ),
    (
        Category.TRAFFICKING,
        "341522",
        "邻村一户人家新来的年轻女子被锁在屋里，说话口音是外省的，村里人说是买来的媳妇。",
    ),
    (Category.SURROGACY, "341503", "小区里有一处出租屋常有孕妇出入，门口有人看守，听说是做代孕的。"),
]
STAFF_CLUES = [
    (
        "investigator",
        Source.HOTLINE_110,
        Category.MISSING_CHILD,
        "341522",
        "110 接警记录：报警人称其 8 岁女儿放学未归，最后出现在学校门口。",
    ),
    (
        "office",
        Source.HOTLINE_12345,
        Category.AGENCY,
        "341503",
        "12345 热线转来：市民反映某劳务中介招募未成年人外出务工，扣押身份证。",
    ),
    (
        "liaison",
        Source.ADOPTION,
        Category.TRAFFICKING,
        "341524",
        "收养登记审查发现一份收养材料中出生证明信息与医院记录不符。",
    ),
]


def create_demo_clues() -> int:
    if Clue.objects.exists():
        return 0
    office = User.objects.filter(username="office").first()
    investigator = User.objects.filter(username="investigator").first()
    if office is None or investigator is None:
        return 0
    counties = {r.code: r for r in Region.objects.filter(level=Region.Level.COUNTY)}
    created: list[Clue] = []
    with acting(ip_address="127.0.0.1"):
        for index, (category, county_code, text) in enumerate(PUBLIC_REPORTS):
            receipt = services.submit_public_report(
                submission_key=f"demo-{index}",
                category=category,
                description=text,
                region=counties.get(county_code),
            )
            if receipt.clue is not None:
                created.append(receipt.clue)
        # A near-duplicate of the first report, for the duplicate proposal.
        services.submit_public_report(
            submission_key="demo-duplicate",
            category=Category.MISSING_CHILD,
            description="集市上有个五岁左右的男孩一直在哭，和一名中年男子在一起，像寻人启事上的孩子。",
            region=counties.get("341522"),
        )
        for username, source, category, county_code, text in STAFF_CLUES:
            actor = User.objects.filter(username=username).first()
            if actor is None:
                continue
            created.append(
                services.record_clue(
                    actor=actor,
                    source=source,
                    category=category,
                    description=text,
                    region=counties.get(county_code),
                )
            )
        huoqiu_police = Unit.objects.get(code="341522-police")
        # The first public report: transferred, acknowledged, answered, confirmed, reward proposed.
        first = created[0]
        services.transfer(actor=office, clue=first, to_unit=huoqiu_police, priority=Priority.URGENT)
        services.acknowledge(actor=investigator, clue=first)
        services.message_reporter(
            actor=investigator, clue=first, message="请问您看到孩子的大致时间是几点？", question=True
        )
        services.report_outcome(
            actor=investigator,
            clue=first,
            outcome=Outcome.CONFIRMED,
            message="经核查，孩子已找到并送返家中。",
        )
        services.propose_reward(
            actor=office, clue=first, amount=Decimal("2000"), reason="线索直接促成失踪儿童找回"
        )
        # The fourth: transferred and not acknowledged in time.
        late = created[3]
        moved = services.transfer(actor=office, clue=late, to_unit=huoqiu_police, priority=Priority.HIGH)
        past = timezone.now() - timedelta(hours=3)
        ClueTransfer.objects.filter(pk=moved.pk).update(
            transferred_at=past - timedelta(hours=12), due_at=past
        )
        from fanguai.deadlines.models import Deadline

        Deadline.objects.filter(object_id=str(moved.pk), kind="clues.acknowledge").update(
            due_at=past, warn_at=past - timedelta(hours=3)
        )
        # A hotline clue transferred to the county police, waiting.
        services.transfer(actor=office, clue=created[len(PUBLIC_REPORTS)], to_unit=huoqiu_police)
    return Clue.objects.count()
