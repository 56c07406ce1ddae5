from django import forms
from django.core.exceptions import ValidationError
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from fanguai.core.validators import CheckedForm, validate_not_in_past
from fanguai.org.forms import RegionChoiceField, TownshipChoiceField
from fanguai.org.models import Region, Unit
from fanguai.people.models import Person
from fanguai.people.validators import validate_id_card, validate_phone

from .models import (
    AssistanceCase,
    CareRegistration,
    CareVisit,
    Consent,
    FollowUpVisit,
    Guardian,
    Placement,
    Referral,
    RiskLevel,
    ServiceKind,
    VisitCampaign,
)

DATE = forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")
DATETIME = forms.DateTimeInput(attrs={"type": "datetime-local"}, format="%Y-%m-%dT%H:%M")
TEXT = forms.Textarea(attrs={"rows": 3})


def apply_errors(form: forms.Form, error: ValidationError) -> None:
    """Show a service's errors next to the fields (or above the form for a field it does not have)."""
    if hasattr(error, "error_dict"):
        for name, messages in error.message_dict.items():
            form.add_error(name if name in form.fields else None, messages)
    else:
        form.add_error(None, error.messages)


class UnitChoiceField(forms.ModelChoiceField):
    def __init__(self, **kwargs):
        kwargs.setdefault("queryset", Unit.objects.filter(is_active=True).order_by("code"))
        super().__init__(**kwargs)


class PersonFieldsForm(CheckedForm):
    """The identity of a newly registered person (stored encrypted by the people registry)."""

    full_name = forms.CharField(label=_("Name"), max_length=64, required=False)
    sex = forms.ChoiceField(label=_("Sex"), choices=Person.Sex.choices)
    birth_date = forms.DateField(label=_("Date of birth"), required=False, widget=DATE)
    identity_status = forms.ChoiceField(label=_("Identity"), choices=Person.IdentityStatus.choices)
    id_card_number = forms.CharField(
        label=_("ID card number"), max_length=18, required=False, validators=[validate_id_card]
    )
    phone = forms.CharField(label=_("Phone"), max_length=20, required=False, validators=[validate_phone])
    address = forms.CharField(label=_("Address"), max_length=200, required=False)
    region = RegionChoiceField(
        label=_("Home township or county"),
        required=False,
        queryset=Region.objects.exclude(level=Region.Level.PROVINCE).select_related("parent"),
    )
    PERSON_FIELDS = (
        "full_name",
        "sex",
        "birth_date",
        "identity_status",
        "id_card_number",
        "phone",
        "address",
        "region",
    )

    def person_fields(self) -> dict:
        return {name: self.cleaned_data[name] for name in self.PERSON_FIELDS if name in self.cleaned_data}

    def clean(self):
        data = super().clean()
        if data.get("identity_status") == Person.IdentityStatus.KNOWN and not data.get("full_name"):
            self.add_error("full_name", _("A person of known identity needs a name."))
        return data


class IntakeForm(PersonFieldsForm):
    handed_over_by_unit = UnitChoiceField(
        label=_("Handed over by (police unit)"),
        queryset=Unit.objects.filter(is_active=True, sector=Unit.Sector.POLICE).order_by("code"),
    )
    handed_over_by_officer = forms.CharField(label=_("Officer who handed over"), max_length=64)
    handed_over_at = forms.DateTimeField(label=_("Handed over at"), widget=DATETIME)
    case_reference = forms.CharField(label=_("Police case reference"), max_length=100, required=False)
    circumstances = forms.CharField(label=_("Circumstances of the rescue"), required=False, widget=TEXT)
    needs = forms.MultipleChoiceField(
        label=_("Needs"), required=False, choices=ServiceKind.choices, widget=forms.CheckboxSelectMultiple
    )
    risk_level = forms.ChoiceField(label=_("Risk level"), choices=RiskLevel.choices)
    risk_notes = forms.CharField(label=_("Risk assessment"), required=False, widget=TEXT)
    guardianship = forms.ChoiceField(
        label=_("Guardianship (minors)"), required=False, choices=AssistanceCase.Guardianship.choices
    )
    guardian_name = forms.CharField(label=_("Guardian's name"), max_length=64, required=False)
    guardian_phone = forms.CharField(
        label=_("Guardian's phone"), max_length=20, required=False, validators=[validate_phone]
    )
    guardianship_notes = forms.CharField(label=_("Guardianship notes"), required=False, widget=TEXT)

    def clean_handed_over_at(self):
        value = self.cleaned_data["handed_over_at"]
        if value > timezone.now():
            raise ValidationError(_("The handover cannot lie in the future."))
        return value


