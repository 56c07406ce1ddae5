from django import forms
from django.utils.translation import gettext_lazy as _

from fanguai.core.validators import CheckedForm

from .models import AuditEvent


class AuditFilterForm(CheckedForm):
    action = forms.CharField(label=_("Action"), required=False)
    actor = forms.CharField(label=_("User name"), required=False)
    object_type = forms.CharField(label=_("Object type"), required=False)
    object_id = forms.CharField(label=_("Object id"), required=False)
    outcome = forms.ChoiceField(
        label=_("Outcome"), required=False, choices=[("", _("All"))] + list(AuditEvent.Outcome.choices)
    )
    since = forms.DateField(label=_("From"), required=False, widget=forms.DateInput(attrs={"type": "date"}))
    until = forms.DateField(label=_("To"), required=False, widget=forms.DateInput(attrs={"type": "date"}))
