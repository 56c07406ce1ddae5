"""Township selects grouped by county (issue 14 item 4): the city's townships include two 城关镇 (霍邱县,
舒城县) and two 双河镇 (金安区, 金寨县); every region and township select groups the options by county
(<optgroup>) and names the county in the text of a township whose name occurs twice."""

from html.parser import HTMLParser

import pytest
from django.core.exceptions import ValidationError
from django.utils.translation import gettext

from fanguai.assistance.forms import RegistrationFilterForm, RegistrationForm
from fanguai.missing.forms import _regions
from fanguai.org.forms import RegionChoiceField, TownshipChoiceField
from fanguai.org.models import Region
from fanguai.outreach.forms import ActivityForm
from fanguai.outreach.models import Activity
from fanguai.people.forms import PersonForm
from fanguai.supervision.forms import ListingForm


class Options(HTMLParser):
    """(optgroup label or None, option value, option text) of every option of the first select."""

    def __init__(self, name: str):
        super().__init__()
        self.name = name
        self.inside = False
        self.group: str | None = None
        self.current: list | None = None
        self.options: list[tuple[str | None, str, str]] = []

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        if tag == "select" and attrs.get("name") == self.name:
            self.inside = True
        elif self.inside and tag == "optgroup":
            self.group = attrs["label"]
        elif self.inside and tag == "option":
            self.current = [self.group, attrs["value"], ""]

    def handle_data(self, data):
        if self.current is not None:
            self.current[2] += data

    def handle_endtag(self, tag):
        if tag == "option" and self.current is not None:
            self.options.append(tuple(self.current))
            self.current = None
        elif tag == "optgroup":
            self.group = None
        elif tag == "select":
            self.inside = False


def options_of(html: str, name: str) -> list[tuple[str | None, str, str]]:
    parser = Options(name)
    parser.feed(html)
    assert parser.options, f"no select named {name}"
    return parser.options


def both(township: str, county: str) -> str:
    """The text of a township whose name occurs twice (「城关镇（霍邱县）」 once the catalogue has it)."""
    return gettext("%(township)s (%(county)s)") % {"township": township, "county": county}


def chengguan(options):
    return {(group, text) for group, _value, text in options if "城关镇" in text}


@pytest.mark.parametrize(
    ("form", "name"),
    [
        (lambda: PersonForm(), "region"),
        (lambda: ActivityForm(), "region"),
        (lambda: ListingForm(), "region"),
        (lambda: RegistrationForm(), "township"),
        (lambda: RegistrationFilterForm(), "township"),
    ],
    ids=["people", "outreach", "supervision", "assistance-registration", "assistance-filter"],
)
def test_every_region_select_groups_the_two_chengguan_by_county(db, form, name):
    options = options_of(str(form()[name]), name)
    assert chengguan(options) == {("霍邱县", both("城关镇", "霍邱县")), ("舒城县", both("城关镇", "舒城县"))}
    shuanghe = {(group, text) for group, _value, text in options if "双河镇" in text}
    assert shuanghe == {("金安区", both("双河镇", "金安区")), ("金寨县", both("双河镇", "金寨县"))}
    # Every township sits in its county's group, under its plain name where the name is unique.
    townships = Region.objects.filter(level=Region.Level.TOWNSHIP).select_related("parent")
    by_pk = {str(t.pk): t for t in townships}
    shown = [(group, by_pk[value], text) for group, value, text in options if value in by_pk]
    assert len(shown) == len(by_pk) > 140
    for group, township, text in shown:
        assert group == township.parent.name
        assert text == township.name or text == both(township.name, township.parent.name)
    assert sum(text == "城关镇" for _group, _township, text in shown) == 0


def test_counties_head_their_groups_and_the_city_stands_alone(db):
    field = RegionChoiceField(queryset=_regions(), required=False)
    options = options_of(field.widget.render("region", None), "region")
    city = Region.objects.get(code="341500")
    assert (None, str(city.pk), "六安市") in options
    county = Region.objects.get(code="341522")
    group = [o for o in options if o[0] == "霍邱县"]
    assert group[0] == ("霍邱县", str(county.pk), "霍邱县")
    assert len({o[0] for o in options if o[0]}) == 8  # seven districts and counties, one development zone


def test_a_county_users_list_has_only_its_townships_in_one_group(db, coordinator):
    form = RegistrationForm(user=coordinator)
    options = options_of(str(form["township"]), "township")
    assert {group for group, value, _text in options if value} == {"霍邱县"}
    # Only one 城关镇 is left: its name needs no county.
    assert chengguan(options) == {("霍邱县", "城关镇")}


def test_the_chosen_option_saves_the_right_township(alice, login):
    client = login(alice)
    page = client.get("/activities/new/")
    options = options_of(page.content.decode(), "region")
    value = next(v for group, v, text in options if group == "霍邱县" and text.startswith("城关镇"))
    response = client.post(
        "/activities/new/",
        {
            "kind": "publicity",
            "title": "城关镇反拐宣传",
            "held_on": "2026-03-08",
            "region": value,
            "people_reached": 120,
            "materials": 0,
            "campaign_day": "3.8",
        },
    )
    assert response.status_code == 302, response.content.decode()[:2000]
    activity = Activity.objects.get(title="城关镇反拐宣传")
    assert activity.region.code == "341522100"
    assert activity.region.parent.name == "霍邱县"


def test_a_township_field_refuses_a_county(db):
    field = TownshipChoiceField()
    county = Region.objects.get(code="341522")
    township = Region.objects.get(code="341523100")
    assert field.clean(str(township.pk)) == township
    with pytest.raises(ValidationError) as refused:
        field.clean(str(county.pk))
    assert refused.value.code == "invalid_choice"


def test_the_public_report_form_names_the_county_of_the_two_chengguan(client, db):
    options = options_of(client.get("/report/").content.decode(), "region")
    assert chengguan(options) == {("霍邱县", both("城关镇", "霍邱县")), ("舒城县", both("城关镇", "舒城县"))}
    zhongshi = [(group, text) for group, _value, text in options if "中市街道" in text]
    assert zhongshi == [("金安区", "中市街道")]
