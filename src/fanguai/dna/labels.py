"""Display labels for the DNA app's machine values: kit names, comparison hypotheses, verbal conclusions,
and the rows of a file's error report. The kinship engine keeps its stable English codes; this is where
they become the words a user reads."""

import re

from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from fanguai.core.errors import RowError

# Kits by their machine name: the manufacturers' product names (proper nouns), and "other" in words.
KIT_LABELS = {
    "codis-20": "CODIS 20",
    "identifiler-plus": "Identifiler Plus",
    "goldeneye-20a": "Goldeneye 20A",
    "agcu-ex22": "AGCU EX22",
    "powerplex-21": "PowerPlex 21",
    "globalfiler": "GlobalFiler",
    "other": gettext_lazy("Other"),
}

RELATIONSHIP_LABELS = {
    "parent-child": gettext_lazy("Parent and child"),
    "couple": gettext_lazy("Couple and child"),
    "trio": gettext_lazy("Mother, alleged father and child"),
    "pedigree": gettext_lazy("Family pedigree"),
    "full-siblings": gettext_lazy("Full siblings"),
    "half-siblings": gettext_lazy("Half siblings"),
}

CONCLUSION_LABELS = {
    "parentage-supported": gettext_lazy("Parentage supported"),
    "excluded": gettext_lazy("Excluded"),
    "inconclusive": gettext_lazy("Inconclusive"),
    "relationship-supported": gettext_lazy("Relationship supported"),
    "relationship-not-supported": gettext_lazy("Relationship not supported"),
}

FIELD_LABELS = {
    "sample": gettext_lazy("sample column"),
    "samplename": gettext_lazy("sample column"),
    "locus": gettext_lazy("locus"),
    "marker": gettext_lazy("locus"),
    "header": gettext_lazy("header row"),
    "file": gettext_lazy("file"),
    "kit": gettext_lazy("kit"),
}
NUMBERED_FIELD = re.compile(r"^(allele|column) ?(\d+)$")
MACHINE_NAME = re.compile(r"^[a-z][a-z0-9_]*$")


def kit_label(code: str) -> str:
    """A kit's product name ("GlobalFiler"), or "other" in words; an unknown code as it is."""
    return str(KIT_LABELS.get(code, code))


def relationship_label(code: str) -> str:
    """A comparison hypothesis ("parent-child") in words."""
    return str(RELATIONSHIP_LABELS.get(code, code))


def conclusion_label(code: str) -> str:
    """A verbal conclusion ("parentage-supported") in words."""
    return str(CONCLUSION_LABELS.get(code, code))


def field_label(name: str) -> str:
    """A file field named by an error ("locus", "allele2", "column 5") in words; a locus name as it is."""
    numbered = NUMBERED_FIELD.match(name)
    if numbered:
        if numbered[1] == "allele":
            return _("allele %(n)s") % {"n": numbered[2]}
        return _("column %(n)s") % {"n": numbered[2]}
    if name in FIELD_LABELS:
        return str(FIELD_LABELS[name])
    # another machine name (a form field's: "members", "match_threshold"): the message says enough
    return "" if MACHINE_NAME.match(name) else name


def row_error_text(error: RowError) -> str:
    """One line of a file's error report in the user's language ("第 4 行，基因座：未知基因座 …")."""
    field = field_label(error.field)
    values = {"row": error.row, "field": field, "message": error.message}
    if error.row and field:
        return _("Row %(row)s, %(field)s: %(message)s") % values
    if error.row:
        return _("Row %(row)s: %(message)s") % values
    if field:
        return _("File, %(field)s: %(message)s") % values
    return _("File: %(message)s") % values
