"""The public form's region choices are built once per language and kept for a few minutes (issue 13: the
public form builds them on every request)."""

import pytest
from django.utils import translation

from fanguai.clues.forms import region_choices

pytestmark = pytest.mark.django_db


def test_region_choices_are_built_once_per_language(django_assert_num_queries):
    with translation.override("zh-hans"):
        with django_assert_num_queries(1):
            chinese = region_choices()
        with django_assert_num_queries(0):
            assert region_choices() == chinese
    with translation.override("en"):
        with django_assert_num_queries(1):
            english = region_choices()
    assert chinese[0][1] != english[0][1] == "Not known"
    groups = [label for label, options in chinese[1:]]
    assert "霍邱县" in groups
