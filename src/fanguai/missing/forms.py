from django import forms
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from fanguai.core.validators import CheckedForm, CheckedModelForm
from fanguai.files.forms import AttachmentField
from fanguai.org.models import Region, Unit
from fanguai.people.forms import RegionChoiceField
from fanguai.people.models import Person
from fanguai.people.validators import validate_phone

from .models import MediaRelease, MissingReport, Screening, SearchStep, Subscriber, UnidentifiedPerson

DATETIME = {"type": "datetime-local"}


def _regions():
    return Region.objects.exclude(level__in=[Region.Level.PROVINCE]).select_related("parent")


def _now_local() -> str:
    return timezone.localtime().strftime("%Y-%m-%dT%H:%M")


class LatLonMixin(CheckedForm):
    latitude = forms.DecimalField(
        label=_("Latitude"), required=False, max_digits=9, decimal_places=6, min_value=-90, max_value=90
    )
    longitude = forms.DecimalField(
        label=_("Longitude"), required=False, max_digits=9, decimal_places=6, min_value=-180, max_value=180
    )

    def clean(self):
        data = super().clean()
        if (data.get("latitude") is None) != (data.get("longitude") is None):
            raise forms.ValidationError(_("Give both latitude and longitude, or neither."))
        return data


class ReportForm(LatLonMixin):
    full_name = forms.CharField(label=_("Name of the missing person"), max_length=64, required=False)
    sex = forms.ChoiceField(label=_("Sex"), choices=Person.Sex.choices, initial=Person.Sex.UNKNOWN)
    birth_date = forms.DateField(
        label=_("Date of birth"), required=False, widget=forms.DateInput(attrs={"type": "date"})
    )
    category = forms.ChoiceField(label=_("Category"), choices=MissingReport.Category.choices)
    description = forms.CharField(
        label=_("Description (appearance, clothing)"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 3}),
    )
    last_seen_at = forms.DateTimeField(
        label=_("Last seen (date and time)"), widget=forms.DateTimeInput(attrs=DATETIME)
    )
    last_seen_place = forms.CharField(label=_("Place last seen"), max_length=200)
    region = RegionChoiceField(label=_("Township or county"), required=False, queryset=_regions())
    reporter_name = forms.CharField(
        label=_("Name of the person filing the report"), max_length=64, required=False
    )
    reporter_phone = forms.CharField(
        label=_("Phone of the person filing the report"),
        max_length=20,
        required=False,
        validators=[validate_phone],
    )
    reporter_relation = forms.CharField(
        label=_("Reporter's relation to the person"), max_length=32, required=False
    )
    photo = AttachmentField(
        label=_("Photo"),
        required=False,
        help_text=_("A recent photo (kept private until an alert is published)."),
    )

    field_order = [
        "full_name",
        "sex",
        "birth_date",
        "category",
        "description",
        "last_seen_at",
        "last_seen_place",
        "region",
        "latitude",
        "longitude",
        "reporter_name",
        "reporter_phone",
        "reporter_relation",
        "photo",
    ]

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["last_seen_at"].initial = _now_local()


class TaskDoneForm(CheckedForm):
    notes = forms.CharField(label=_("Notes"), required=False, max_length=300)


class SampleRequestForm(CheckedForm):
    """The reason given when a blood sample is requested from the DNA laboratory (the services keep 300
    characters)."""

    reason = forms.CharField(label=_("Reason"), required=False, max_length=300)


class OutcomeForm(CheckedForm):
    outcome = forms.ChoiceField(label=_("Outcome"), choices=MissingReport.Outcome.choices)
    notes = forms.CharField(label=_("Notes"), required=False, widget=forms.Textarea(attrs={"rows": 2}))


