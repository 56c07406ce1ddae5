"""Demo data of assistance: liaisons of the county units that receive referrals, rescued persons at every
step (referrals pending, accepted, delivered; an unknown identity with its family search and DNA request; a
closed case), and the left-behind register of 霍邱县 with guardians, a summer visit campaign, visits and an
entrusted-care arrangement. Idempotent: the users are created once, the data only when no case exists."""

from datetime import date, timedelta

from django.db import transaction
from django.utils import timezone

from fanguai.accounts.models import User
from fanguai.audit.context import acting
from fanguai.org.models import Region, Unit
from fanguai.people.models import Person

from . import services
from .models import AssistanceCase, CareRegistration, CareVisit, Consent, Placement

# Liaisons of the units that receive referrals and run care visits; created with the other demo users
# (fanguai.core.demo.DEMO_USERS).
DEMO_LIAISONS = [
    "edu_liaison",
    "health_liaison",
    "youth_liaison",
    "hrss_liaison",
    "women_liaison",
    "civil_liaison",
    "justice_liaison",
]


def _consent(actor, owner_kw: dict, unit_code: str, fields=("full_name", "sex", "birth_date", "needs")):
    return services.record_consent(
        actor=actor,
        unit=Unit.objects.get(code=unit_code),
        basis=Consent.Basis.GUARDIAN,
        given_by="监护人",
        fields=list(fields),
        given_on=timezone.localdate(),
        **owner_kw,
    )


@transaction.atomic
def create_demo_assistance() -> int:
    """Returns the number of cases created (0 when present already)."""
    if AssistanceCase.objects.exists():
        return 0
    caseworker = User.objects.get(username="caseworker")
    police = Unit.objects.get(code="341522-police")
    townships = list(
        Region.objects.filter(parent__code="341522", level=Region.Level.TOWNSHIP).order_by("code")
    )
    home = townships[0] if townships else Region.objects.get(code="341522")
    liaison = {name: User.objects.get(username=name) for name in DEMO_LIAISONS}
    now = timezone.now()
    today = timezone.localdate()
    with acting(ip_address="127.0.0.1"):
        child = services.take_in(
            actor=caseworker,
            person_fields={
                "full_name": "林小雨",
                "sex": Person.Sex.FEMALE,
                "birth_date": date(today.year - 12, 5, 17),
                "identity_status": Person.IdentityStatus.KNOWN,
                "region": home,
            },
            handed_over_by_unit=police,
            handed_over_by_officer="张伟",
            handed_over_at=now - timedelta(days=20),
            case_reference="霍公（刑）〔2026〕015号",
            circumstances="在外省被解救，由霍邱县公安局移交。",
            needs=["schooling", "medical", "psychological", "household_registration", "legal_aid"],
            risk_level="medium",
            risk_notes="情绪低落，需心理疏导。",
            guardianship=AssistanceCase.Guardianship.SHELTER_TEMPORARY,
            guardianship_notes="父母外出务工，暂由救助站临时监护。",
        )
        owner = {"case": child}
        for code in ("341522-education", "341522-health", "341522-youth_league", "341522-justice"):
            _consent(caseworker, owner, code)
        school = services.refer(
            actor=caseworker, case=child, service="schooling", request="联系就近学校插班就读。"
        )
        medical = services.refer(actor=caseworker, case=child, service="medical", request="全面体检。")
        services.refer(actor=caseworker, case=child, service="psychological", request="12355 心理疏导。")
        legal = services.refer(
            actor=caseworker,
            case=child,
            service="legal_aid",
            request="申请法律援助，追究拐卖者的民事赔偿责任。",
        )
        services.respond(
            actor=liaison["justice_liaison"], referral=legal, accept=True, note="已指派援助律师。"
        )
        school = services.respond(
            actor=liaison["edu_liaison"], referral=school, accept=True, note="已安排学校。"
        )
        services.deliver(
            actor=liaison["edu_liaison"], referral=school, outcome="已在城关镇中心小学五年级就读。"
        )
        services.respond(actor=liaison["health_liaison"], referral=medical, accept=True)
        services.schedule_visit(actor=caseworker, case=child, scheduled_for=today + timedelta(days=14))

        unknown = services.take_in(
            actor=caseworker,
            person_fields={
                "sex": Person.Sex.MALE,
                "identity_status": Person.IdentityStatus.UNKNOWN,
            },
            handed_over_by_unit=police,
            handed_over_by_officer="张伟",
            handed_over_at=now - timedelta(days=3),
            circumstances="街面巡查发现，自述记不清家乡。",
            needs=["family_search", "relief"],
            risk_level="high",
        )
        _consent(caseworker, {"case": unknown}, "341522-civil_affairs", fields=("sex", "needs"))
        services.refer(actor=caseworker, case=unknown, service="relief", request="临时生活救助。")

        done = services.take_in(
            actor=caseworker,
            person_fields={
                "full_name": "陈红梅",
                "sex": Person.Sex.FEMALE,
                "birth_date": date(today.year - 29, 2, 3),
                "identity_status": Person.IdentityStatus.KNOWN,
                "region": home,
            },
            handed_over_by_unit=police,
            handed_over_by_officer="张伟",
            handed_over_at=now - timedelta(days=120),
            needs=["employment"],
            risk_level="low",
        )
        _consent(caseworker, {"case": done}, "341522-hrss")
        job = services.refer(
            actor=caseworker, case=done, service="employment", request="技能培训与就业推荐。"
        )
        job = services.respond(actor=liaison["hrss_liaison"], referral=job, accept=True)
        services.deliver(actor=liaison["hrss_liaison"], referral=job, outcome="已参加家政培训并就业。")
        services.add_placement(
            actor=caseworker,
            case=done,
            kind=Placement.Kind.OWN_FAMILY,
            responsible_unit=Unit.objects.get(code="341522-civil_affairs"),
            place="返回原籍与家人同住",
            started_on=today - timedelta(days=60),
        )
        visit = services.schedule_visit(actor=caseworker, case=done, scheduled_for=today - timedelta(days=5))
        services.record_visit(
            actor=caseworker,
            visit=visit,
            visited=True,
            visited_on=today - timedelta(days=5),
            notes="生活稳定，已就业。",
            risk_flags=[],
        )
        services.record_outcome(actor=caseworker, case=done, outcome="employed", outcome_on=today)
        services.request_closure(actor=caseworker, case=done, reason="已稳定就业，回归社会。")
        services.decide_closure(actor=liaison["civil_liaison"], case=done, approve=True, note="同意结案。")

        _demo_register(liaison, townships or [home], today, caseworker)
    return 3


