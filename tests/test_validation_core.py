"""The shared input rules (fanguai.core.validators) that every form gets through CheckedForm (issue 14 item 1)."""

import datetime as dt

import pytest
from django import forms
from django.core.exceptions import ValidationError
from django.utils import timezone

from fanguai.cases.forms import CaseFilterForm, EventForm
from fanguai.core.validators import (
    SEARCH_LIMIT,
    CheckedForm,
    not_before,
    validate_march,
    validate_no_control_characters,
    validate_not_in_future,
    validate_not_in_past,
    validate_sane_date,
)


class Sample(CheckedForm):
    line = forms.CharField(required=False)
    text = forms.CharField(required=False, widget=forms.Textarea)
    amount = forms.DecimalField(required=False)
    day = forms.DateField(required=False)
    birth_date = forms.DateField(required=False)


def errors_of(data: dict) -> set[str]:
    form = Sample(data)
    form.is_valid()
    return set(form.errors)


@pytest.mark.parametrize(
    ("data", "field"),
    [
        ({"line": "报告\x1b[31m"}, "line"),
        ({"text": "a\x00b"}, "text"),
        ({"line": "长" * 201}, "line"),
        ({"text": "长" * 100_000}, "text"),
        ({"amount": "1e400"}, "amount"),
        ({"amount": "NaN"}, "amount"),
        ({"amount": "-99999999999999999999"}, "amount"),
        ({"day": "0001-01-01"}, "day"),
        ({"day": "9999-12-31"}, "day"),
        ({"birth_date": (timezone.localdate() + dt.timedelta(days=1)).isoformat()}, "birth_date"),
    ],
)
def test_nonsense_gets_an_error_on_its_field(data, field):
    assert errors_of(data) == {field}


def test_sensible_values_pass():
    assert (
        errors_of(
            {"line": "霍邱县\t城关镇", "text": "第一行\n第二行", "amount": "3000.5", "day": "2026-03-08"}
        )
        == set()
    )


def test_the_limits_show_in_the_page():
    """The browser stops the typing (a search box of 5,000 characters never reaches the server)."""
    form = CaseFilterForm()
    assert form.fields["q"].widget.attrs["maxlength"] == str(SEARCH_LIMIT)
    assert 'maxlength="100"' in str(form["q"])


def test_a_long_search_gets_a_clear_error():
    form = CaseFilterForm({"q": "案" * 5000})
    assert not form.is_valid()
    assert "q" in form.errors


def test_a_case_event_cannot_be_in_the_future():
    later = (timezone.localtime() + dt.timedelta(days=400)).strftime("%Y-%m-%dT%H:%M")
    form = EventForm({"kind": "note", "occurred_at": later, "text": "询问"})
    assert not form.is_valid()
    assert "occurred_at" in form.errors


def test_the_validators():
    today = timezone.localdate()
    with pytest.raises(ValidationError):
        validate_no_control_characters("a\x07")
    validate_no_control_characters("a\tb\r\n")
    with pytest.raises(ValidationError):
        validate_sane_date(dt.date(1899, 12, 31))
    with pytest.raises(ValidationError):
        validate_not_in_future(today + dt.timedelta(days=1))
    validate_not_in_future(today)
    with pytest.raises(ValidationError):
        validate_not_in_past(today - dt.timedelta(days=1))
    validate_not_in_past(today)
    with pytest.raises(ValidationError):
        validate_march(dt.date(2026, 8, 8))
    validate_march(dt.date(2026, 3, 8))
    assert not_before(dt.date(2026, 1, 1), dt.date(2026, 1, 2), "early") is not None
    assert not_before(dt.date(2026, 1, 2), dt.date(2026, 1, 2), "early") is None
    assert not_before(None, dt.date(2026, 1, 2), "early") is None
