from django import forms
from django.utils.safestring import mark_safe
from django.utils.translation import gettext_lazy as _

from fanguai.core.validators import CheckedForm, CheckedModelForm
from fanguai.org.models import Unit

from .labels import KIT_LABELS
from .models import AnalysisSettings, Category, CustodyEvent, Relation, Review, SpecimenLink
from .services import KIT_CHOICES, SETTING_FIELDS, settings_errors

DATE = forms.DateInput(attrs={"type": "date"})


class CollectForm(CheckedForm):
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


class SamplingRequestForm(CheckedForm):
    category = forms.ChoiceField(label=_("Category"), choices=Category.choices)
    collecting_unit = forms.ModelChoiceField(
        label=_("Collecting unit"), queryset=Unit.objects.filter(sector="police").order_by("code")
    )
    reason = forms.CharField(label=_("Reason"), required=False, widget=forms.Textarea(attrs={"rows": 2}))


class CustodyForm(CheckedForm):
    kind = forms.ChoiceField(label=_("Step"), choices=CustodyEvent.Kind.choices)
    note = forms.CharField(label=_("Note"), max_length=200, required=False)

    def __init__(self, *args, kinds=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["kind"].choices = [(k, label) for k, label in CustodyEvent.Kind.choices if k in kinds]


class ImportForm(CheckedForm):
    file = forms.FileField(label=_("Laboratory file (long CSV or GeneMapper ID-X export)"))
    kit = forms.ChoiceField(
        label=_("Kit"), choices=[(k, KIT_LABELS.get(k, k)) for k in KIT_CHOICES], initial="globalfiler"
    )


class SettingsForm(CheckedModelForm):
    frequency_file = forms.FileField(
        label=_("New frequency table (CSV)"),
        help_text=mark_safe(_("Columns <code>Locus</code>, <code>Allele</code>, <code>Frequency</code>.")),  # noqa: S308
        required=False,
    )

    class Meta:
        model = AnalysisSettings
        fields = [
            "match_threshold",
            "lead_threshold",
            "mutation",
            "mutation_rate",
            "microvariant_rate",
            "untyped_transmission",
            "theta",
            "sample_size",
            "minimum_frequency",
            "floor_listed",
            "top",
        ]
        widgets = {
            "mutation_rate": forms.NumberInput(attrs={"min": 0, "max": 1, "step": "any"}),
            "microvariant_rate": forms.NumberInput(attrs={"min": 0, "max": 1, "step": "any"}),
            "theta": forms.NumberInput(attrs={"min": 0, "max": 1, "step": "any"}),
            "minimum_frequency": forms.NumberInput(attrs={"min": 0, "max": 0.5, "step": "any"}),
        }

    def clean(self):
        """The settings' own rules (`services.settings_errors`), shown on the fields they concern."""
        cleaned = super().clean()
        values = {name: getattr(self.instance, name) for name in SETTING_FIELDS}
        values.update({name: cleaned[name] for name in SETTING_FIELDS if name in cleaned})
        for error in settings_errors(values):
            if error.field in self.fields and error.field not in self.errors:
                self.add_error(error.field, error.message)
            elif error.field not in self.fields:
                self.add_error(None, error.message)
        return cleaned


class ReviewForm(CheckedForm):
    outcome = forms.ChoiceField(label=_("Outcome"), choices=Review.Outcome.choices)
    note = forms.CharField(label=_("Note"), max_length=500, required=False)


class ReunionForm(CheckedForm):
    reunited_on = forms.DateField(label=_("Reunited on"), widget=DATE)
    note = forms.CharField(label=_("Note"), required=False, widget=forms.Textarea(attrs={"rows": 2}))


class PedigreeForm(CheckedForm):
    """A family reference as a pedigree: CSV rows id,father,mother,sex,specimen and the missing place."""

    members = forms.CharField(
        label=_("Pedigree (CSV)"),
        help_text=mark_safe(  # noqa: S308 - a translated constant
            _("First row: the columns <code>id,father,mother,sex,specimen</code>.")
        ),
        widget=forms.Textarea(attrs={"rows": 8, "class": "font-monospace"}),
        max_length=4000,
    )
    missing = forms.CharField(label=_("Member id of the missing child"), max_length=32)
    note = forms.CharField(label=_("Note (no names)"), max_length=200, required=False)
