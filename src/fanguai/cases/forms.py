from django import forms
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from fanguai.core.validators import CheckedForm, CheckedModelForm
from fanguai.people.models import Person

from .models import Case, CaseEvent, CaseParty, Package


class CaseForm(CheckedModelForm):
    summary = forms.CharField(label=_("Summary"), required=False, widget=forms.Textarea(attrs={"rows": 4}))

    class Meta:
        model = Case
        fields = ["title", "kind", "filed_on", "summary"]
        widgets = {"filed_on": forms.DateInput(attrs={"type": "date"})}

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["filed_on"].initial = timezone.localdate()


class StatusForm(CheckedForm):
    status = forms.ChoiceField(label=_("New status"), choices=Case.Status.choices)
    note = forms.CharField(label=_("Note"), required=False, max_length=500)


class ResponsibilityForm(CheckedForm):
    chief_name = forms.CharField(label=_("Chief (head of the public security bureau)"), max_length=64)
    chief_position = forms.CharField(label=_("Chief's position"), max_length=100)
    solve_owner = forms.CharField(label=_("Owner: solve the case"), max_length=64)
    rescue_owner = forms.CharField(label=_("Owner: find and rescue the victims"), max_length=64)
    family_owner = forms.CharField(label=_("Owner: support the family"), max_length=64)

    def owners(self) -> dict[str, str]:
        return {kind: self.cleaned_data[f"{kind}_owner"] for kind in Package.Kind.values}


class PackageForm(CheckedForm):
    status = forms.ChoiceField(label=_("Status"), choices=Package.Status.choices)
    notes = forms.CharField(label=_("Notes"), required=False, widget=forms.Textarea(attrs={"rows": 2}))


class PartyForm(CheckedForm):
    role = forms.ChoiceField(label=_("Role"), choices=CaseParty.Role.choices)
    person_number = forms.CharField(
        label=_("Existing person record number"),
        required=False,
        max_length=16,
        help_text=_("Leave empty to register a new person."),
    )
    full_name = forms.CharField(label=_("Name"), required=False, max_length=64)
    sex = forms.ChoiceField(label=_("Sex"), choices=Person.Sex.choices, required=False)
    birth_date = forms.DateField(
        label=_("Date of birth"), required=False, widget=forms.DateInput(attrs={"type": "date"})
    )
    notes = forms.CharField(label=_("Notes"), required=False, max_length=500)

    def clean(self):
        data = super().clean()
        if not data.get("person_number") and not data.get("full_name"):
            raise forms.ValidationError(_("Give an existing record number or the name of a new person."))
        return data


class EventForm(CheckedForm):
    kind = forms.ChoiceField(
        label=_("Kind"),
        choices=[
            (CaseEvent.Kind.NOTE, CaseEvent.Kind.NOTE.label),
            (CaseEvent.Kind.PLACE, CaseEvent.Kind.PLACE.label),
        ],
    )
    occurred_at = forms.DateTimeField(
        label=_("When"), widget=forms.DateTimeInput(attrs={"type": "datetime-local"})
    )
    text = forms.CharField(label=_("Text"), required=False, widget=forms.Textarea(attrs={"rows": 2}))
    place = forms.CharField(label=_("Place"), required=False, max_length=200)
    latitude = forms.DecimalField(
        label=_("Latitude"), required=False, max_digits=9, decimal_places=6, min_value=-90, max_value=90
    )
    longitude = forms.DecimalField(
        label=_("Longitude"), required=False, max_digits=9, decimal_places=6, min_value=-180, max_value=180
    )


class ClueLinkForm(CheckedForm):
    clue_number = forms.CharField(label=_("Clue number"), max_length=32)
    note = forms.CharField(label=_("Note"), required=False, max_length=200)


class CaseFilterForm(CheckedForm):
    q = forms.CharField(label=_("Case number or title"), required=False)
    status = forms.ChoiceField(
        label=_("Status"), required=False, choices=[("", _("All statuses"))] + list(Case.Status.choices)
    )
    kind = forms.ChoiceField(
        label=_("Kind"), required=False, choices=[("", _("All kinds"))] + list(Case.Kind.choices)
    )
