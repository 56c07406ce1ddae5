from collections import Counter

from django import forms
from django.core.cache import cache
from django.utils.translation import get_language
from django.utils.translation import gettext_lazy as _

from fanguai.core.errors import ValidationFailed
from fanguai.core.validators import CheckedForm
from fanguai.core.widgets import Select
from fanguai.files.inspection import inspect_upload
from fanguai.org.forms import township_label
from fanguai.org.models import Region, Unit
from fanguai.people.validators import validate_phone

from . import conf
from .models import Category, Clue, Outcome, Priority, Source

PUBLIC_ACCEPT = ".jpg,.jpeg,.png,.webp,.gif,.pdf"
PUBLIC_TYPES = ("image/jpeg", "image/png", "image/webp", "image/gif", "application/pdf")


REGION_CHOICES_SECONDS = 300


def region_choices() -> list:
    """Counties with their townships as option groups: a plain <select> that works without JavaScript.

    Kept in the cache for a few minutes per language: the public form builds it on every request (about 170
    regions, 10 % of a report's CPU time when hundreds of reports arrive at once), and regions change only
    when the reference data is loaded again."""
    key = f"clues:region-choices:{get_language()}"
    choices = cache.get(key)
    if choices is None:
        choices = _region_choices()
        cache.set(key, choices, REGION_CHOICES_SECONDS)
    return choices


def _region_choices() -> list:
    choices: list = [("", str(_("Not known")))]
    # Plain tuples, not model instances: the public form shows about 170 regions on every request.
    rows = (
        Region.objects.filter(level__in=[Region.Level.COUNTY, Region.Level.ZONE, Region.Level.TOWNSHIP])
        .order_by("code")
        .values_list("pk", "name", "level", "parent_id")
    )
    townships: dict[int, list] = {}
    counties = []
    for pk, name, level, parent_id in rows:
        if level == Region.Level.TOWNSHIP:
            townships.setdefault(parent_id, []).append((pk, name))
        else:
            counties.append((pk, name))
    # Two 城关镇 and two 双河镇: their option text names the county too.
    names = Counter(name for members in townships.values() for _pk, name in members)
    for pk, name in counties:
        whole = (pk, _("%(county)s (township not known)") % {"county": name})
        members = [
            (t, township_label(t_name, name, names[t_name] > 1)) for t, t_name in townships.get(pk, [])
        ]
        choices.append((name, [whole, *members]))
    return choices


class RegionField(forms.TypedChoiceField):
    widget = Select  # about 170 options: rendered in Python, not through two templates per option

    def __init__(self, **kwargs):
        super().__init__(coerce=self._region, empty_value=None, **kwargs)

    @staticmethod
    def _region(value):
        return Region.objects.get(pk=int(value))


class MultipleFileInput(forms.ClearableFileInput):
    allow_multiple_selected = True


class PublicFilesField(forms.FileField):
    """Images and PDF files, at most CLUES_MAX_ATTACHMENTS, each checked (type from the bytes, size)."""

    def __init__(self, **kwargs):
        kwargs.setdefault("widget", MultipleFileInput(attrs={"accept": PUBLIC_ACCEPT, "multiple": True}))
        kwargs.setdefault("required", False)
        super().__init__(**kwargs)

    def clean(self, data, initial=None):
        uploads = [u for u in (data if isinstance(data, list | tuple) else [data]) if u]
        if len(uploads) > conf.max_attachments():
            raise forms.ValidationError(
                _("At most %(n)s files can be sent at once.") % {"n": conf.max_attachments()}
            )
        cleaned = []
        for upload in uploads:
            upload = super().clean(upload, initial)
            try:
                inspected = inspect_upload(upload)
            except ValidationFailed as exc:
                raise forms.ValidationError([e.message for e in exc.errors]) from exc
            if inspected.content_type not in PUBLIC_TYPES:
                raise forms.ValidationError(
                    _("Only pictures (JPEG, PNG, WebP, GIF) and PDF files are accepted.")
                )
            upload.seek(0)
            cleaned.append(upload)
        return cleaned


def _description_field(label) -> forms.CharField:
    return forms.CharField(
        label=label,
        max_length=conf.description_max(),
        widget=forms.Textarea(attrs={"rows": 6, "maxlength": conf.description_max()}),
    )


