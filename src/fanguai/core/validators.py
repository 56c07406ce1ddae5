"""The platform's shared input rules, in one place: every form uses them, so a clerk's typing error gets the
same clear message everywhere (issue 14 item 1).

- ``CheckedForm`` / ``CheckedModelForm`` (or ``CheckedInputMixin`` on any form) give every field the limits a
  field of its kind must have: texts without control characters and with a length limit, dates and times within
  ``EARLIEST_DATE``..``LATEST_DATE`` (and not in the future for ``HAPPENED_FIELDS``), numbers within
  ``±MAX_NUMBER``;
- the validators below state the rules that depend on a field's meaning (not in the future, not before another
  date, a bounded amount), for forms and services alike.
"""

import datetime as dt
import re
from collections.abc import Callable
from decimal import Decimal

from django import forms
from django.core.exceptions import ValidationError
from django.core.validators import MaxLengthValidator, MaxValueValidator, MinValueValidator
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

# No record of the platform concerns a date before 1900 (the oldest persons sought were born after) or after
# 2100 (plans run a few years ahead).
EARLIEST_DATE = dt.date(1900, 1, 1)
LATEST_DATE = dt.date(2100, 12, 31)
# Counts and amounts: far above any real figure (yuan, persons, samples), far below what breaks a database.
MAX_NUMBER = 10**12
# Length limits for texts whose model or form sets none: one line, and a free text (a description).
LINE_LIMIT = 200
TEXT_LIMIT = 5000
# A search box: a few words, never a document.
SEARCH_LIMIT = 100

# C0 and C1 control characters (escape, NUL, ...), except tab and line breaks.
_CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f]")


def validate_no_control_characters(value: str) -> None:
    if isinstance(value, str) and _CONTROL.search(value):
        raise ValidationError(_("The text contains control characters."), code="control_characters")


def validate_sane_date(value: dt.date | dt.datetime | None) -> None:
    """A date (or date and time) within the years any record of the platform can concern."""
    if value is None:
        return
    day = value.date() if isinstance(value, dt.datetime) else value
    if not EARLIEST_DATE <= day <= LATEST_DATE:
        raise ValidationError(
            _("Enter a date between %(earliest)s and %(latest)s."),
            code="date_range",
            params={"earliest": EARLIEST_DATE.isoformat(), "latest": LATEST_DATE.isoformat()},
        )


def today() -> dt.date:
    return timezone.localdate()


def validate_not_in_future(value: dt.date | dt.datetime | None) -> None:
    """For what has happened: a birth, a reunion, a visit made, an event done."""
    if value is None:
        return
    if isinstance(value, dt.datetime):
        if value > timezone.now() + dt.timedelta(minutes=5):  # a clock a few minutes ahead
            raise ValidationError(_("This cannot be in the future."), code="future")
    elif value > today():
        raise ValidationError(_("This date cannot be in the future."), code="future")


def validate_not_in_past(value: dt.date | dt.datetime | None) -> None:
    """For what is planned: a visit scheduled, a deadline set."""
    if value is None:
        return
    day = timezone.localtime(value).date() if isinstance(value, dt.datetime) else value
    if day < today():
        raise ValidationError(_("This date has passed."), code="past")


def not_before(
    value: dt.date | dt.datetime | None, earliest: dt.date | dt.datetime | None, message: str
) -> ValidationError | None:
    """The error when value is before earliest (dates and times compared by day where they differ)."""
    if value is None or earliest is None:
        return None
    if isinstance(value, dt.datetime) != isinstance(earliest, dt.datetime):
        value = value.date() if isinstance(value, dt.datetime) else value
        earliest = earliest.date() if isinstance(earliest, dt.datetime) else earliest
    if value < earliest:
        return ValidationError(message, code="too_early")
    return None


def validate_bounded(maximum: int | Decimal = MAX_NUMBER, minimum: int | Decimal = 0) -> Callable:
    """A count or amount within [minimum, maximum]."""

    def check(value) -> None:
        if value is None:
            return
        if not minimum <= value <= maximum:
            raise ValidationError(
                _("Enter a number between %(minimum)s and %(maximum)s."),
                code="out_of_range",
                params={"minimum": minimum, "maximum": maximum},
            )

    return check


def validate_march(value: dt.date | None) -> None:
    """The 3·8 campaign (International Women's Day) is a March campaign."""
    if value is not None and value.month != 3:
        raise ValidationError(_("The 3·8 campaign day is in March."), code="not_march")


# Date fields named for what has already happened (a birth, an event held, a visit made, a person found):
# never in the future, in every form that has one.
HAPPENED_FIELDS = frozenset(
    {
        "birth_date",
        "collected_on",
        "conducted_on",
        "consent_date",
        "filed_on",
        "found_at",
        "given_on",
        "handed_over_at",
        "held_on",
        "last_seen_at",
        "missing_since",
        "occurred_at",
        "outcome_on",
        "reunited_on",
        "screened_on",
        "solved_on",
        "visited_on",
    }
)


def limit_field(field: forms.Field, name: str = "") -> None:
    """Give one form field the limits of its kind (and of its name), where it has none stricter."""
    if isinstance(field, forms.CharField) and not isinstance(field.widget, forms.PasswordInput):
        if validate_no_control_characters not in field.validators:
            field.validators.append(validate_no_control_characters)
        if field.max_length is None and not any(isinstance(v, MaxLengthValidator) for v in field.validators):
            if name == "q":  # a search box
                field.max_length = SEARCH_LIMIT
            else:
                field.max_length = TEXT_LIMIT if isinstance(field.widget, forms.Textarea) else LINE_LIMIT
            field.validators.append(MaxLengthValidator(field.max_length))
            field.widget.attrs.setdefault("maxlength", str(field.max_length))
    elif isinstance(field, forms.DateField | forms.DateTimeField):
        if validate_sane_date not in field.validators:
            field.validators.append(validate_sane_date)
        if name in HAPPENED_FIELDS and validate_not_in_future not in field.validators:
            field.validators.append(validate_not_in_future)
    elif isinstance(field, forms.IntegerField | forms.DecimalField | forms.FloatField):
        has_max = any(isinstance(v, MaxValueValidator) for v in field.validators)
        has_min = any(isinstance(v, MinValueValidator) for v in field.validators)
        if not has_max:
            field.validators.append(MaxValueValidator(MAX_NUMBER))
            field.widget.attrs.setdefault("max", str(MAX_NUMBER))
        if not has_min:
            field.validators.append(MinValueValidator(-MAX_NUMBER))


class CheckedInputMixin:
    """Every field of the form gets the limits of its kind (see ``limit_field``), also a field that the form's
    own ``__init__`` adds after this one has run."""

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self._limit_fields()

    def _limit_fields(self) -> None:
        for name, field in self.fields.items():
            limit_field(field, name)

    def full_clean(self):
        self._limit_fields()
        super().full_clean()


class CheckedForm(CheckedInputMixin, forms.Form):
    pass


class CheckedModelForm(CheckedInputMixin, forms.ModelForm):
    pass
