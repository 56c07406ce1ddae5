from django.utils.translation import gettext_lazy as _

from fanguai.deadlines.registry import register_kind

SELF_ASSESSMENT = "reports.self_assessment"

register_kind(SELF_ASSESSMENT, label=_("Submit the self-assessment"), escalate_to_roles=("office_staff",))