def _demo_register(liaison: dict, townships: list, today, caseworker) -> None:
    women = liaison["women_liaison"]
    youth = liaison["youth_liaison"]
    summer_start = date(today.year, 7, 1) if today >= date(today.year, 7, 1) else date(today.year - 1, 7, 1)
    campaign = services.create_campaign(
        actor=women,
        name=f"{summer_start.year}年暑假留守儿童走访排查",
        starts_on=summer_start,
        ends_on=summer_start + timedelta(days=61),
    )
    children = [
        ("王小明", Person.Sex.MALE, 9, "high", "父母均在外务工，由年迈祖母照看。"),
        ("李佳佳", Person.Sex.FEMALE, 7, "medium", "父亲在外务工，母亲在家。"),
        ("赵子涵", Person.Sex.FEMALE, 13, "low", "随外出务工父母流动。"),
    ]
    for index, (name, sex, age, risk, situation) in enumerate(children):
        registration = services.register_care(
            actor=women,
            person_fields={
                "full_name": name,
                "sex": sex,
                "birth_date": date(today.year - age, 3, 1 + index),
                "identity_status": Person.IdentityStatus.KNOWN,
            },
            category=CareRegistration.Category.MIGRANT_CHILD
            if index == 2
            else CareRegistration.Category.LEFT_BEHIND_CHILD,
            township=townships[index % len(townships)],
            risk_level=risk,
            situation=situation,
        )
        services.add_guardian(
            actor=women,
            registration=registration,
            person_fields={"full_name": f"{name[0]}奶奶", "sex": Person.Sex.FEMALE},
            relationship="grandparent",
            lives_with_child=True,
            works_away=False,
        )
        services.record_care_visit(
            actor=women,
            registration=registration,
            programme=CareVisit.Programme.CHILDRENS_HOME,
            campaign=campaign,
            visited_on=min(today, summer_start + timedelta(days=10 + index)),
            findings="暑假走访：生活、学习情况正常。" if risk != "high" else "祖母身体差，孩子常独自在家。",
            risk_level=risk,
        )
        if index == 0:
            services.record_care_visit(
                actor=youth,
                registration=registration,
                programme=CareVisit.Programme.TONGXIN,
                campaign=None,
                visited_on=today,
                findings="童心港湾陪伴活动，发现有陌生人多次接触孩子。",
                risk_level="high",
                clue_wanted=True,
            )
            services.record_entrusted_care(
                actor=women,
                registration=registration,
                carer=f"{name[0]}奶奶",
                carer_relationship="grandparent",
                entrusted_by="孩子父母",
                starts_on=today - timedelta(days=365),
                ends_on=None,
                notes="签订委托照护协议。",
            )
            _consent(women, {"registration": registration}, "341522-youth_league")
            services.refer(
                actor=women, registration=registration, service="psychological", request="12355 心理陪伴。"
            )
        if index == 1:
            # The shelter's own visit that awaits its clue (its list 待报送线索的走访 shows it).
            services.record_care_visit(
                actor=caseworker,
                registration=registration,
                programme=CareVisit.Programme.ROUTINE,
                campaign=None,
                visited_on=today,
                findings="走访发现有外地男子多次打听孩子父母外出务工情况，并提出“带孩子去城里上学”。",
                risk_level="high",
                clue_wanted=True,
            )
