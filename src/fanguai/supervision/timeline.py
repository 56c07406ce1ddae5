"""The names of the steps in a timeline."""

from django.utils.translation import gettext_lazy as _

LABELS = {
    "listing.create": _("Listed"),
    "listing.update": _("Listing changed"),
    "listing.report": _("Progress reported"),
    "listing.attach": _("File attached"),
    "listing.warning.yellow": _("Yellow warning"),
    "listing.warning.red": _("Red warning"),
    "listing.lift_request": _("Lifting requested"),
    "listing.lift_approve": _("Lifting approved"),
    "listing.lift_refuse": _("Lifting refused"),
    "inspection.create": _("Inspection scheduled"),
    "inspection.update": _("Inspection changed"),
    "inspection.conduct": _("Inspection conducted"),
    "inspection.record_past": _("Inspection recorded after the fact"),
    "inspection.close": _("Inspection closed"),
    "finding.create": _("Finding recorded"),
    "rectification.create": _("Rectification ordered"),
    "rectification.report": _("Rectification reported"),
    "rectification.accept": _("Rectification accepted"),
    "rectification.reopen": _("Rectification reopened"),
    "listing.report_correct": _("Progress report corrected"),
    "listing.report_withdraw": _("Progress report withdrawn"),
    "rectification.report_correct": _("Rectification report corrected"),
    "rectification.report_withdraw": _("Rectification report withdrawn"),
}


def label_for(action: str) -> str:
    return str(LABELS.get(action, action))
