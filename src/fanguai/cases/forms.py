from django import forms
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from fanguai.core.validators import CheckedForm, CheckedModelForm
from fanguai.org.models import Region
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


# What a clue's category suggests for the case's kind (a suggestion: the investigator chooses).
KIND_FOR_CATEGORY = {
    "missing_child": Case.Kind.CHILD_TRAFFICKING,
    "surrogacy": Case.Kind.ILLEGAL_SURROGACY,
    "online_adoption": Case.Kind.ONLINE_TRAFFICKING,
}


class CaseFromClueForm(CaseForm):
    """The case form, filled in from a clue; the county is the clue's (a county unit files in its own)."""

    county = forms.ModelChoiceField(label=_("County"), queryset=Region.objects.none(), required=False)

    class Meta(CaseForm.Meta):
        fields = ["title", "kind", "county", "filed_on", "summary"]

    def __init__(self, *args, user, clue, **kwargs):
        super().__init__(*args, **kwargs)
        counties = Region.objects.filter(level__in=[Region.Level.COUNTY, Region.Level.ZONE]).order_by("code")
        if user.county is not None:
            counties = counties.filter(pk=user.county.pk)
        self.fields["county"].queryset = counties
        self.fields["county"].empty_label = _("Not set")
        if not self.is_bound:
            self.initial.update(
                {
                    "title": _("%(category)s (clue %(number)s)")
                    % {"category": clue.get_category_display(), "number": clue.number},
                    "kind": KIND_FOR_CATEGORY.get(clue.category, ""),
                    "county": user.county or clue.county,
                    "summary": clue.description,
                }
            )


class StatusForm(CheckedForm):
    status = forms.ChoiceField(label=_("New status"), choices=Case.Status.choices)
    note = forms.CharField(label=_("Note"), required=False, max_length=500)

    def __init__(self, *args, **kwargs):
        kwargs.setdefault("auto_id", "status_%s")  # the case page holds several forms with a "note"
        super().__init__(*args, **kwargs)


class OfficerChoiceField(forms.ModelChoiceField):
    def label_from_instance(self, obj) -> str:
        return f"{obj.full_name or obj.username} · {obj.unit} · {obj.get_role_display()}"


class ResponsibilityForm(CheckedForm):
    """The chief and the three owners are accounts of the police (selectors.responsible_candidates)."""

    chief = OfficerChoiceField(
        label=_("Chief (head of the public security bureau)"), queryset=Package.objects.none()
    )
    chief_position = forms.CharField(label=_("Chief's position"), max_length=100)
    solve_owner = OfficerChoiceField(label=_("Owner: solve the case"), queryset=Package.objects.none())
    rescue_owner = OfficerChoiceField(
        label=_("Owner: find and rescue the victims"), queryset=Package.objects.none()
    )
    family_owner = OfficerChoiceField(label=_("Owner: support the family"), queryset=Package.objects.none())

    def __init__(self, *args, candidates, **kwargs):
        super().__init__(*args, **kwargs)
        for name in ("chief", "solve_owner", "rescue_owner", "family_owner"):
            self.fields[name].queryset = candidates
            self.fields[name].empty_label = _("Choose an officer")

    def owners(self) -> dict:
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

    def __init__(self, *args, **kwargs):
        kwargs.setdefault("auto_id", "clue_link_%s")  # the case page holds several forms with a "note"
        super().__init__(*args, **kwargs)


class LinkToCaseForm(CheckedForm):
    """On a clue's page: link the clue to a case, by the case's number."""

    case_number = forms.CharField(label=_("Case number"), max_length=16)
    note = forms.CharField(label=_("Note"), required=False, max_length=200)


class CaseFilterForm(CheckedForm):
    q = forms.CharField(label=_("Case number or title"), required=False)
    status = forms.ChoiceField(
        label=_("Status"), required=False, choices=[("", _("All statuses"))] + list(Case.Status.choices)
    )
    kind = forms.ChoiceField(
        label=_("Kind"), required=False, choices=[("", _("All kinds"))] + list(Case.Kind.choices)
    )
    mine = forms.BooleanField(label=_("My packages only"), required=False)
