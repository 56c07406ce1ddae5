"""Accessibility of the markup, without a browser (the browser checks are tests/browser/test_layout_a11y.py):
every form control gets its label as accessible name, help texts and errors carry the ids aria-describedby
points at, forms sharing a page do not share ids, and /favicon.ico leads to the icon."""

import re

import pytest
from django import forms
from django.template.loader import render_to_string


class SampleForm(forms.Form):
    q = forms.CharField(label="搜索", required=False)
    status = forms.ChoiceField(label="状态", choices=[("", "全部"), ("open", "办理中")], required=False)
    year = forms.IntegerField(label="年度", help_text="四位数年份", min_value=2000)
    agree = forms.BooleanField(label="同意", required=False)
    hidden = forms.CharField(widget=forms.HiddenInput, required=False)


def test_every_visible_control_is_named_by_its_label():
    form = SampleForm()
    assert 'aria-label="搜索"' in str(form["q"])
    assert 'aria-label="状态"' in str(form["status"])
    assert 'aria-label="同意"' in str(form["agree"])
    assert "aria-label" not in str(form["hidden"])


def test_a_label_set_by_the_form_is_kept():
    form = SampleForm()
    form.fields["q"].widget.attrs["aria-label"] = "按姓名搜索"
    html = str(form["q"])
    assert html.count("aria-label") == 1 and 'aria-label="按姓名搜索"' in html


def test_described_by_points_at_ids_that_exist():
    form = SampleForm(data={"year": "abc"})
    assert not form.is_valid()
    html = render_to_string("partials/form.html", {"form": form})
    described = re.search(r'name="year"[^>]*aria-describedby="([^"]+)"', html).group(1).split()
    assert described == ["id_year_helptext", "id_year_error"]
    for target in described:
        assert html.count(f'id="{target}"') == 1, target


@pytest.mark.django_db
def test_the_clue_page_uses_each_id_once(office, login):
    from fanguai.clues import services
    from fanguai.org.models import Region

    clue = services.record_clue(
        actor=office,
        source="hotline_110",
        category="missing_child",
        description="110 接警：孩子放学未归",
        region=Region.objects.get(code="341522"),
    )
    page = login(office).get(f"/clues/{clue.pk}/").content.decode()
    ids = re.findall(r'\bid="([^"]+)"', page)
    assert "triage_message" in ids and "close_message" in ids  # two forms with a "message" field
    assert sorted({i for i in ids if ids.count(i) > 1}) == []


def test_favicon_redirects_to_the_static_icon(client):
    response = client.get("/favicon.ico")
    assert response.status_code == 302
    assert response["Location"].endswith(".svg") and "favicon" in response["Location"]
