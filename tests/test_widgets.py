"""The Python-rendered select writes the same HTML as the project's template widget."""

import pytest
from django import forms
from django.test.html import parse_html

from fanguai.core.widgets import Select

CHOICES = [("", "Not <known>"), ("A county & more", [(1, "x & y"), (2, "z")]), (3, "plain")]


@pytest.mark.parametrize("value", [None, "", "2", 3, "absent"])
@pytest.mark.parametrize("extra", [{}, {"class": "wide"}, {"disabled": True, "aria-describedby": "help"}])
def test_fast_select_renders_like_the_template_widget(value, extra):
    attrs = {"required": True, **extra}
    expected = forms.Select(choices=CHOICES, attrs=attrs).render("region", value, {"id": "id_region"})
    fast = Select(choices=CHOICES, attrs=attrs).render("region", value, {"id": "id_region"})
    assert parse_html(fast) == parse_html(expected)
    assert "&lt;known&gt;" in fast and "A county &amp; more" in fast


def test_fast_select_marks_the_chosen_option_only():
    html = Select(choices=CHOICES).render("region", "2", {})
    assert html.count("selected") == 1 and '<option value="2" selected>' in html
