from django import forms
from django.contrib.auth.forms import AuthenticationForm
from django.utils.translation import gettext_lazy as _

from fanguai.core.validators import CheckedForm, CheckedModelForm
from fanguai.org.models import Unit

from .models import User
from .roles import ADMIN_ROLES, Role


class LoginForm(AuthenticationForm):
    username = forms.CharField(
        label=_("User name"),
        max_length=150,
        widget=forms.TextInput(attrs={"autofocus": True, "autocomplete": "username"}),
    )
    password = forms.CharField(
        label=_("Password"),
        strip=False,
        widget=forms.PasswordInput(attrs={"autocomplete": "current-password"}),
    )


class TokenForm(CheckedForm):
    token = forms.RegexField(
        label=_("Six-digit code"),
        regex=r"^\d{6}$",
        widget=forms.TextInput(
            attrs={"autocomplete": "one-time-code", "inputmode": "numeric", "autofocus": True}
        ),
        error_messages={"invalid": _("Enter the six digits shown by your authenticator app.")},
    )


STAFF_ROLES = [(value, label) for value, label in Role.choices if value not in ADMIN_ROLES]


class StaffForm(CheckedForm):
    username = forms.RegexField(
        label=_("User name"),
        regex=r"^[A-Za-z0-9_.-]{3,150}$",
        help_text=_("Letters, digits, dots, dashes and underscores."),
    )
    full_name = forms.CharField(label=_("Full name"), max_length=64)
    role = forms.ChoiceField(label=_("Role"), choices=STAFF_ROLES)
    unit = forms.ModelChoiceField(label=_("Unit"), queryset=Unit.objects.filter(is_active=True))
    email = forms.EmailField(label=_("E-mail"), required=False)
    phone = forms.CharField(label=_("Office phone"), max_length=32, required=False)
    password = forms.CharField(label=_("Initial password"), widget=forms.PasswordInput, strip=False)

    def clean(self):
        data = super().clean()
        check_role_fits_unit(self, data)
        return data


def check_role_fits_unit(form: forms.Form, data: dict) -> None:
    """A county coordinator works for a county: the account belongs to a unit of a district, county or zone."""
    unit = data.get("unit")
    if data.get("role") == Role.COUNTY_COORDINATOR and unit is not None and unit.is_city_level:
        form.add_error("unit", _("A county coordinator belongs to a unit of a district, county or zone."))


class StaffChangeForm(CheckedModelForm):
    role = forms.ChoiceField(label=_("Role"), choices=STAFF_ROLES)

    class Meta:
        model = User
        fields = ["full_name", "role", "unit", "email", "phone", "is_active"]

    def clean(self):
        data = super().clean()
        check_role_fits_unit(self, data)
        return data
