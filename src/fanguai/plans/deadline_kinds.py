from django.utils.translation import gettext_lazy as _

from fanguai.accounts.roles import Role
from fanguai.deadlines.registry import register_kind

PROGRESS_REPORT = "plans.progress_report"
WORK_PLAN_RESUBMISSION = "plans.work_plan_resubmission"

# A late report is escalated to the office, and to the coordinator of the unit's county.
register_kind(
    PROGRESS_REPORT,
    label=_("Send a progress report on a work item"),
    escalate_to_roles=(Role.OFFICE_STAFF, Role.COUNTY_COORDINATOR),
)
register_kind(
    WORK_PLAN_RESUBMISSION,
    label=_("Resubmit a returned work plan"),
    escalate_to_roles=(Role.OFFICE_STAFF, Role.COUNTY_COORDINATOR),
)
