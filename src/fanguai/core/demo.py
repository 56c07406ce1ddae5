"""Demo users (one per role) and synthetic demo data for `make run`. Faker (zh_CN) with a fixed seed:
realistic, repeatable, never real people. Both steps are idempotent."""

import random
from dataclasses import dataclass
from datetime import timedelta

from django.db import transaction
from django.utils import timezone
from django.utils.module_loading import import_string
from faker import Faker

from fanguai.accounts.models import User
from fanguai.accounts.roles import Role
from fanguai.audit.context import acting
from fanguai.org.models import Region, Unit

DEMO_PASSWORD = "Demo-2026-fanguai"  # noqa: S105 - published demo password, demo mode only
SEED = 2022


@dataclass(frozen=True)
class DemoUser:
    username: str
    role: str
    unit_code: str
    full_name: str


DEMO_USERS = [
    DemoUser("sysadmin", Role.SYSTEM_ADMIN, "341500-police", "系统管理员"),
    DemoUser("secadmin", Role.SECURITY_ADMIN, "341500-police", "安全管理员"),
    DemoUser("auditadmin", Role.AUDIT_ADMIN, "341500-police", "审计管理员"),
    DemoUser("office", Role.OFFICE_STAFF, "341500-office", "王立华"),
    DemoUser("liaison", Role.LIAISON, "341500-civil_affairs", "陈秀英"),
    DemoUser("coordinator", Role.COUNTY_COORDINATOR, "341522-government", "刘建国"),
    DemoUser("investigator", Role.INVESTIGATOR, "341522-police", "张伟"),
    DemoUser("dna", Role.DNA_ANALYST, "341500-dna-lab", "李静"),
    DemoUser("dna2", Role.DNA_ANALYST, "341500-dna-lab", "周敏"),  # the second pair of eyes on a DNA match
    DemoUser("caseworker", Role.CASEWORKER, "341522-shelter", "赵敏"),
    DemoUser("leader", Role.LEADER, "341500-conference", "孙志强"),
    # the 霍邱县 units that receive service referrals for rescued persons
    DemoUser("edu_liaison", Role.LIAISON, "341522-education", "周丽"),
    DemoUser("health_liaison", Role.LIAISON, "341522-health", "吴刚"),
    DemoUser("youth_liaison", Role.LIAISON, "341522-youth_league", "郑洁"),
    DemoUser("hrss_liaison", Role.LIAISON, "341522-hrss", "冯涛"),
    DemoUser("women_liaison", Role.LIAISON, "341522-women_federation", "何芳"),
    DemoUser("civil_liaison", Role.LIAISON, "341522-civil_affairs", "许军"),
    DemoUser("justice_liaison", Role.LIAISON, "341522-justice", "韩静"),  # legal aid (法律援助)
]


def one_user_per_role() -> list[str]:
    """The first demo user of each role, in the order of DEMO_USERS (the cast of the page-walking tests)."""
    seen: dict[str, str] = {}
    for demo in DEMO_USERS:
        seen.setdefault(demo.role, demo.username)
    return list(seen.values())


_demo_functions: list[tuple[int, str]] = []


def add_demo(function_path: str, order: int = 100) -> None:
    """Apps register their demo-data function (no arguments, idempotent) in AppConfig.ready; `fanguai setup
    --demo` runs them in order after the demo users and people."""
    _demo_functions.append((order, function_path))


@transaction.atomic
def create_demo_users() -> int:
    created = 0
    for demo in DEMO_USERS:
        user, was_created = User.objects.get_or_create(
            username=demo.username,
            defaults={
                "role": demo.role,
                "unit": Unit.objects.get(code=demo.unit_code),
                "full_name": demo.full_name,
                "email": f"{demo.username}@example.invalid",
            },
        )
        if was_created:
            user.set_password(DEMO_PASSWORD)
            user.save(update_fields=["password"])
            created += 1
    return created


def create_demo_data() -> int:
    """The foundation's demo people, then every app's registered demo. Returns the number of persons the
    foundation created (0 when present already)."""
    created = create_demo_people()
    for _order, path in sorted(_demo_functions):
        import_string(path)()
    return created


def create_demo_people() -> int:
    """Person records across units, some of unknown identity (which opens identity deadlines), a pair of
    duplicates to merge, and inbox notifications."""
    from fanguai.notifications.services import notify
    from fanguai.people.models import Person
    from fanguai.people.services import register_person

    if Person.objects.exists():
        return 0
    fake = Faker("zh_CN")
    fake.seed_instance(SEED)
    rng = random.Random(SEED)  # noqa: S311 - repeatable demo data, not security
    townships = list(Region.objects.filter(level=Region.Level.TOWNSHIP))
    registrars = {
        "341522-police": User.objects.get(username="investigator"),
        "341522-shelter": User.objects.get(username="caseworker"),
        "341500-office": User.objects.get(username="office"),
    }
    created = 0
    with acting(ip_address="127.0.0.1"):
        for index in range(48):
            unit_code = rng.choice(list(registrars))
            actor = registrars[unit_code]
            unknown = index % 6 == 0
            sex = rng.choice([Person.Sex.FEMALE, Person.Sex.MALE])
            birth = fake.date_of_birth(minimum_age=2, maximum_age=60)
            township = rng.choice(
                [t for t in townships if t.parent.code == "341522"] if index % 2 else townships
            )
            fields = {
                "sex": sex,
                "birth_date": None if unknown else birth,
                "region": township,
                "identity_status": Person.IdentityStatus.UNKNOWN if unknown else Person.IdentityStatus.KNOWN,
                "notes": "身高约一米三，口音为外省" if unknown else "",
            }
            if not unknown:
                name = fake.name_female() if sex == Person.Sex.FEMALE else fake.name_male()
                fields.update(
                    full_name=name,
                    id_card_number=fake.ssn(),
                    phone=fake.phone_number(),
                    address=fake.address(),
                )
            register_person(actor=actor, unit=actor.unit, **fields)
            created += 1
        # A duplicate registered by the shelter of a person the police already know.
        original = (
            Person.objects.filter(
                registered_by_unit__code="341522-police", identity_status=Person.IdentityStatus.KNOWN
            )
            .order_by("pk")
            .first()
        )
        if original is not None:
            register_person(
                actor=registrars["341522-shelter"],
                full_name=original.full_name,
                id_card_number=original.id_card_number,
                sex=original.sex,
                birth_date=original.birth_date,
                region=original.region,
            )
            created += 1
        for demo in DEMO_USERS:
            user = User.objects.get(username=demo.username)
            notify(
                recipients=[user],
                subject="欢迎使用反拐工作平台",
                body="这是演示环境，所有数据均为虚构。",
                kind="welcome",
            )
        # One deadline already late, to show how lateness looks on the home page.
        from fanguai.deadlines.models import Deadline

        first_open = Deadline.objects.filter(status=Deadline.Status.OPEN).order_by("pk").first()
        if first_open is not None:
            Deadline.objects.filter(pk=first_open.pk).update(
                due_at=timezone.now() - timedelta(hours=3), warn_at=timezone.now() - timedelta(days=2)
            )
    return created
