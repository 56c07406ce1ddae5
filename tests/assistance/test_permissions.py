"""The permission matrix of assistance: every page and API endpoint, for the whole cast. The case belongs to
bob's shelter; alice's unit (霍邱县公安局) receives a referral; charlie (another county) and dave (alice's
leader) see nothing of it; the office reads everything."""

import pytest
from django.utils import timezone

from fanguai.assistance import services

from ..permissions import Row, attachment, check_matrix, field_of, files_of
from .conftest import CHILD_NAME, SECRET_NAME, consent, register_child, take_in

pytestmark = pytest.mark.django_db
BOB = frozenset({"bob"})
ALICE = frozenset({"alice"})
OFFICE = frozenset({"office"})
# the city civil-affairs bureau (liaison) reads every shelter's cases and approves closures with the office
CASE_READERS = frozenset({"bob", "office", "liaison"})
CLOSURE = frozenset({"office", "liaison"})
# the register: kept by the care units (bob's shelter; the city civil-affairs bureau for the whole city),
# read by the county coordinator for the county and by the office
REGISTER_READERS = frozenset({"bob", "office", "liaison", "coordinator"})
REGISTER_KEEPERS = frozenset({"bob", "liaison"})
REFERRAL_READERS = frozenset({"alice", "bob", "office"})
# the referral lists answer the units (each sees its own); the indicators are counts
REFERRAL_LIST = frozenset({"alice", "bob", "charlie", "office", "liaison", "coordinator", "publicity"})
INDICATORS = frozenset({"bob", "dave", "office", "liaison", "coordinator", "publicity"})


@pytest.fixture
def scenario(cast):
    alice, bob = cast["alice"], cast["bob"]
    case = take_in(bob)
    consent_row = consent(bob, "341522-police", case=case)
    referral = services.refer(actor=bob, case=case, service="household_registration")
    consent(bob, "341522-education", case=case)
    accepted = services.refer(actor=bob, case=case, service="schooling")
    # alice's unit is the receiver of the household referral; the schooling one is accepted by education.
    from ..conftest import make_user

    edu = make_user("edu", "liaison", "341522-education")
    services.respond(actor=edu, referral=accepted, accept=True)
    second = services.refer(actor=bob, case=case, service="household_registration")
    accepted_by_alice = services.respond(actor=alice, referral=second, accept=True)
    visit = services.schedule_visit(actor=bob, case=case, scheduled_for=timezone.localdate())
    closing = take_in(bob, person_fields={"full_name": "closing"}, needs=[])
    services.record_outcome(actor=bob, case=closing, outcome="with_family", outcome_on=timezone.localdate())
    services.request_closure(actor=bob, case=closing, reason="home")
    registration = register_child(bob)
    return {
        "users": cast,
        "case": case,
        "closing": closing,
        "consent": consent_row,
        "referral": referral,
        "accepted": accepted_by_alice,
        "visit": visit,
        "registration": registration,
    }


def case_url(suffix=""):
    return lambda s: f"/assistance/cases/{s['case'].pk}/{suffix}"


def reg_url(suffix=""):
    return lambda s: f"/assistance/register/{s['registration'].pk}/{suffix}"


