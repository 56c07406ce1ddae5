import io
import json

import pytest
import yaml
from django.conf import settings
from django.core.management import CommandError, call_command

from fanguai.audit.models import AuditEvent
from fanguai.core.errors import ValidationFailed
from fanguai.plans.loader import export_plan, load_plan, load_plan_text
from fanguai.plans.models import Plan, PlanClause, PlanItem, PlanUnit

from .conftest import PLAN_FILE

SOURCE = settings.REPO_DIR / "plans/sources/liuan-2022.zh.txt"
CN = "一二三四"


def _content():
    return yaml.safe_load(PLAN_FILE.read_text(encoding="utf-8"))


def test_the_lu_an_plan_loads_and_exports_exactly(plan):
    assert export_plan(plan) == _content()
    assert [u["unit"] for u in export_plan(plan)["units"]] == [
        "341500-police",
        "341500-civil_affairs",
        "341500-hrss",
        "341500-women_federation",
        "341500-cyberspace",
        "341500-market_regulation",
        "341500-health",
        "341500-publicity",
        "341500-education",
        "341500-youth_league",
        "341500-disabled_federation",
        "341500-women_children",
    ]


def test_the_plan_has_its_sections_and_quirks(plan):
    tree = export_plan(plan)
    assert (tree["document_number"], tree["issued"]) == ("六政办秘〔2022〕49号", "2022-04-06")
    assert len(tree["goals"]) == 1 and len(tree["priorities"]) == 4 and len(tree["safeguards"]) == 2
    assert tree["priorities"][0]["lead_units"] == ["341500-police"]
    assert len(tree["priorities"][0]["responsible_units"]) == 11
    assert tree["priorities"][3]["lead_units"] == []
    assert tree["priorities"][3]["responsible_units"] == [
        "341500-publicity",
        "341500-cyberspace",
        "341500-police",
        "341500-market_regulation",
        "341500-youth_league",
    ]
    units = {u["unit"]: u for u in tree["units"]}
    # 市卫健委's 2022 measures skip number 4 in the published text; the numbers are kept as printed.
    assert [m["number"] for m in units["341500-health"]["measures"]["2022"]] == [1, 2, 3, 5]
    # 市妇联: an unnumbered key task, and two unnumbered paragraphs for 2023-2029.
    assert units["341500-women_federation"]["key_tasks"][0]["number"] is None
    assert [m["number"] for m in units["341500-women_federation"]["measures"]["2023-2029"]] == [None, None]
    assert units["341500-police"]["measures"]["2030"] == [
        {"number": None, "text": "做好总结、评估、考核、宣传等工作"}
    ]


def _paragraphs(records):
    return [(f"{r['number']}." if r["number"] is not None else "") + r["text"] for r in records]


def test_the_transcription_is_verbatim():
    """Rebuild the published text from the YAML, character for character."""
    content = _content()
    lines = SOURCE.read_text(encoding="utf-8").split("\n")
    assert content["goals"][0]["text"] == lines[25]
    for index, priority in enumerate(content["priorities"]):
        rebuilt = f"（{CN[index]}）{priority['title']}。{priority['text']}{priority['responsibility_text']}"
        assert rebuilt == lines[29 + index]
    for index, safeguard in enumerate(content["safeguards"]):
        assert f"（{CN[index]}）{safeguard['title']}。{safeguard['text']}" == lines[34 + index]
    annex = []
    for unit in content["units"]:
        cells = [[unit["name"]], _paragraphs(unit["key_tasks"])]
        cells += [_paragraphs(unit["measures"][p]) for p in content["periods"]]
        for cell in cells:
            annex += ["\t" + cell[0], *cell[1:]]
        annex.append("")
    assert annex[:-1] == lines[50:190]


def test_reloading_updates_in_place(plan, tmp_path):
    counts = (PlanClause.objects.count(), PlanUnit.objects.count(), PlanItem.objects.count())
    first = PlanItem.objects.get(plan_unit__unit__code="341500-police", kind="key_task", number=1)
    result = load_plan(PLAN_FILE)
    assert (result.created, result.updated, result.retired) == (0, 0, 0)
    content = _content()
    content["units"][0]["key_tasks"][0]["text"] = "修改后的任务"
    del content["units"][0]["key_tasks"][4]
    changed = tmp_path / "plan.yaml"
    changed.write_text(yaml.safe_dump(content, allow_unicode=True), encoding="utf-8")
    result = load_plan(changed)
    assert (result.created, result.updated, result.retired) == (0, 1, 1)
    first.refresh_from_db()
    assert first.text == "修改后的任务"
    assert (PlanClause.objects.count(), PlanUnit.objects.count(), PlanItem.objects.count()) == counts
    assert export_plan(Plan.objects.get(code="liuan-2022")) == content
    load_plan(PLAN_FILE)
    assert export_plan(Plan.objects.get(code="liuan-2022")) == _content()


@pytest.mark.parametrize(
    "change, where, message",
    [
        (lambda c: c["units"][3]["key_tasks"][0].pop("number"), "units[3].key_tasks[0].number", "missing"),
        (
            lambda c: c["units"][6]["measures"]["2022"][1].update(number=1),
            "units[6].measures.2022[1].number",
            "twice",
        ),
        (lambda c: c["units"][2].update(unit="341500-nowhere"), "units[2].unit", "unknown unit"),
        (
            lambda c: c["priorities"][1]["lead_units"].append("x"),
            "priorities[1].lead_units[1]",
            "unknown unit",
        ),
        (lambda c: c["units"][0]["measures"].pop("2030"), "units[0].measures.2030", "missing"),
        (lambda c: c["units"][0]["key_tasks"][1].update(text=""), "units[0].key_tasks[1].text", "empty"),
        (lambda c: c.update(periods=["2022", "2021"]), "periods[1]", "overlap"),
        (lambda c: c.update(colour="red"), "colour", "unknown field"),
    ],
)
def test_a_bad_file_is_rejected_whole(db, change, where, message):
    content = _content()
    change(content)
    with pytest.raises(ValidationFailed) as caught:
        load_plan_text(yaml.safe_dump(content, allow_unicode=True))
    assert any(e.field == where and message in e.message for e in caught.value.errors), caught.value.errors
    assert not Plan.objects.exists() and not PlanItem.objects.exists()


def test_not_yaml_is_rejected(db):
    with pytest.raises(ValidationFailed):
        load_plan_text("code: [unclosed")


def test_the_commands_load_and_export(db, tmp_path):
    out = io.StringIO()
    call_command("plan", "load", str(PLAN_FILE), stdout=out)
    assert "plan liuan-2022" in out.getvalue()
    assert AuditEvent.objects.filter(action="plan.load").exists()
    out = io.StringIO()
    call_command("plan", "export", "--format", "json", stdout=out)
    assert json.loads(out.getvalue()) == _content()
    bad = tmp_path / "bad.yaml"
    content = _content()
    del content["units"][3]["key_tasks"][0]["number"]
    bad.write_text(yaml.safe_dump(content, allow_unicode=True), encoding="utf-8")
    err = io.StringIO()
    with pytest.raises(CommandError):
        call_command("plan", "load", str(bad), stderr=err)
    assert "units[3].key_tasks[0].number: missing" in err.getvalue()
