from django.utils.translation import gettext_lazy as _

from fanguai.deadlines.registry import register_kind

IDENTITY_VERIFICATION = "people.identity_verification"

register_kind(IDENTITY_VERIFICATION, label=_("Identify a person of unknown identity"))