MATRIX = [
    Row("case list", lambda s: "/assistance/", CASE_READERS, secret=lambda s: SECRET_NAME),
    Row("case export", lambda s: "/assistance/cases.xlsx", CASE_READERS),
    Row("intake", lambda s: "/assistance/intake/", BOB),
    Row("case detail", case_url(), CASE_READERS, secret=lambda s: SECRET_NAME),
    Row("assessment", case_url("assessment/"), BOB, secret=lambda s: SECRET_NAME),
    Row("placement", case_url("placements/new/"), BOB),
    Row("case consent", case_url("consents/new/"), BOB),
    Row("case referral", case_url("referrals/new/"), BOB),
    Row("visit schedule", case_url("visits/new/"), BOB),
    Row("outcome", case_url("outcome/"), BOB),
    Row("close", case_url("close/"), BOB),
    Row(
        "case attach",
        case_url("attach/"),
        BOB,
        method="post",
        data=attachment,
        effect=files_of("case"),
    ),
    Row(
        "closure decision",
        lambda s: f"/assistance/cases/{s['closing'].pk}/closure-decision/",
        CLOSURE,
        method="post",
        data=lambda s: {"decision": "approve", "note": "同意结案"},
        effect=field_of("closing", "status"),
    ),
    Row("visit record", lambda s: f"/assistance/visits/{s['visit'].pk}/record/", BOB),
    Row(
        "consent withdraw",
        lambda s: f"/assistance/consents/{s['consent'].pk}/withdraw/",
        BOB,
        method="post",
        effect=field_of("consent", "withdrawn_on"),
    ),
    Row("referral list", lambda s: "/assistance/referrals/", REFERRAL_LIST),
    Row("referral export", lambda s: "/assistance/referrals.xlsx", REFERRAL_LIST),
    Row(
        "referral detail",
        lambda s: f"/assistance/referrals/{s['referral'].pk}/",
        REFERRAL_READERS,
        secret=lambda s: s["referral"].number,
    ),
    Row(
        "referral respond",
        lambda s: f"/assistance/referrals/{s['referral'].pk}/respond/",
        ALICE,
        method="post",
        data=lambda s: {"decision": "accept", "note": "已受理"},
        effect=field_of("referral", "status"),
    ),
    Row(
        "referral deliver",
        lambda s: f"/assistance/referrals/{s['accepted'].pk}/deliver/",
        ALICE,
        method="post",
        data=lambda s: {"outcome": "已办理户口登记"},
        effect=field_of("accepted", "status"),
    ),
    Row(
        "referral withdraw",
        lambda s: f"/assistance/referrals/{s['referral'].pk}/withdraw/",
        BOB,
        method="post",
        data=lambda s: {"reason": "no longer needed"},
        effect=field_of("referral", "status"),
    ),
    Row("register list", lambda s: "/assistance/register/", REGISTER_READERS, secret=lambda s: CHILD_NAME),
    Row("register export", lambda s: "/assistance/register.xlsx", REGISTER_READERS),
    Row("register create", lambda s: "/assistance/register/new/", REGISTER_KEEPERS),
    Row("register detail", reg_url(), REGISTER_READERS, secret=lambda s: CHILD_NAME),
    Row("register edit", reg_url("edit/"), REGISTER_KEEPERS),
    Row("guardian", reg_url("guardians/new/"), REGISTER_KEEPERS),
    Row("care visit", reg_url("visits/new/"), REGISTER_KEEPERS),
    Row("entrusted care", reg_url("entrusted-care/new/"), REGISTER_KEEPERS),
    Row("register consent", reg_url("consents/new/"), REGISTER_KEEPERS),
    Row("register referral", reg_url("referrals/new/"), REGISTER_KEEPERS),
    Row(
        "register attach",
        reg_url("attach/"),
        REGISTER_KEEPERS,
        method="post",
        data=attachment,
        effect=files_of("registration"),
    ),
    Row("campaigns", lambda s: "/assistance/campaigns/", CASE_READERS | {"coordinator"}),
    Row("indicators", lambda s: "/assistance/indicators/", INDICATORS),
    Row("indicator export", lambda s: "/assistance/indicators.xlsx", INDICATORS),
    Row("api cases", lambda s: "/api/assistance/cases", CASE_READERS, secret=lambda s: s["case"].number),
    Row("api case", lambda s: f"/api/assistance/cases/{s['case'].pk}", CASE_READERS),
    Row("api referrals", lambda s: "/api/assistance/referrals", REFERRAL_LIST),
    Row(
        "api referral",
        lambda s: f"/api/assistance/referrals/{s['referral'].pk}",
        REFERRAL_READERS,
        secret=lambda s: s["referral"].number,
    ),
    Row(
        "api register",
        lambda s: "/api/assistance/register",
        REGISTER_READERS,
        secret=lambda s: s["registration"].number,
    ),
    Row("api indicators", lambda s: "/api/assistance/indicators", INDICATORS),
    # the laboratory sees the requests addressed to it, by number only
    Row("api dna requests", lambda s: "/api/assistance/dna-requests", OFFICE | {"analyst"}),
]


def test_permission_matrix(scenario):
    """One scenario serves every row, writes included (each request is rolled back; the suite runs on two
    shared cores)."""
    check_matrix(MATRIX, scenario, scenario["users"])


def test_charlie_lists_no_referral_of_another_county(scenario, login):
    body = login(scenario["users"]["charlie"]).get("/assistance/referrals/").content.decode()
    assert scenario["referral"].number not in body
