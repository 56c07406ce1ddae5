from django import forms
from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

from fanguai.core.validators import CheckedForm, CheckedModelForm
from fanguai.files.forms import AttachmentField
from fanguai.org.forms import RegionChoiceField
from fanguai.org.models import Region, Unit

from . import services
from .models import Finding, Inspection, Listing, Rectification

DATE = forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")


class UnitChoiceField(forms.ModelChoiceField):
    def __init__(self, **kwargs):
        kwargs.setdefault("queryset", Unit.objects.filter(is_active=True).order_by("code"))
        super().__init__(**kwargs)


class CountyChoiceField(forms.ModelChoiceField):
    def __init__(self, **kwargs):
        kwargs.setdefault(
            "queryset", Region.objects.filter(level__in=services.COUNTY_LEVELS).order_by("code")
        )
        super().__init__(**kwargs)


def _apply(form: forms.Form, error: ValidationError) -> None:
    """Show a service's field errors next to the fields (or above the form for a field it does not have)."""
    for field, messages in error.message_dict.items():
        form.add_error(field if field in form.fields else None, messages)


class ServiceCheckedForm(CheckedModelForm):
    """A model form whose whole-record rules are the service's own checks, so form and service agree."""

    def check(self, fields: dict) -> None:
        raise NotImplementedError

    def clean(self):
        data = super().clean()
        if not self.errors:
            try:
                self.check({name: data.get(name) for name in self.Meta.fields})
            except ValidationError as exc:
                _apply(self, exc)
        return data


class ListingForm(ServiceCheckedForm):
    responsible_unit = UnitChoiceField(label=_("Responsible unit"))
    region = RegionChoiceField(
        label=_("Area"),
        required=False,
        queryset=Region.objects.exclude(level=Region.Level.PROVINCE).select_related("parent"),
        help_text=_("For a key area: the district, county or township."),
    )

    class Meta:
        model = Listing
        fields = list(services.LISTING_FIELDS)
        widgets = {
            "due_date": DATE,
            "problem": forms.Textarea(attrs={"rows": 3}),
            "requirements": forms.Textarea(attrs={"rows": 3}),
        }
        help_texts = {
            "case_reference": _(
                "For a key case: the platform's case number links the case record; otherwise "
                "its file number or name."
            )
        }

    def check(self, fields: dict) -> None:
        if self.instance.pk and fields.get("due_date") == self.instance.due_date:
            # An unchanged deadline that has passed may stay; only a new date must lie ahead.
            fields = {**fields, "due_date": max(fields["due_date"], services.today())}
        services.check_listing_fields(fields)


class ListingFilterForm(CheckedForm):
    q = forms.CharField(label=_("Search"), required=False)
    status = forms.ChoiceField(
        label=_("Status"),
        required=False,
        choices=[("", _("All")), ("open", _("Not lifted"))] + Listing.Status.choices,
    )
    level = forms.ChoiceField(
        label=_("Warning"),
        required=False,
        choices=[("", _("All")), ("yellow", _("Yellow")), ("red", _("Red")), ("none", _("None"))],
    )
    kind = forms.ChoiceField(label=_("Kind"), required=False, choices=[("", _("All"))] + Listing.Kind.choices)
    unit = UnitChoiceField(label=_("Unit"), required=False)
    county = forms.ChoiceField(label=_("County"), required=False)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["county"].choices = [("", _("All"))] + [
            (r.code, r.name) for r in Region.objects.filter(level__in=services.COUNTY_LEVELS).order_by("code")
        ]


class ProgressReportForm(CheckedForm):
    text = forms.CharField(label=_("Progress"), widget=forms.Textarea(attrs={"rows": 4}))
    file = AttachmentField(required=False, label=_("Evidence (optional)"))


class LiftRequestForm(CheckedForm):
    reason = forms.CharField(
        label=_("Why the listing can be lifted"), widget=forms.Textarea(attrs={"rows": 3})
    )


class LiftDecisionForm(CheckedForm):
    decision = forms.ChoiceField(choices=[("approve", _("Approve")), ("refuse", _("Refuse"))])
    note = forms.CharField(label=_("Comment"), required=False, widget=forms.Textarea(attrs={"rows": 2}))

    def clean(self):
        data = super().clean()
        if data.get("decision") == "refuse" and not (data.get("note") or "").strip():
            self.add_error("note", _("Give the reason for refusing."))
        return data


class InspectionForm(ServiceCheckedForm):
    target_unit = UnitChoiceField(label=_("Inspected unit"), required=False)
    target_region = CountyChoiceField(label=_("Inspected county"), required=False)

    class Meta:
        model = Inspection
        fields = list(services.INSPECTION_FIELDS)
        widgets = {
            "scheduled_for": DATE,
            "team": forms.Textarea(attrs={"rows": 2}),
            "scope": forms.Textarea(attrs={"rows": 3}),
        }
        help_texts = {"institution": _("For a paternity-testing institution: its name.")}

    def check(self, fields: dict) -> None:
        services.check_inspection_fields(fields)


