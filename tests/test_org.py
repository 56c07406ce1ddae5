import io

import pytest
from django.core.management import CommandError, call_command

from fanguai.org.models import Region, Unit


def test_liuan_divisions(db):
    assert Region.objects.get(code="341500").name == "六安市"
    counties = Region.objects.filter(level="county").values_list("code", flat=True)
    assert sorted(counties) == ["341502", "341503", "341504", "341522", "341523", "341524", "341525"]
    assert Region.objects.filter(level="zone").get().name == "六安经济技术开发区"
    assert Region.objects.filter(level="township").count() == 146
    assert Region.objects.get(name="城关镇", parent__code="341522").county.code == "341522"


def test_units_of_the_plan(db):
    members = Unit.objects.filter(kind="member")
    assert members.count() == 12
    assert set(members.values_list("name", flat=True)) >= {
        "市公安局",
        "市民政局",
        "市委网信办",
        "市政府妇儿工委办",
    }
    assert Unit.objects.get(code="341500-office").parent.code == "341500-police"
    assert Unit.objects.get(name="霍邱县民政局").county.code == "341522"
    assert Unit.objects.get(name="六安市公安局金安区分局").county.code == "341502"
    assert Unit.objects.get(code="341500-police").is_city_level


def test_loading_again_changes_nothing(db, tmp_path):
    before = Region.objects.count()
    out = io.StringIO()
    call_command("regions", "load", "data/regions/liuan.csv", stdout=out)
    assert "0 created" in out.getvalue()
    assert Region.objects.count() == before


def test_a_bad_row_names_the_row_and_field_and_writes_nothing(db, tmp_path):
    bad = tmp_path / "divisions.csv"
    bad.write_text(
        "code,name,level,parent_code\n990100,某市,city,\n990101,某区,planet,990100\n990102,,county,990199\n",
        encoding="utf-8",
    )
    err = io.StringIO()
    with pytest.raises(CommandError, match="nothing was written"):
        call_command("regions", "load", str(bad), stderr=err)
    assert "row 3, level" in err.getvalue()
    assert "row 4, name" in err.getvalue() and "row 4, parent_code" in err.getvalue()
    assert not Region.objects.filter(code__startswith="9901").exists()


def test_another_city_loads_its_own_divisions(db, tmp_path):
    other = tmp_path / "other.csv"
    other.write_text(
        "code,name,level,parent_code\n340100,合肥市,city,\n340102,瑶海区,county,340100\n", encoding="utf-8"
    )
    call_command("regions", "load", str(other), stdout=io.StringIO())
    assert Region.objects.get(code="340102").parent.name == "合肥市"
