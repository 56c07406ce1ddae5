from django.utils.translation import gettext_lazy as _

from fanguai.deadlines.registry import register_kind

RECTIFICATION = "outreach.rectification"

register_kind(
    RECTIFICATION,
    label=_("Rectify a key industry, place, area or group"),
    escalate_to_roles=("office_staff",),
)
