"""Permission-matrix rows for every clue page and endpoint, with the fixed cast: alice (county police of the
clue's county, responsible unit), bob (another unit of the county), charlie (police of another county),
dave (leader in alice's unit), office (city-wide)."""

import json
from decimal import Decimal

import pytest
from django.test import Client

from fanguai.clues import services
from fanguai.clues.models import Clue, ClueEvent, Reward
from fanguai.org.models import Region, Unit

from ..conftest import make_user
from ..permissions import SIGNED_IN, Row, attachment, check_matrix, field_of, files_of
from .helpers import submit

SECRET = "秘密线索描述内容"
REPORTER = "举报人赵某"
TRIAGERS = frozenset({"alice", "office"})
# every unit records clues (member units, county coordinators, publicity); the administrators and the
# laboratory do not, nor leaders
SIGNED_IN_WORKERS = frozenset({"alice", "bob", "charlie", "office", "liaison", "coordinator", "publicity"})
STATISTICS = frozenset({"alice", "charlie", "dave", "office", "coordinator"})
EVERYONE = frozenset({"alice", "bob", "charlie", "dave", "office"})
PUBLIC = SIGNED_IN | {"anonymous"}


@pytest.fixture
def scenario(cast):
    alice, office = cast["alice"], cast["office"]
    huoqiu = Region.objects.get(code="341522")
    police = Unit.objects.get(code="341522-police")
    submit(
        description=SECRET,
        region=str(huoqiu.pk),
        contact_name=REPORTER,
        contact_phone="13800004444",
        contact_consent="on",
    )
    clue = Clue.objects.get()
    services.transfer(actor=office, clue=clue, to_unit=police)
    acked = services.record_clue(
        actor=office, source="hotline_110", category="trafficking", description=SECRET, region=huoqiu
    )
    services.transfer(actor=office, clue=acked, to_unit=police)
    services.acknowledge(actor=alice, clue=acked)
    services.report_outcome(actor=alice, clue=acked, outcome="confirmed", message="ok")
    duplicate = services.record_clue(
        actor=office, source="hotline_110", category="trafficking", description="重复线索", region=huoqiu
    )
    services.transfer(actor=office, clue=duplicate, to_unit=police)
    closed = services.record_clue(
        actor=office, source="hotline_110", category="trafficking", description="已办结线索", region=huoqiu
    )
    services.transfer(actor=office, clue=closed, to_unit=police)
    services.close(actor=office, clue=closed, message="办结")
    colleague = make_user("office2", "office_staff", "341500-office")
    to_decide = services.propose_reward(actor=colleague, clue=acked, amount=Decimal("100"), reason="r")
    to_pay = services.propose_reward(actor=colleague, clue=acked, amount=Decimal("200"), reason="r")
    services.decide_reward(actor=office, reward=to_pay, approve=True)
    return {
        "clue": clue,
        "acked": acked,
        "duplicate": duplicate,
        "closed": closed,
        "to_decide": to_decide,
        "to_pay": to_pay,
        "users": cast,
    }


def _clue(s):
    return s["clue"].pk


def events(kind: str, key: str = "clue"):
    """An effect: how many events of a kind the clue has."""
    return lambda s: ClueEvent.objects.filter(clue=s[key], kind=kind).count()