class ClueFieldsMixin(CheckedForm):
    category = forms.ChoiceField(label=_("What is it about?"), choices=Category.choices)
    place_detail = forms.CharField(
        label=_("Place"),
        required=False,
        max_length=300,
        help_text=_("Village, street, shop or website, as precisely as you can."),
    )
    occurred_at = forms.DateTimeField(
        label=_("When did it happen or when did you see it?"),
        required=False,
        widget=forms.DateTimeInput(attrs={"type": "datetime-local"}, format="%Y-%m-%dT%H:%M"),
        input_formats=["%Y-%m-%dT%H:%M", "%Y-%m-%d %H:%M", "%Y-%m-%d"],
    )
    latitude = forms.DecimalField(
        label=_("Map point: latitude"),
        required=False,
        min_value=-90,
        max_value=90,
        decimal_places=6,
        help_text=_("Optional. From your phone's map, e.g. 31.7350."),
    )
    longitude = forms.DecimalField(
        label=_("Map point: longitude"),
        required=False,
        min_value=-180,
        max_value=180,
        decimal_places=6,
        help_text=_("Optional, e.g. 116.5200."),
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["description"] = _description_field(_("What did you see or learn?"))
        self.fields["region"] = RegionField(
            label=_("Township or county"), required=False, choices=region_choices()
        )
        self.order_fields(
            [
                "source",
                "category",
                "description",
                "region",
                "place_detail",
                "occurred_at",
                "latitude",
                "longitude",
            ]
        )

    def clean(self):
        data = super().clean()
        if (data.get("latitude") is None) != (data.get("longitude") is None):
            self.add_error("longitude", _("Give both latitude and longitude, or neither."))
        return data

    def clue_fields(self) -> dict:
        names = ("category", "description", "region", "place_detail", "occurred_at", "latitude", "longitude")
        return {name: self.cleaned_data.get(name) for name in names}


class PublicReportForm(ClueFieldsMixin):
    files = PublicFilesField(
        label=_("Pictures or documents"),
        help_text=_(
            "Optional: up to 3 pictures or PDF files. Location and camera data are removed from pictures."
        ),
    )
    contact_name = forms.CharField(label=_("Your name"), required=False, max_length=64)
    contact_phone = forms.CharField(
        label=_("Your phone"), required=False, max_length=20, validators=[validate_phone]
    )
    contact_consent = forms.BooleanField(
        label=_(
            "I agree that my name and phone are kept encrypted and used only to contact me about this report."
        ),
        required=False,
    )
    # The honeypot: hidden from people by the page, filled in by form-filling robots.
    website = forms.CharField(label=_("Leave this field empty"), required=False)
    started = forms.CharField(widget=forms.HiddenInput)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["files"].help_text = _(
            "Optional: up to %(n)s pictures or PDF files. Location and camera data are removed from pictures."
        ) % {"n": conf.max_attachments()}

    def clean(self):
        data = super().clean()
        if (data.get("contact_name") or data.get("contact_phone")) and not data.get("contact_consent"):
            self.add_error(
                "contact_consent",
                _("Tick the box to leave your contact details, or leave them empty to stay anonymous."),
            )
        return data

    def contact(self) -> dict:
        if not self.cleaned_data.get("contact_consent"):
            return {}
        return {
            "full_name": self.cleaned_data.get("contact_name", ""),
            "phone": self.cleaned_data.get("contact_phone", ""),
        }


class StaffClueForm(ClueFieldsMixin):
    source = forms.ChoiceField(
        label=_("Source"), choices=[c for c in Source.choices if c[0] != Source.PUBLIC]
    )
    file = forms.FileField(label=_("File"), required=False)
    contact_name = forms.CharField(label=_("Reporter's name"), required=False, max_length=64)
    contact_phone = forms.CharField(
        label=_("Reporter's phone"), required=False, max_length=20, validators=[validate_phone]
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        from fanguai.files.forms import AttachmentField

        self.fields["file"] = AttachmentField(required=False)
        self.fields["description"].label = _("Description or transcript")

    def contact(self) -> dict:
        return {
            "full_name": self.cleaned_data.get("contact_name", ""),
            "phone": self.cleaned_data.get("contact_phone", ""),
        }


class FollowUpForm(CheckedForm):
    code = forms.CharField(
        label=_("Receipt code"),
        max_length=40,
        widget=forms.TextInput(
            attrs={"inputmode": "numeric", "autocomplete": "off", "placeholder": "0000 0000 0000 0000"}
        ),
    )


class PublicMessageForm(CheckedForm):
    message = forms.CharField(
        label=_("Your answer or further information"), widget=forms.Textarea(attrs={"rows": 4})
    )
    files = PublicFilesField(label=_("Pictures or documents"))

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["message"].max_length = conf.description_max()


class ClaimForm(CheckedForm):
    details = forms.CharField(
        label=_("How should the reward be paid to you?"),
        help_text=_("Name, phone and bank account, or where you will collect it. Kept encrypted."),
        max_length=1000,
        widget=forms.Textarea(attrs={"rows": 3}),
    )


class ClueFilterForm(CheckedForm):
    queue = forms.ChoiceField(
        label=_("Queue"),
        required=False,
        choices=[("", _("All I may see")), ("triage", _("To triage")), ("unit", _("My unit's clues"))],
    )
    status = forms.ChoiceField(
        label=_("Status"), required=False, choices=[("", _("Any status")), *Clue.Status.choices]
    )
    category = forms.ChoiceField(
        label=_("Category"), required=False, choices=[("", _("Any category")), *Category.choices]
    )
    source = forms.ChoiceField(
        label=_("Source"), required=False, choices=[("", _("Any source")), *Source.choices]
    )
    number = forms.CharField(label=_("Number"), required=False, max_length=16)


class TriageForm(CheckedForm):
    priority = forms.ChoiceField(label=_("Priority"), choices=Priority.choices)
    category = forms.ChoiceField(label=_("Category"), choices=Category.choices)
    message = forms.CharField(label=_("Note"), required=False, widget=forms.Textarea(attrs={"rows": 2}))


class UnitChoiceField(forms.ModelChoiceField):
    def label_from_instance(self, obj: Unit) -> str:
        return obj.name


class TransferForm(CheckedForm):
    to_unit = UnitChoiceField(
        label=_("Responsible unit"),
        queryset=Unit.objects.filter(is_active=True)
        .exclude(kind__in=[Unit.Kind.CONFERENCE, Unit.Kind.OFFICE])
        .order_by("code"),
    )
    priority = forms.ChoiceField(label=_("Priority"), choices=Priority.choices)
    message = forms.CharField(
        label=_("Instructions"), required=False, widget=forms.Textarea(attrs={"rows": 3})
    )


class OutcomeForm(CheckedForm):
    outcome = forms.ChoiceField(label=_("Outcome"), choices=Outcome.choices)
    message = forms.CharField(label=_("What was done and found"), widget=forms.Textarea(attrs={"rows": 3}))


class MessageForm(CheckedForm):
    message = forms.CharField(label=_("Message"), widget=forms.Textarea(attrs={"rows": 3}))
    question = forms.BooleanField(label=_("This is a question the reporter should answer"), required=False)


class NoteForm(CheckedForm):
    message = forms.CharField(label=_("Internal note"), widget=forms.Textarea(attrs={"rows": 2}))


class CloseForm(CheckedForm):
    message = forms.CharField(
        label=_("Reason for closing (shown to the reporter)"), widget=forms.Textarea(attrs={"rows": 2})
    )


class MergeForm(CheckedForm):
    duplicate = forms.IntegerField(widget=forms.HiddenInput)


class RewardForm(CheckedForm):
    amount = forms.DecimalField(label=_("Amount (yuan)"), min_value=1, max_digits=10, decimal_places=2)
    reason = forms.CharField(label=_("Reason"), widget=forms.Textarea(attrs={"rows": 2}))


class RewardDecisionForm(CheckedForm):
    decision = forms.ChoiceField(
        label=_("Decision"), choices=[("approve", _("Approve")), ("refuse", _("Refuse"))]
    )
    note = forms.CharField(label=_("Note"), required=False, max_length=500)


class RewardPaymentForm(CheckedForm):
    payment_reference = forms.CharField(label=_("Payment reference"), max_length=64)


class StatisticsForm(CheckedForm):
    year = forms.IntegerField(label=_("Year"), required=False, min_value=2000, max_value=2100)
