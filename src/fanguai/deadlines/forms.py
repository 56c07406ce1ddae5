from django import forms
from django.utils.translation import gettext_lazy as _

from fanguai.core.validators import CheckedForm

from .registry import label_for

STATE_CHOICES = [
    ("open", _("Open")),
    ("late", _("Late")),
    ("due_soon", _("Due soon")),
    ("met", _("Met")),
    ("cancelled", _("Cancelled")),
    ("all", _("All")),
]
SCOPE_CHOICES = [("unit", _("My unit")), ("all", _("All I may see"))]


class DeadlineFilterForm(CheckedForm):
    state = forms.ChoiceField(label=_("State"), choices=STATE_CHOICES, required=False)
    kind = forms.ChoiceField(label=_("Kind"), required=False)
    scope = forms.ChoiceField(label=_("Units"), choices=SCOPE_CHOICES, required=False)

    def __init__(self, *args, kinds: list[str] = (), wide: bool = False, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["kind"].choices = [("", _("All kinds"))] + [(k, label_for(k)) for k in kinds]
        if not wide:
            del self.fields["scope"]
        for field in self.fields.values():
            field.widget.attrs["class"] = "form-select form-select-sm"
