"""Assessment criteria (issue 14 item 1): a scheme whose weights are all 0 scores nothing and is refused."""

import pytest

from fanguai.reports.forms import CriteriaForm

pytestmark = pytest.mark.django_db


def test_all_weights_zero_are_refused():
    empty = CriteriaForm({})
    names = list(empty.fields)
    form = CriteriaForm({name: "0" for name in names})
    assert not form.is_valid()
    assert "__all__" in form.errors


def test_one_weight_above_zero_is_accepted():
    names = list(CriteriaForm({}).fields)
    form = CriteriaForm({names[0]: "40", **{name: "0" for name in names[1:]}})
    assert form.is_valid(), form.errors
    assert form.weights() == {names[0].removeprefix("weight__"): 40}


def test_a_weight_of_1e400_is_refused():
    names = list(CriteriaForm({}).fields)
    form = CriteriaForm({names[0]: "1e400"})
    assert names[0] in form.errors