class AssessmentForm(CheckedForm):
    needs = forms.MultipleChoiceField(
        label=_("Needs"), required=False, choices=ServiceKind.choices, widget=forms.CheckboxSelectMultiple
    )
    risk_level = forms.ChoiceField(label=_("Risk level"), choices=RiskLevel.choices)
    risk_notes = forms.CharField(label=_("Risk assessment"), required=False, widget=TEXT)
    guardianship = forms.ChoiceField(
        label=_("Guardianship (minors)"), required=False, choices=AssistanceCase.Guardianship.choices
    )
    guardianship_notes = forms.CharField(label=_("Guardianship notes"), required=False, widget=TEXT)


class PlacementForm(CheckedForm):
    kind = forms.ChoiceField(label=_("Placement"), choices=Placement.Kind.choices)
    responsible_unit = UnitChoiceField(label=_("Responsible unit"))
    place = forms.CharField(label=_("Place and carer"), required=False, widget=TEXT)
    started_on = forms.DateField(label=_("From"), widget=DATE)


class ConsentForm(CheckedForm):
    unit = UnitChoiceField(label=_("Shared with"))
    basis = forms.ChoiceField(label=_("Basis"), choices=Consent.Basis.choices)
    given_by = forms.CharField(
        label=_("Given by"), max_length=64, required=False, help_text=_("The person or the guardian.")
    )
    fields = forms.MultipleChoiceField(
        label=_("What may be shared"), choices=Consent.SHAREABLE, widget=forms.CheckboxSelectMultiple
    )
    given_on = forms.DateField(label=_("Given on"), widget=DATE)
    signed_form = forms.FileField(label=_("Signed consent form"), required=False)

    def clean(self):
        data = super().clean()
        if data.get("basis") in (Consent.Basis.PERSON, Consent.Basis.GUARDIAN) and not data.get("given_by"):
            self.add_error("given_by", _("Name who gave the consent."))
        return data


class ReferralForm(CheckedForm):
    service = forms.ChoiceField(label=_("Service"), choices=ServiceKind.choices)
    to_unit = UnitChoiceField(
        label=_("Referred to"),
        required=False,
        help_text=_("Leave empty for the responsible unit of the person's county."),
    )
    request = forms.CharField(label=_("What is needed"), required=False, widget=TEXT)
    deliver_by = forms.DateField(
        label=_("Deliver by"), required=False, widget=DATE, help_text=_("Leave empty for the usual time.")
    )


class RespondForm(CheckedForm):
    decision = forms.ChoiceField(
        label=_("Decision"), choices=[("accept", _("Accept")), ("decline", _("Decline"))]
    )
    note = forms.CharField(label=_("Note or reason"), required=False, widget=TEXT)


class DeliverForm(CheckedForm):
    outcome = forms.CharField(label=_("What was delivered"), widget=TEXT)


class ReasonForm(CheckedForm):
    reason = forms.CharField(label=_("Reason"), widget=TEXT)


class VisitScheduleForm(CheckedForm):
    scheduled_for = forms.DateField(label=_("Scheduled for"), widget=DATE, validators=[validate_not_in_past])


class VisitRecordForm(CheckedForm):
    visited = forms.ChoiceField(
        label=_("Result"), choices=[("yes", _("Visited")), ("no", _("Missed"))], initial="yes"
    )
    visited_on = forms.DateField(label=_("Visited on"), required=False, widget=DATE)
    notes = forms.CharField(label=_("What was found"), required=False, widget=TEXT)
    risk_flags = forms.MultipleChoiceField(
        label=_("Risk flags"),
        required=False,
        choices=FollowUpVisit.RISK_FLAGS,
        widget=forms.CheckboxSelectMultiple,
    )


class OutcomeForm(CheckedForm):
    outcome = forms.ChoiceField(label=_("Reintegration outcome"), choices=AssistanceCase.Outcome.choices[1:])
    outcome_on = forms.DateField(label=_("Recorded on"), widget=DATE)


class ClosureDecisionForm(CheckedForm):
    decision = forms.ChoiceField(
        label=_("Decision"), choices=[("approve", _("Approve")), ("refuse", _("Refuse"))]
    )
    note = forms.CharField(label=_("Note"), required=False, widget=TEXT)


class CaseFilterForm(CheckedForm):
    q = forms.CharField(label=_("Case or record number"), required=False)
    status = forms.ChoiceField(
        label=_("Status"), required=False, choices=[("", _("All"))] + list(AssistanceCase.Status.choices)
    )


