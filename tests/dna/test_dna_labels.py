"""The DNA app shows its machine values by their labels (issue 14 item 2): kit names, hypotheses,
conclusions, and the lines of a file's error report, whose every problem code reads in the user's language."""

import re
from string import Formatter

import pytest
from django.utils import translation

from fanguai.core.errors import RowError
from fanguai.dna import labels
from fanguai.dna.forms import ImportForm, PedigreeForm
from fanguai.dna.services import KIT_CHOICES, profile_problem_text
from fanguai.kinship import profiles
from fanguai.kinship.conclusions import CONCLUSIONS

CJK = re.compile(r"[\u4e00-\u9fff]")


def problem_of(code: str) -> profiles.ProfileError:
    """A problem of the code, with a value for each placeholder of its English text."""
    names = {name for _text, name, _spec, _conv in Formatter().parse(profiles.MESSAGES[code]) if name}
    return profiles.ProfileError(4, "locus", "english", code, {name: "X1" for name in names})


@pytest.mark.parametrize("code", sorted(profiles.MESSAGES))
def test_every_profile_problem_code_reads_in_chinese(code):
    problem = problem_of(code)
    with translation.override("zh-hans"):
        text = profile_problem_text(problem)
    assert text != problem.message
    assert CJK.search(text), text
    assert not re.search(r"[a-z]{3,}", text.replace("UTF-8", "")), text


def test_a_row_error_names_its_row_and_field_in_words():
    with translation.override("en"):
        assert labels.row_error_text(RowError(4, "locus", "Unknown locus X.")) == (
            "Row 4, locus: Unknown locus X."
        )
        assert labels.row_error_text(RowError(2, "allele2", "m")) == "Row 2, allele 2: m"
        assert labels.row_error_text(RowError(3, "column 5", "m")) == "Row 3, column 5: m"
        assert labels.row_error_text(RowError(5, "D8S1179", "m")) == "Row 5, D8S1179: m"
        # a form field's machine name is left out; the message says what is wrong
        assert labels.row_error_text(RowError(0, "members", "m")) == "File: m"
        assert labels.row_error_text(RowError(7, "match_threshold", "m")) == "Row 7: m"
        assert labels.row_error_text(RowError(0, "header", "m")) == "File, header row: m"


def test_kits_hypotheses_and_conclusions_have_labels():
    with translation.override("en"):
        choices = dict(ImportForm().fields["kit"].choices)
        assert set(choices) == set(KIT_CHOICES)
        assert choices["globalfiler"] == "GlobalFiler"
        assert str(choices["other"]) == "Other"
        assert all(label != code for code, label in choices.items())
        for code in CONCLUSIONS:
            assert labels.conclusion_label(code) != code
        for code in ("parent-child", "couple", "pedigree"):
            assert labels.relationship_label(code) != code
    assert labels.kit_label("unknown-kit") == "unknown-kit"


def test_the_pedigree_form_refuses_control_characters():
    form = PedigreeForm(data={"members": "id,father,mother,sex,specimen\nm\x07,,,F,\n", "missing": "c"})
    assert not form.is_valid()
    assert "members" in form.errors


def test_the_template_filters_show_labels():
    from django.template import Context, Template

    template = Template(
        "{% load dna_labels %}{{ k|kit_label }} {{ r|relationship_label }} {{ c|conclusion_label }}"
    )
    with translation.override("en"):
        shown = template.render(Context({"k": "other", "r": "couple", "c": "parentage-supported"}))
    assert shown == "Other Couple and child Parentage supported"