class PastInspectionForm(InspectionForm):
    """An inspection held before it is entered: recorded directly as conducted on its date."""

    conducted_on = forms.DateField(label=_("Held on"), widget=DATE)
    summary = forms.CharField(label=_("Summary"), required=False, widget=forms.Textarea(attrs={"rows": 3}))

    class Meta(InspectionForm.Meta):
        fields = [f for f in services.INSPECTION_FIELDS if f != "scheduled_for"]

    field_order = [
        *(f for f in services.INSPECTION_FIELDS if f != "scheduled_for"),
        "conducted_on",
        "summary",
    ]

    def clean(self):
        data = forms.ModelForm.clean(self)
        if not self.errors:
            try:
                services.check_past_inspection_fields(
                    {name: data.get(name) for name in self.Meta.fields}, data.get("conducted_on")
                )
            except ValidationError as exc:
                _apply(self, exc)
        return data


class InspectionFilterForm(CheckedForm):
    q = forms.CharField(label=_("Search"), required=False)
    status = forms.ChoiceField(
        label=_("Status"), required=False, choices=[("", _("All"))] + Inspection.Status.choices
    )
    kind = forms.ChoiceField(
        label=_("Type"), required=False, choices=[("", _("All"))] + Inspection.Kind.choices
    )
    county = forms.ChoiceField(label=_("County"), required=False)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["county"].choices = [("", _("All"))] + [
            (r.code, r.name) for r in Region.objects.filter(level__in=services.COUNTY_LEVELS).order_by("code")
        ]


class ConductForm(CheckedForm):
    conducted_on = forms.DateField(label=_("Conducted on"), widget=DATE)
    summary = forms.CharField(label=_("Summary"), required=False, widget=forms.Textarea(attrs={"rows": 3}))


class FindingForm(CheckedForm):
    description = forms.CharField(label=_("Finding"), widget=forms.Textarea(attrs={"rows": 3}))
    severity = forms.ChoiceField(label=_("Severity"), choices=Finding.Severity.choices)


class RectificationForm(CheckedForm):
    responsible_unit = UnitChoiceField(label=_("Responsible unit"))
    requirement = forms.CharField(label=_("Requirement"), widget=forms.Textarea(attrs={"rows": 3}))
    due_date = forms.DateField(label=_("Deadline"), widget=DATE)
    # For an inspection recorded after the fact: a rectification already done is closed at once.
    rectified_on = forms.DateField(
        label=_("Already rectified on"),
        required=False,
        widget=DATE,
        help_text=_("Only for a rectification already done: the deadline may then have passed."),
    )
    rectified_text = forms.CharField(
        label=_("What was done"), required=False, widget=forms.Textarea(attrs={"rows": 2})
    )


class RectificationReportForm(CheckedForm):
    text = forms.CharField(label=_("What was done"), widget=forms.Textarea(attrs={"rows": 4}))
    file = AttachmentField(required=False, label=_("Evidence (optional)"))


class ReportCorrectionForm(CheckedForm):
    text = forms.CharField(label=_("Corrected text"), widget=forms.Textarea(attrs={"rows": 4}))
    reason = forms.CharField(
        label=_("Reason for the correction"), widget=forms.Textarea(attrs={"rows": 2}), max_length=1000
    )


class WithdrawForm(CheckedForm):
    reason = forms.CharField(
        label=_("Reason for withdrawing"), widget=forms.Textarea(attrs={"rows": 2}), max_length=1000
    )


class ReviewForm(CheckedForm):
    decision = forms.ChoiceField(choices=[("accept", _("Accept")), ("reopen", _("Reopen"))])
    note = forms.CharField(label=_("Comment"), required=False, widget=forms.Textarea(attrs={"rows": 2}))
    due_date = forms.DateField(label=_("New deadline"), required=False, widget=DATE)

    def clean(self):
        data = super().clean()
        if data.get("decision") == "reopen":
            if not (data.get("note") or "").strip():
                self.add_error("note", _("Say what is still missing."))
            if not data.get("due_date"):
                self.add_error("due_date", _("Set a deadline."))
        return data


class RectificationFilterForm(CheckedForm):
    status = forms.ChoiceField(
        label=_("Status"),
        required=False,
        choices=[("", _("All")), ("late", _("Late"))] + Rectification.Status.choices,
    )
    county = forms.ChoiceField(label=_("County"), required=False)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["county"].choices = [("", _("All"))] + [
            (r.code, r.name) for r in Region.objects.filter(level__in=services.COUNTY_LEVELS).order_by("code")
        ]
