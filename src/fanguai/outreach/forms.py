from django import forms
from django.utils.translation import gettext_lazy as _

from fanguai.core.validators import (
    CheckedForm,
    CheckedModelForm,
    not_before,
    validate_march,
    validate_not_in_future,
)
from fanguai.org.models import Region
from fanguai.people.forms import RegionChoiceField

from .models import Activity


class ActivityForm(CheckedModelForm):
    region = RegionChoiceField(
        label=_("Township or county"),
        required=False,
        queryset=Region.objects.exclude(level=Region.Level.PROVINCE).select_related("parent"),
    )

    class Meta:
        model = Activity
        fields = [
            "kind",
            "title",
            "held_on",
            "region",
            "place",
            "audience",
            "people_reached",
            "materials",
            "campaign_day",
            "description",
            "target",
            "problem",
            "rectification",
            "rectify_by",
        ]
        widgets = {
            "held_on": forms.DateInput(attrs={"type": "date"}),
            "rectify_by": forms.DateInput(attrs={"type": "date"}),
            "description": forms.Textarea(attrs={"rows": 3}),
            "problem": forms.Textarea(attrs={"rows": 2}),
            "rectification": forms.Textarea(attrs={"rows": 2}),
        }

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        # an activity is recorded once held: it counts as done in the indicators
        self.fields["held_on"].validators.append(validate_not_in_future)

    def clean(self):
        data = super().clean()
        if data.get("kind") == Activity.Kind.GOVERNANCE:
            for name in ("target", "problem"):
                if not data.get(name):
                    self.add_error(name, _("Required for a source-governance action."))
        held_on = data.get("held_on")
        if held_on and data.get("campaign_day") == Activity.CampaignDay.WOMENS_DAY:
            try:
                validate_march(held_on)
            except forms.ValidationError as error:
                self.add_error("campaign_day", error)
        if error := not_before(
            data.get("rectify_by"), held_on, _("The rectification deadline cannot be before the activity.")
        ):
            self.add_error("rectify_by", error)
        return data


class ActivityFilterForm(CheckedForm):
    q = forms.CharField(label=_("Title"), required=False)
    kind = forms.ChoiceField(
        label=_("Kind"), required=False, choices=[("", _("All"))] + list(Activity.Kind.choices)
    )
    year = forms.IntegerField(label=_("Year"), required=False, min_value=2000, max_value=2100)
    county = forms.ModelChoiceField(
        label=_("County"),
        required=False,
        to_field_name="code",
        queryset=Region.objects.filter(level__in=[Region.Level.COUNTY, Region.Level.ZONE]),
    )
    campaign_day = forms.ChoiceField(
        label=_("Campaign day"),
        required=False,
        choices=[("", _("All"))] + list(Activity.CampaignDay.choices)[1:],
    )
    status = forms.ChoiceField(
        label=_("Status"), required=False, choices=[("", _("All"))] + list(Activity.Status.choices)
    )
