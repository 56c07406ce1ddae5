from django import forms
from django.utils.translation import gettext_lazy as _

from fanguai.core.validators import CheckedForm, CheckedModelForm
from fanguai.org.forms import RegionChoiceField
from fanguai.org.models import Region

from .models import Person
from .validators import validate_id_card, validate_phone


class PersonForm(CheckedModelForm):
    full_name = forms.CharField(label=_("Name"), max_length=64, required=False)
    id_card_number = forms.CharField(
        label=_("ID card number"), max_length=18, required=False, validators=[validate_id_card]
    )
    phone = forms.CharField(label=_("Phone"), max_length=20, required=False, validators=[validate_phone])
    address = forms.CharField(label=_("Address"), max_length=200, required=False)
    notes = forms.CharField(
        label=_("Description and notes"), required=False, widget=forms.Textarea(attrs={"rows": 3})
    )
    region = RegionChoiceField(
        label=_("Township or county"),
        required=False,
        queryset=Region.objects.exclude(level__in=[Region.Level.PROVINCE]).select_related("parent"),
    )

    class Meta:
        model = Person
        fields = [
            "full_name",
            "sex",
            "birth_date",
            "identity_status",
            "id_card_number",
            "phone",
            "address",
            "region",
            "notes",
        ]
        widgets = {"birth_date": forms.DateInput(attrs={"type": "date"})}

    def clean(self):
        data = super().clean()
        if data.get("identity_status") == Person.IdentityStatus.KNOWN and not data.get("full_name"):
            self.add_error("full_name", _("A person of known identity needs a name."))
        return data


class PersonSearchForm(CheckedForm):
    q = forms.CharField(label=_("Name, ID card number, phone or record number"), required=False)
    identity_status = forms.ChoiceField(
        label=_("Identity"), required=False, choices=[("", _("All"))] + list(Person.IdentityStatus.choices)
    )
    sex = forms.ChoiceField(
        label=_("Sex"), required=False, choices=[("", _("All"))] + list(Person.Sex.choices)
    )


class MergeForm(CheckedForm):
    duplicate = forms.IntegerField(widget=forms.HiddenInput)
