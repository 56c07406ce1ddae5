import re

from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _

_WEIGHTS = [7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2]
_CHECK = "10X98765432"


def validate_id_card(value: str) -> None:
    """A resident identity card number (GB 11643-1999): 17 digits and an ISO 7064 MOD 11-2 check character."""
    value = value.strip().upper()
    if not re.fullmatch(r"\d{17}[\dX]", value):
        raise ValidationError(
            _("An ID card number has 18 characters: 17 digits and a digit or X."), code="id_card_format"
        )
    total = sum(int(d) * w for d, w in zip(value[:17], _WEIGHTS, strict=True))
    if _CHECK[total % 11] != value[17]:
        raise ValidationError(
            _("The check character of this ID card number is wrong."), code="id_card_checksum"
        )


def validate_phone(value: str) -> None:
    if not re.fullmatch(r"(\+?86)?1[3-9]\d{9}|0\d{2,3}-?\d{7,8}", value.strip()):
        raise ValidationError(_("Enter a mobile number (11 digits) or a landline with its area code."))