class ReferralFilterForm(CheckedForm):
    box = forms.ChoiceField(
        label=_("Direction"),
        required=False,
        choices=[("", _("All")), ("received", _("Received by my unit")), ("sent", _("Sent by my unit"))],
    )
    status = forms.ChoiceField(
        label=_("Status"), required=False, choices=[("", _("All"))] + list(Referral.Status.choices)
    )
    service = forms.ChoiceField(
        label=_("Service"), required=False, choices=[("", _("All"))] + list(ServiceKind.choices)
    )
    overdue = forms.BooleanField(label=_("Overdue only"), required=False)


class RegistrationForm(PersonFieldsForm):
    category = forms.ChoiceField(label=_("Category"), choices=CareRegistration.Category.choices)
    township = TownshipChoiceField(label=_("Township"))
    risk_level = forms.ChoiceField(label=_("Risk level"), choices=RiskLevel.choices)
    situation = forms.CharField(label=_("Family situation"), required=False, widget=TEXT)

    def __init__(self, *args, user=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields.pop("region")
        self.fields["identity_status"].initial = Person.IdentityStatus.KNOWN
        if user is not None and not user.is_city_level and user.county is not None:
            self.fields["township"].queryset = self.fields["township"].queryset.filter(parent=user.county)


class RegistrationUpdateForm(CheckedForm):
    risk_level = forms.ChoiceField(label=_("Risk level"), choices=RiskLevel.choices)
    situation = forms.CharField(label=_("Family situation"), required=False, widget=TEXT)
    status = forms.ChoiceField(label=_("Status"), choices=CareRegistration.Status.choices)


class RegistrationFilterForm(CheckedForm):
    township = TownshipChoiceField(label=_("Township"), required=False)
    risk_level = forms.ChoiceField(
        label=_("Risk level"), required=False, choices=[("", _("All"))] + list(RiskLevel.choices)
    )
    category = forms.ChoiceField(
        label=_("Category"),
        required=False,
        choices=[("", _("All"))] + list(CareRegistration.Category.choices),
    )


class GuardianForm(CheckedForm):
    full_name = forms.CharField(label=_("Name"), max_length=64)
    sex = forms.ChoiceField(label=_("Sex"), choices=Person.Sex.choices)
    phone = forms.CharField(label=_("Phone"), max_length=20, required=False, validators=[validate_phone])
    address = forms.CharField(label=_("Address"), max_length=200, required=False)
    relationship = forms.ChoiceField(label=_("Relationship"), choices=Guardian.Relationship.choices)
    lives_with_child = forms.BooleanField(label=_("Lives with the child"), required=False)
    works_away = forms.BooleanField(label=_("Works away from home"), required=False)


class CareVisitForm(CheckedForm):
    programme = forms.ChoiceField(label=_("Programme"), choices=CareVisit.Programme.choices)
    campaign = forms.ModelChoiceField(
        label=_("Campaign"), required=False, queryset=VisitCampaign.objects.all()
    )
    visited_on = forms.DateField(label=_("Visited on"), widget=DATE)
    findings = forms.CharField(label=_("What was found"), required=False, widget=TEXT)
    risk_level = forms.ChoiceField(label=_("Risk level after the visit"), choices=RiskLevel.choices)
    clue_wanted = forms.BooleanField(
        label=_("Possible trafficking risk: a clue should be filed"), required=False
    )


class EntrustedCareForm(CheckedForm):
    carer = forms.CharField(label=_("Carer"), max_length=64)
    carer_relationship = forms.ChoiceField(label=_("Relationship"), choices=Guardian.Relationship.choices)
    entrusted_by = forms.CharField(label=_("Entrusted by"), max_length=64)
    starts_on = forms.DateField(label=_("From"), widget=DATE)
    ends_on = forms.DateField(label=_("Until"), required=False, widget=DATE)
    notes = forms.CharField(label=_("Notes"), required=False, widget=TEXT)


class CampaignForm(CheckedForm):
    name = forms.CharField(label=_("Name"), max_length=100)
    starts_on = forms.DateField(label=_("From"), widget=DATE)
    ends_on = forms.DateField(label=_("Until"), widget=DATE)


class IndicatorForm(CheckedForm):
    year = forms.IntegerField(label=_("Year"), min_value=2000, max_value=2100, required=False)
    days = forms.IntegerField(
        label=_("Back in school within (days)"), min_value=1, max_value=365, required=False
    )
