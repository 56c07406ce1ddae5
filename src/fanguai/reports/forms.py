from django import forms
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from fanguai.core.indicators import indicators
from fanguai.core.validators import CheckedForm, CheckedModelForm
from fanguai.org.models import Unit

from .models import Commendation, Evaluation
from .policies import PARTICIPANT_KINDS


class EvaluationForm(CheckedForm):
    kind = forms.ChoiceField(label=_("Kind"), choices=Evaluation.Kind.choices)
    title = forms.CharField(label=_("Title"), max_length=200)
    year = forms.IntegerField(
        label=_("Year evaluated"), min_value=2022, max_value=2030, initial=lambda: timezone.localdate().year
    )
    due_on = forms.DateField(label=_("Self-assessments due"), widget=forms.DateInput(attrs={"type": "date"}))

    def clean_due_on(self):
        due_on = self.cleaned_data["due_on"]
        if due_on < timezone.localdate():
            raise forms.ValidationError(_("The due date has passed."))
        return due_on


class SelfAssessmentForm(CheckedForm):
    """The narrative plus one optional number per registered indicator."""

    narrative = forms.CharField(label=_("Self-assessment"), widget=forms.Textarea(attrs={"rows": 6}))

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        for indicator in indicators():
            self.fields[f"figure__{indicator.code}"] = forms.DecimalField(
                label=f"{indicator.label} ({indicator.measure})",
                required=False,
                min_value=0,
                max_digits=12,
                decimal_places=2,
            )

    def figures(self) -> dict[str, float]:
        return {
            name.removeprefix("figure__"): float(value)
            for name, value in self.cleaned_data.items()
            if name.startswith("figure__") and value is not None
        }


class CorrectionForm(SelfAssessmentForm):
    """A new version of a submitted self-assessment, with the reason kept in its history."""

    reason = forms.CharField(
        label=_("Reason for the correction"), widget=forms.Textarea(attrs={"rows": 2}), max_length=1000
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.order_fields([name for name in self.fields if name != "reason"] + ["reason"])


class WithdrawForm(CheckedForm):
    reason = forms.CharField(
        label=_("Reason for withdrawing"), widget=forms.Textarea(attrs={"rows": 2}), max_length=1000
    )


class ScoreForm(CheckedForm):
    score = forms.DecimalField(label=_("Score (0–100)"), min_value=0, max_value=100, decimal_places=1)
    comment = forms.CharField(label=_("Comment"), required=False, widget=forms.Textarea(attrs={"rows": 2}))


class ReturnForm(CheckedForm):
    comment = forms.CharField(label=_("What must change"), widget=forms.Textarea(attrs={"rows": 2}))


class CriteriaForm(CheckedForm):
    """One weight per possible source; a blank weight leaves the source out of the scheme."""

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["weight__evaluation"] = forms.DecimalField(
            label=_("Evaluation score"), required=False, min_value=0, max_digits=5, decimal_places=1
        )
        for indicator in indicators():
            self.fields[f"weight__{indicator.code}"] = forms.DecimalField(
                label=indicator.label, required=False, min_value=0, max_digits=5, decimal_places=1
            )

    def clean(self):
        data = super().clean()
        if not self.errors and not self.weights():
            raise forms.ValidationError(_("Give at least one source a weight above 0."))
        return data

    def weights(self):
        return {
            name.removeprefix("weight__"): value
            for name, value in self.cleaned_data.items()
            if value is not None and value > 0
        }


class VetoForm(CheckedForm):
    veto = forms.BooleanField(label=_("One-vote veto"), required=False)
    reason = forms.CharField(label=_("Reason for the veto"), required=False)


class CommendationForm(CheckedModelForm):
    unit = forms.ModelChoiceField(
        label=_("Unit or county"), queryset=Unit.objects.filter(kind__in=PARTICIPANT_KINDS, is_active=True)
    )

    class Meta:
        model = Commendation
        fields = ["kind", "unit", "year", "issued_on", "text"]
        widgets = {
            "issued_on": forms.DateInput(attrs={"type": "date"}),
            "text": forms.Textarea(attrs={"rows": 3}),
        }
