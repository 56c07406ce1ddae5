"""Pedigree problems of the kinship engine shown in the user's language.

`fanguai.kinship.pedigree` is free of Django and reports English text (`PedigreeError.errors`). When it
also carries coded problems (``PedigreeError.problems``: objects with ``code``, ``params`` and the
English ``message``, as `fanguai.kinship.profiles` does for profile files), each known code is rendered
from its params here; a problem without a known code is shown as its English text after a translated
lead-in, so that nothing is lost. Problems are kept as plain dicts (``code``, ``params``, ``message``) so
that they can be stored (`FamilyPedigree.search_problems`) and rendered later, in the reader's language.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from django.utils.translation import gettext as _


def problems_of(error: Exception) -> list[dict[str, Any]]:
    """The problems of a `PedigreeError` as dicts (``code`` empty where the engine gives none)."""
    coded = getattr(error, "problems", None)
    if coded:
        return [
            {
                "code": str(getattr(p, "code", "") or ""),
                "params": {k: _plain(v) for k, v in dict(getattr(p, "params", {}) or {}).items()},
                "message": str(getattr(p, "message", p)),
            }
            for p in coded
        ]
    messages = getattr(error, "errors", None) or [str(error)]
    return [{"code": "", "params": {}, "message": str(message)} for message in messages]


def problem(code: str, message: str, **params: Any) -> dict[str, Any]:
    """A problem the DNA app finds itself, in the same shape (e.g. no typed member is left)."""
    return {"code": code, "params": {k: _plain(v) for k, v in params.items()}, "message": message}


def _plain(value: Any) -> Any:
    return value if isinstance(value, (str, int, float, bool)) or value is None else str(value)


def _templates() -> dict[str, str]:
    # The codes of `fanguai.kinship.pedigree.MESSAGES`.
    return {
        "empty_id": _("A member has an empty id."),
        "duplicate_member": _("Member %(member)s is listed twice."),
        "bad_sex": _("Member %(member)s: the sex must be M or F."),
        "one_parent": _(
            "Member %(member)s: give both parents or none (add an untyped founder for the unknown parent)."
        ),
        "own_parent": _("Member %(member)s is its own %(role)s."),
        "unknown_parent": _("Member %(member)s: the %(role)s %(parent)s is not a member of the pedigree."),
        "parent_sex": _("Member %(member)s: the %(role)s %(parent)s must have sex %(sex)s."),
        "too_many_members": _("%(count)s members; at most %(limit)s are supported."),
        "too_many_generations": _("%(count)s generations; at most %(limit)s are supported."),
        "cycle": _("The pedigree has a cycle: %(cycle)s."),
        "empty_file": _("The pedigree is empty."),
        "missing_columns": _("Row %(row)s: missing column(s): %(columns)s."),
        "bad_sex_cell": _("Row %(row)s: the sex %(value)s is not M or F."),
        "empty_id_cell": _("Row %(row)s: empty member id."),
        "no_members": _("The pedigree has no members."),
        "parent_not_in_pedigree": _("Member %(member)s: the parent %(parent)s is not in the pedigree."),
        "theta_structures": _(
            "With θ > 0, %(alleles)s untyped founder alleles need %(structures)s founder-allele "
            "structures (at most %(limit)s); use θ = 0 or type more founders."
        ),
        "too_costly": _(
            "This pedigree needs about %(cost)s operations with θ = %(theta)s (at most %(limit)s, about one "
            "second); type more members (founders first) or use θ = 0."
        ),
        "missing_not_member": _("The missing person's place %(member)s is not a member of the pedigree."),
        "missing_is_typed": _("The missing person's place %(member)s must not be a typed member."),
        "no_typed_member": _("No typed member of the pedigree besides the missing person has a profile."),
    }


def _roles() -> dict[str, str]:
    return {"father": _("father"), "mother": _("mother")}


def problem_text(item: Mapping[str, Any]) -> str:
    """One problem in the user's language (the English text after a lead-in when its code is unknown)."""
    template = _templates().get(str(item.get("code") or ""))
    message = str(item.get("message") or "")
    if template is not None:
        params = dict(item.get("params") or {})
        if "role" in params:
            params["role"] = _roles().get(str(params["role"]), params["role"])
        try:
            return template % params
        except (KeyError, TypeError, ValueError):
            pass
    return _("Pedigree problem: %(message)s") % {"message": message}


def error_texts(error: Exception) -> list[str]:
    """Every problem of a `PedigreeError`, in the user's language."""
    return [problem_text(item) for item in problems_of(error)]
