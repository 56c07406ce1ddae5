"""Demo cases for `make run`: a few trafficking cases across counties, one child-trafficking case under the
one-chief-three-packages record (its chief and owners are police accounts, the demo investigator owns one
package) and linked to a demo clue, some solved (for the clearance rate). Idempotent."""

from datetime import date

from django.db import transaction
from django.utils import timezone

from fanguai.accounts.models import User
from fanguai.accounts.roles import Role
from fanguai.audit.context import acting
from fanguai.clues.models import Clue
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


# The police of 霍邱县 named in the one-chief-three-packages record: accounts without a password (they are
# named, notified and accountable; signing in as them is not part of the demo).
DEMO_OFFICERS = [
    ("hq_police_chief", Role.LEADER, "刘国强"),
    ("hq_police_rescue", Role.INVESTIGATOR, "周伟"),
    ("hq_police_family", Role.INVESTIGATOR, "吴强"),
]


def _officers() -> dict[str, User]:
    unit = Unit.objects.get(code="341522-police")
    officers = {}
    for username, role, full_name in DEMO_OFFICERS:
        user, created = User.objects.get_or_create(
            username=username,
            defaults={
                "role": role,
                "unit": unit,
                "full_name": full_name,
                "email": f"{username}@example.invalid",
            },
        )
        if created:
            user.set_unusable_password()
            user.save(update_fields=["password"])
        officers[username] = user
    return officers


def _demo_clue(investigator) -> Clue | None:
    """A clue of 霍邱县 about a missing child, one the demo investigator may see."""
    from .selectors import clue_for_link

    for clue in Clue.objects.filter(county__code="341522", category="missing_child").order_by("created_at"):
        if clue.status != Clue.Status.MERGED and clue_for_link(investigator, clue.number) is not None:
            return clue
    return None


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
                officers = _officers()
                record = services.set_responsibility(
                    actor=investigator,
                    case=case,
                    chief=officers["hq_police_chief"],
                    chief_position="霍邱县公安局局长",
                    owners={
                        "solve": investigator,
                        "rescue": officers["hq_police_rescue"],
                        "family": officers["hq_police_family"],
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
                clue = _demo_clue(investigator)
                if clue is not None:
                    services.link_clue(actor=investigator, case=case, clue=clue, note="群众举报")
            if solved and unit_code == investigator.unit.code:
                services.change_status(actor=investigator, case=case, status="solved")
            elif solved:  # those counties have no demo investigator to record it
                Case.objects.filter(pk=case.pk).update(status=Case.Status.SOLVED, solved_on=today)
    return created