MATRIX = [
    Row("list", lambda s: "/clues/", SIGNED_IN_WORKERS, secret=lambda s: SECRET, secret_readers=TRIAGERS),
    Row("detail", lambda s: f"/clues/{_clue(s)}/", TRIAGERS, secret=lambda s: SECRET),
    Row("reporter", lambda s: f"/clues/{_clue(s)}/reporter/", TRIAGERS, secret=lambda s: REPORTER),
    Row("create form", lambda s: "/clues/new/", SIGNED_IN_WORKERS),
    Row("transfer form", lambda s: f"/clues/{_clue(s)}/transfer/", TRIAGERS, secret=lambda s: SECRET),
    Row(
        "triage",
        lambda s: f"/clues/{_clue(s)}/triage/",
        TRIAGERS,
        method="post",
        data=lambda s: {"priority": "urgent", "category": "missing_child", "message": "升级"},
        effect=field_of("clue", "priority", "category"),
    ),
    Row(
        "acknowledge",
        lambda s: f"/clues/{_clue(s)}/acknowledge/",
        frozenset({"alice"}),
        method="post",
        effect=field_of("clue", "status"),
    ),
    Row(
        "outcome",
        lambda s: f"/clues/{s['acked'].pk}/outcome/",
        frozenset({"alice"}),
        method="post",
        data=lambda s: {"outcome": "in_progress", "message": "核查中"},
        effect=events("outcome", "acked"),
    ),
    Row(
        "message",
        lambda s: f"/clues/{_clue(s)}/message/",
        TRIAGERS,
        method="post",
        data=lambda s: {"message": "感谢您的举报，我们正在核查。"},
        effect=events("feedback"),
    ),
    Row(
        "note",
        lambda s: f"/clues/{_clue(s)}/note/",
        TRIAGERS,
        method="post",
        data=lambda s: {"message": "内部备注"},
        effect=events("note"),
    ),
    Row(
        "attach",
        lambda s: f"/clues/{_clue(s)}/attach/",
        TRIAGERS,
        method="post",
        data=attachment,
        effect=files_of("clue"),
    ),
    Row(
        "close",
        lambda s: f"/clues/{_clue(s)}/close/",
        TRIAGERS,
        method="post",
        data=lambda s: {"message": "核查完毕"},
        effect=field_of("clue", "status"),
    ),
    Row(
        "reopen",
        lambda s: f"/clues/{s['closed'].pk}/reopen/",
        TRIAGERS,
        method="post",
        effect=field_of("closed", "status"),
    ),
    Row(
        "merge",
        lambda s: f"/clues/{_clue(s)}/merge/",
        TRIAGERS,
        method="post",
        data=lambda s: {"duplicate": s["duplicate"].pk},
        effect=field_of("duplicate", "status", "merged_into"),
    ),
    # linking the clue to a case from its page is a route of the cases app (tests/cases/test_permissions.py)
    Row(
        "reward propose",
        lambda s: f"/clues/{s['acked'].pk}/reward/",
        frozenset({"office"}),
        method="post",
        data=lambda s: {"amount": "500", "reason": "线索查证属实"},
        effect=lambda s: Reward.objects.filter(clue=s["acked"]).count(),
    ),
    Row("rewards", lambda s: "/clues/rewards/", frozenset({"office"}), secret=lambda s: s["acked"].number),
    Row(
        "reward decide",
        lambda s: f"/clues/rewards/{s['to_decide'].pk}/decide/",
        frozenset({"office"}),
        method="post",
        data=lambda s: {"decision": "refuse", "note": "不符合条件"},
        effect=field_of("to_decide", "status"),
    ),
    Row(
        "reward pay",
        lambda s: f"/clues/rewards/{s['to_pay'].pk}/pay/",
        frozenset({"office"}),
        method="post",
        data=lambda s: {"payment_reference": "PAY-1"},
        effect=field_of("to_pay", "status"),
    ),
    Row("statistics", lambda s: "/clues/statistics/", STATISTICS),
    Row("statistics export", lambda s: "/clues/statistics/export.xlsx", STATISTICS),
    Row("public form", lambda s: "/report/", PUBLIC),
    Row("public follow-up", lambda s: "/report/follow-up/", PUBLIC),
    # API lists answer everyone signed in (empty when nothing is visible)
    Row(
        "api list",
        lambda s: "/api/clues",
        SIGNED_IN,
        secret=lambda s: s["clue"].number,
        secret_readers=TRIAGERS,
    ),
    # The API writes JSON with \u escapes: the secret must be ASCII there.
    Row("api detail", lambda s: f"/api/clues/{_clue(s)}", TRIAGERS, secret=lambda s: s["clue"].number),
    Row("api statistics", lambda s: "/api/clues/statistics", STATISTICS),
]


def test_permission_matrix(scenario):
    """One scenario serves every row (each request is rolled back)."""
    check_matrix(MATRIX, scenario, scenario["users"])


@pytest.mark.parametrize("url", ["/clues/", "/api/clues"])
def test_lists_hold_no_clue_of_another_county_or_unit(url, scenario):
    for who in ("bob", "charlie", "dave"):
        client = Client()
        client.force_login(scenario["users"][who])
        response = client.get(url)
        body = (
            response.content.decode() if url == "/clues/" else json.dumps(response.json(), ensure_ascii=False)
        )
        assert scenario["clue"].number not in body and SECRET not in body, who


def test_the_api_never_carries_the_reporter_or_the_receipt(scenario):
    client = Client()
    client.force_login(scenario["users"]["office"])
    body = json.dumps(client.get(f"/api/clues/{_clue(scenario)}").json(), ensure_ascii=False)
    assert SECRET in body and REPORTER not in body and "receipt" not in body and "pbkdf2" not in body


PUBLIC_PAGES = ["/report/", "/report/follow-up/"]


@pytest.mark.parametrize("url", PUBLIC_PAGES)
def test_public_pages_are_open_and_leak_no_staff_data(url, scenario):
    response = Client().get(url)
    assert response.status_code == 200
    body = response.content.decode()
    for secret in (SECRET, REPORTER, scenario["clue"].number, "霍邱县公安局", "alice"):
        assert secret not in body


@pytest.mark.parametrize(
    "url",
    ["/report/follow-up/report/message/", "/report/follow-up/report/claim/"],
)
def test_public_writes_need_a_receipt_code(url, scenario):
    response = Client().post(url, {"message": "x", "details": "x"})
    assert response.status_code == 302 and response["Location"] == "/report/follow-up/"
    assert not scenario["clue"].events.filter(kind="reporter_message").exists()
