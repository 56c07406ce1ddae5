from django import forms
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from fanguai.core.validators import CheckedForm, CheckedModelForm
from fanguai.org.selectors import counties

from .models import PlanItem, ProgressReport, ReportCycle, WorkItem, WorkPlan


def county_choices():
    return [("", _("All areas")), ("city", _("City level"))] + [(c.code, c.name) for c in counties()]


class WorkPlanCreateForm(CheckedForm):
    unit = forms.ModelChoiceField(label=_("Unit"), queryset=None)
    year = forms.IntegerField(label=_("Year"), min_value=2000, max_value=2100)
    report_cycle = forms.ChoiceField(label=_("Report cycle"), choices=ReportCycle.choices)

    def __init__(self, *args, units, default_cycle=ReportCycle.QUARTERLY, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["unit"].queryset = units
        self.fields["year"].initial = timezone.localdate().year
        self.fields["report_cycle"].initial = default_cycle
        if units.count() == 1:
            self.fields["unit"].initial = units.first()


class WorkPlanSettingsForm(CheckedForm):
    report_cycle = forms.ChoiceField(label=_("Report cycle"), choices=ReportCycle.choices)


class MeasureChoiceField(forms.ModelChoiceField):
    def label_from_instance(self, obj: PlanItem) -> str:
        return f"{obj.plan_unit.name} · {obj}"


class WorkItemForm(CheckedModelForm):
    measure = MeasureChoiceField(
        label=_("Measure of the plan"), queryset=PlanItem.objects.none(), required=False
    )

    class Meta:
        model = WorkItem
        fields = ["measure", "title", "description", "owner", "due_date", "indicator", "target"]
        widgets = {
            "due_date": forms.DateInput(attrs={"type": "date"}),
            "description": forms.Textarea(attrs={"rows": 3}),
        }
        help_texts = {
            "indicator": _("What is counted, e.g. “blood samples compared”."),
            "target": _("The number to reach by the due date."),
        }

    def __init__(self, *args, measures, owners, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["measure"].queryset = measures
        self.fields["owner"].queryset = owners


class ReviewForm(CheckedForm):
    comment = forms.CharField(label=_("Comment"), required=False, widget=forms.Textarea(attrs={"rows": 2}))


class ReportForm(CheckedForm):
    status = forms.ChoiceField(label=_("Status"), choices=ProgressReport.Status.choices)
    narrative = forms.CharField(label=_("Progress"), widget=forms.Textarea(attrs={"rows": 5}))
    achieved = forms.DecimalField(
        label=_("Achieved so far"), required=False, min_value=0, max_digits=14, decimal_places=2
    )
    figures = forms.CharField(
        label=_("Other figures"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=_("One per line: label: number"),
    )


class ReportCorrectionForm(ReportForm):
    """A new version of a submitted report: the same fields, and the reason kept in its history."""

    reason = forms.CharField(
        label=_("Reason for the correction"), widget=forms.Textarea(attrs={"rows": 2}), max_length=1000
    )


class ReasonForm(CheckedForm):
    reason = forms.CharField(label=_("Reason"), widget=forms.Textarea(attrs={"rows": 2}), max_length=1000)


class WorkPlanFilterForm(CheckedForm):
    q = forms.CharField(label=_("Unit"), required=False)
    year = forms.IntegerField(label=_("Year"), required=False)
    status = forms.ChoiceField(
        label=_("Status"), required=False, choices=[("", _("All statuses"))] + list(WorkPlan.Status.choices)
    )
    county = forms.ChoiceField(label=_("Area"), required=False, choices=())

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["county"].choices = county_choices()


class ReportFilterForm(WorkPlanFilterForm):
    status = forms.ChoiceField(
        label=_("Status"),
        required=False,
        choices=[("", _("All statuses"))] + list(ProgressReport.Status.choices),
    )
    late = forms.BooleanField(label=_("Submitted late only"), required=False)
    withdrawn = forms.BooleanField(label=_("Include withdrawn reports"), required=False)


OVERVIEW_STATES = [
    ("", _("All states")),
    ("overdue", _("Report overdue")),
    ("late", _("Behind schedule")),
    ("at_risk", _("At risk")),
    ("on_track", _("On track")),
    ("done", _("Done")),
    ("no_report", _("No report yet")),
    ("not_approved", _("Work plan not approved")),
]


class OverviewFilterForm(CheckedForm):
    q = forms.CharField(label=_("Unit"), required=False)
    year = forms.IntegerField(label=_("Year"), required=False)
    county = forms.ChoiceField(label=_("Area"), required=False, choices=())
    state = forms.ChoiceField(label=_("State"), required=False, choices=OVERVIEW_STATES)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["county"].choices = county_choices()


class PlanSearchForm(CheckedForm):
    unit = forms.CharField(
        label=_("Unit"), required=False, widget=forms.TextInput(attrs={"placeholder": _("Unit name or code")})
    )
    q = forms.CharField(
        label=_("Text"),
        required=False,
        widget=forms.TextInput(attrs={"placeholder": _("Words in key tasks and measures")}),
    )
