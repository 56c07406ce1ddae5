"""Demo activities: publicity on the campaign days, training and source-governance actions across units
for this year and last, so the indicators and the dashboard map have figures. Idempotent."""

from datetime import date

from django.utils import timezone

from fanguai.accounts.models import User
from fanguai.audit.context import acting

from .models import Activity
from .services import record_activity

ACTIVITIES = [
    # (username, kind, title, month, day, people, campaign day, extra)
    ("investigator", "publicity", "“3·8”妇女节反拐宣传进社区", 3, 8, 650, "3.8", {}),
    ("investigator", "training", "基层派出所反拐业务培训", 4, 16, 80, "", {}),
    ("coordinator", "publicity", "霍邱县“六一”儿童防拐安全教育", 6, 1, 1200, "6.1", {}),
    ("liaison", "publicity", "救助管理机构开放日宣传", 6, 26, 300, "6.26", {}),
    ("office", "training", "全市反拐联席会议成员单位培训班", 5, 20, 120, "", {}),
    ("office", "publicity", "“12·4”国家宪法日以案说法", 12, 4, 900, "12.4", {}),
    (
        "investigator",
        "governance",
        "婚介机构专项整治",
        7,
        10,
        0,
        "",
        {
            "target": "industry",
            "problem": "两家婚介机构无证经营、发布跨境婚介广告",
            "rectification": "停业整顿，补办许可",
            "rectify_by": 8,
        },
    ),
    (
        "coordinator",
        "governance",
        "城关镇劳务中介排查",
        9,
        5,
        0,
        "",
        {"target": "place", "problem": "劳务中介未核验求职者身份", "rectification": "建立实名登记制度"},
    ),
]


def create_demo_outreach() -> int:
    if Activity.objects.exists():
        return 0
    today = timezone.localdate()
    created = 0
    with acting(ip_address="127.0.0.1"):
        for year in (today.year - 1, today.year):
            for username, kind, title, month, day, people, campaign, extra in ACTIVITIES:
                held_on = date(year, month, day)
                if held_on > today:
                    continue
                fields = dict(extra)
                if "rectify_by" in fields:
                    fields["rectify_by"] = date(year, fields["rectify_by"], 10)
                record_activity(
                    actor=User.objects.get(username=username),
                    kind=kind,
                    title=title,
                    held_on=held_on,
                    people_reached=people,
                    materials=people // 2,
                    campaign_day=campaign,
                    place="六安市",
                    audience="群众" if kind == "publicity" else "工作人员",
                    **fields,
                )
                created += 1
    return created