class AlertForm(LatLonMixin):
    display_name = forms.CharField(label=_("Name shown to the public"), max_length=64)
    age_text = forms.CharField(
        label=_("Age"), max_length=32, required=False, help_text=_("For example: 7 years")
    )
    description = forms.CharField(
        label=_("Public description (Chinese)"),
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=_("Only what helps the public recognise the person: no address, no family details."),
    )
    description_en = forms.CharField(
        label=_("Public description (English)"), required=False, widget=forms.Textarea(attrs={"rows": 2})
    )
    last_seen_place = forms.CharField(label=_("Place last seen"), max_length=200)
    police_phone = forms.CharField(label=_("Police phone"), max_length=32)
    photo = forms.ChoiceField(label=_("Photo to publish"), required=False)

    field_order = [
        "display_name",
        "age_text",
        "description",
        "description_en",
        "last_seen_place",
        "latitude",
        "longitude",
        "police_phone",
        "photo",
    ]

    def __init__(self, *args, photos=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["photo"].choices = [("", _("No photo"))] + [(str(f.pk), f.original_name) for f in photos]
        self.fields["latitude"].required = True
        self.fields["longitude"].required = True


class ApprovalForm(CheckedForm):
    decision = forms.ChoiceField(choices=[("approve", _("Approve")), ("reject", _("Reject"))])
    reason = forms.CharField(label=_("Reason"), required=False, max_length=300)


class StepForm(CheckedModelForm):
    class Meta:
        model = SearchStep
        fields = ["code", "name", "target_minutes", "order", "is_active", "is_alert_step"]


class SubscriberForm(CheckedModelForm):
    latitude = forms.DecimalField(
        label=_("Latitude"), max_digits=9, decimal_places=6, min_value=-90, max_value=90
    )
    longitude = forms.DecimalField(
        label=_("Longitude"), max_digits=9, decimal_places=6, min_value=-180, max_value=180
    )
    email = forms.EmailField(label=_("E-mail address"), required=False)
    webhook_url = forms.URLField(
        label=_("Webhook address"), required=False, max_length=500, assume_scheme="https"
    )

    class Meta:
        model = Subscriber
        fields = ["name", "kind", "latitude", "longitude", "channel", "email", "webhook_url"]

    def clean(self):
        data = super().clean()
        if data.get("channel") == Subscriber.Channel.EMAIL and not data.get("email"):
            self.add_error("email", _("An e-mail subscriber needs an address."))
        if data.get("channel") == Subscriber.Channel.WEBHOOK and not data.get("webhook_url"):
            self.add_error("webhook_url", _("A webhook subscriber needs an address."))
        return data


class ReleaseForm(CheckedModelForm):
    url = forms.URLField(label=_("Address"), required=False, max_length=500, assume_scheme="https")

    class Meta:
        model = MediaRelease
        fields = ["outlet", "medium", "released_at", "url", "notes"]
        widgets = {"released_at": forms.DateTimeInput(attrs=DATETIME)}

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["released_at"].initial = _now_local()


class UnidentifiedForm(LatLonMixin):
    kind = forms.ChoiceField(label=_("Kind"), choices=UnidentifiedPerson.Kind.choices)
    sex = forms.ChoiceField(label=_("Sex"), choices=Person.Sex.choices, initial=Person.Sex.UNKNOWN)
    estimated_age = forms.CharField(label=_("Estimated age"), max_length=32, required=False)
    found_at = forms.DateTimeField(
        label=_("Found (date and time)"), widget=forms.DateTimeInput(attrs=DATETIME)
    )
    found_place = forms.CharField(label=_("Place found"), max_length=200)
    region = RegionChoiceField(label=_("Township or county"), required=False, queryset=_regions())
    description = forms.CharField(
        label=_("Description"), required=False, widget=forms.Textarea(attrs={"rows": 3})
    )

    field_order = [
        "kind",
        "sex",
        "estimated_age",
        "found_at",
        "found_place",
        "region",
        "latitude",
        "longitude",
        "description",
    ]


class ScreeningForm(CheckedForm):
    full_name = forms.CharField(label=_("Child's name"), max_length=64, required=False)
    sex = forms.ChoiceField(label=_("Sex"), choices=Person.Sex.choices, initial=Person.Sex.UNKNOWN)
    birth_date = forms.DateField(
        label=_("Date of birth"), required=False, widget=forms.DateInput(attrs={"type": "date"})
    )
    region = RegionChoiceField(label=_("Township or county"), required=False, queryset=_regions())
    reason = forms.ChoiceField(label=_("Reason for screening"), choices=Screening.Reason.choices)
    screening_unit = forms.ModelChoiceField(
        label=_("Screening unit"), queryset=Unit.objects.filter(is_active=True), required=False
    )
    screened_on = forms.DateField(label=_("Screened on"), widget=forms.DateInput(attrs={"type": "date"}))
    notes = forms.CharField(label=_("Notes"), required=False, widget=forms.Textarea(attrs={"rows": 3}))

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["screened_on"].initial = timezone.localdate()


class ScreeningResultForm(CheckedForm):
    result = forms.ChoiceField(label=_("Result"), choices=Screening.Result.choices)
    notes = forms.CharField(label=_("Notes"), required=False, max_length=300)


class HandOverForm(CheckedForm):
    dna_reference = forms.CharField(label=_("DNA specimen reference"), max_length=64)


class PublicSubscribeForm(CheckedForm):
    name = forms.CharField(label=_("Name or organisation"), max_length=100)
    kind = forms.ChoiceField(label=_("Kind"), choices=Subscriber.Kind.choices)
    email = forms.EmailField(label=_("E-mail address"))
    latitude = forms.DecimalField(
        label=_("Latitude"), max_digits=9, decimal_places=6, min_value=-90, max_value=90
    )
    longitude = forms.DecimalField(
        label=_("Longitude"), max_digits=9, decimal_places=6, min_value=-180, max_value=180
    )
    website = forms.CharField(
        required=False, widget=forms.HiddenInput
    )  # a trap for robots: people leave it empty

    def clean_website(self):
        if self.cleaned_data.get("website"):
            raise forms.ValidationError(_("The form could not be sent."))
        return ""
