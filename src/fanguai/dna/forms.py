from django import forms
from django.utils.translation import gettext_lazy as _

from fanguai.org.models import Unit

from .models import AnalysisSettings, Category, CustodyEvent, Relation, Review, SpecimenLink
from .services import KIT_CHOICES

DATE = forms.DateInput(attrs={"type": "date"})


class CollectForm(forms.Form):
    category = forms.ChoiceField(label=_("Category"), choices=Category.choices)
    relation = forms.ChoiceField(
        label=_("Relation to the missing child (other relatives)"),
        choices=[("", "—"), *Relation.choices],
        required=False,
    )
    collected_on = forms.DateField(label=_("Collected on"), widget=DATE)
    place = forms.CharField(label=_("Place of collection"), max_length=200, required=False)
    collector = forms.CharField(label=_("Collector"), max_length=64, required=False)
    legal_basis = forms.ChoiceField(label=_("Legal basis"), choices=SpecimenLink.LegalBasis.choices)
    consent_given_by = forms.CharField(
        label=_("Consent given by (donor or guardian)"), max_length=64, required=False
    )
    consent_date = forms.DateField(label=_("Consent date"), required=False, widget=DATE)
    missing_report_ref = forms.CharField(
        label=_("Missing-person report (reference)"), max_length=64, required=False
    )
    missing_person_number = forms.CharField(
        label=_("Record number of the missing child"), max_length=16, required=False
    )
    partner_number = forms.CharField(
        label=_("Specimen number of the other parent (registered together)"), max_length=16, required=False
    )


class SamplingRequestForm(forms.Form):
    category = forms.ChoiceField(label=_("Category"), choices=Category.choices)
    collecting_unit = forms.ModelChoiceField(
        label=_("Collecting unit"), queryset=Unit.objects.filter(sector="police").order_by("code")
    )
    reason = forms.CharField(label=_("Reason"), required=False, widget=forms.Textarea(attrs={"rows": 2}))


class CustodyForm(forms.Form):
    kind = forms.ChoiceField(label=_("Step"), choices=CustodyEvent.Kind.choices)
    note = forms.CharField(label=_("Note"), max_length=200, required=False)

    def __init__(self, *args, kinds=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["kind"].choices = [(k, label) for k, label in CustodyEvent.Kind.choices if k in kinds]


class ImportForm(forms.Form):
    file = forms.FileField(label=_("Laboratory file (long CSV or GeneMapper ID-X export)"))
    kit = forms.ChoiceField(label=_("Kit"), choices=[(k, k) for k in KIT_CHOICES], initial="globalfiler")


class SettingsForm(forms.ModelForm):
    frequency_file = forms.FileField(
        label=_("New frequency table (CSV Locus,Allele,Frequency)"), required=False
    )

    class Meta:
        model = AnalysisSettings
        fields = [
            "match_threshold",
            "lead_threshold",
            "mutation",
            "mutation_rate",
            "theta",
            "sample_size",
            "top",
        ]


class ReviewForm(forms.Form):
    outcome = forms.ChoiceField(label=_("Outcome"), choices=Review.Outcome.choices)
    note = forms.CharField(label=_("Note"), max_length=500, required=False)


class ReunionForm(forms.Form):
    reunited_on = forms.DateField(label=_("Reunited on"), widget=DATE)
    note = forms.CharField(label=_("Note"), required=False, widget=forms.Textarea(attrs={"rows": 2}))


class PedigreeForm(forms.Form):
    """A family reference as a pedigree: CSV rows id,father,mother,sex,specimen and the missing place."""

    members = forms.CharField(
        label=_("Pedigree (CSV id,father,mother,sex,specimen)"),
        widget=forms.Textarea(attrs={"rows": 8, "class": "font-monospace"}),
        max_length=4000,
        initial="id,father,mother,sex,specimen\n",
    )
    missing = forms.CharField(label=_("Member id of the missing child"), max_length=32)
    note = forms.CharField(label=_("Note (no names)"), max_length=200, required=False)
