from django.db import models
from django.utils.translation import gettext_lazy as _


class Role(models.TextChoices):
    SYSTEM_ADMIN = "system_admin", _("System administrator")
    SECURITY_ADMIN = "security_admin", _("Security administrator")
    AUDIT_ADMIN = "audit_admin", _("Audit administrator")
    OFFICE_STAFF = "office_staff", _("Joint conference office staff")
    LIAISON = "liaison", _("Unit liaison")
    COUNTY_COORDINATOR = "county_coordinator", _("County coordinator")
    INVESTIGATOR = "investigator", _("Police investigator")
    DNA_ANALYST = "dna_analyst", _("DNA analyst")
    CASEWORKER = "caseworker", _("Shelter caseworker")
    LEADER = "leader", _("Leader")


# The three administrators of a protection-level-3 system are separate people (GB/T 22239-2019): an account
# has exactly one role, so no account can hold two of them, and none of them sees case data.
ADMIN_ROLES = frozenset({Role.SYSTEM_ADMIN, Role.SECURITY_ADMIN, Role.AUDIT_ADMIN})
