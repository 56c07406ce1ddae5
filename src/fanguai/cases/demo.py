"""Demo cases for `make run`: a few trafficking cases across counties, one child-trafficking case under the
one-chief-three-packages record, some solved (for the clearance rate). Idempotent."""

from datetime import date

from django.db import transaction
from django.utils import timezone

from fanguai.accounts.models import User
from fanguai.audit.context import acting
from fanguai.org.models import Unit

from . import services
from .models import Case

DEMO_CASES = [
    # title, kind, unit, solved, months ago
    ("王某某拐卖儿童案", Case.Kind.CHILD_TRAFFICKING, "341522-police", False, 1),
    ("李某某拐卖妇女案", Case.Kind.WOMEN_TRAFFICKING, "341522-police", True, 3),
    ("网络招聘诱骗强迫劳动案", Case.Kind.FORCED_LABOUR, "341522-police", True, 5),
    ("非法收养儿童案", Case.Kind.ILLEGAL_ADOPTION, "341502-police", True, 2),
    ("非法代孕案", Case.Kind.ILLEGAL_SURROGACY, "341503-police", False, 4),
    ("网络贩卖婴儿案", Case.Kind.ONLINE_TRAFFICKING, "341524-police", True, 6),
]


@transaction.atomic
def create_demo_cases() -> int:
    if Case.objects.exists():
        return 0
    investigator = User.objects.get(username="investigator")
    today = timezone.localdate()
    created = 0
    with acting(user=investigator, ip_address="127.0.0.1"):
        for title, kind, unit_code, solved, months in DEMO_CASES:
            month = (today.month - months - 1) % 12 + 1
            year = today.year if month <= today.month else today.year - 1
            case = services.open_case(
                actor=investigator,
                title=title,
                kind=kind,
                summary="演示数据，均为虚构。",
                filed_on=date(year, month, min(today.day, 28)),
                unit=Unit.objects.get(code=unit_code),
            )
            created += 1
            if kind == Case.Kind.CHILD_TRAFFICKING:
                record = services.set_responsibility(
                    actor=investigator,
                    case=case,
                    chief_name="刘国强",
                    chief_position="霍邱县公安局局长",
                    owners={
                        "solve": "刑侦大队长 陈明",
                        "rescue": "打拐中队长 周伟",
                        "family": "城关派出所所长 吴刚",
                    },
                )
                services.change_status(actor=investigator, case=case, status="investigating")
                services.update_package(
                    actor=investigator,
                    package=record.packages.get(kind="family"),
                    status="in_progress",
                    notes="已安排心理疏导",
                )
                services.add_party(
                    actor=investigator, case=case, role="victim", full_name="王小宝", sex="male"
                )
                services.link_clue(actor=investigator, case=case, clue_number="K2026DEMO1", note="群众举报")
            if solved and unit_code == investigator.unit.code:
                services.change_status(actor=investigator, case=case, status="solved")
            elif solved:  # those counties have no demo investigator to record it
                Case.objects.filter(pk=case.pk).update(status=Case.Status.SOLVED, solved_on=today)
    return created
