"""Who sees and does what with the plan and the work under it.

- The plan itself is a published document: every signed-in member of staff sees it (not the three
  administrators, who do not see the platform's work).
- Work plans, work items and progress reports: a unit sees its own; a county coordinator and a county-level
  leader see every unit of their county; city-level office staff and leaders see every unit.
- A unit's liaison drafts and submits its work plan; a county coordinator does so for the units of the
  county. Office staff approve or return submitted work plans. Leaders only read.
- Progress reports are written by the liaison (county coordinator) or by the work item's owner; until
  city-level office staff accept a report, the same people may correct or withdraw it.
"""

from django.db.models import Q

from fanguai.accounts.roles import ADMIN_ROLES, Role
from fanguai.core.policies import Policy, register
from fanguai.core.policies import signed_in as _active
from fanguai.core.policies import unit_scope as shared_unit_scope

from .models import Plan, PlanClause, PlanItem, PlanUnit, ProgressReport, WorkItem, WorkPlan

CITY_WIDE_ROLES = (Role.OFFICE_STAFF, Role.LEADER)
COUNTY_WIDE_ROLES = (Role.COUNTY_COORDINATOR, Role.LEADER)
EDITOR_ROLES = (Role.LIAISON, Role.COUNTY_COORDINATOR)
OVERVIEW_ROLES = (Role.OFFICE_STAFF, Role.LEADER, Role.COUNTY_COORDINATOR)
STAFF_ROLES = tuple(r for r in Role.values if r not in ADMIN_ROLES)


def unit_scope(user, prefix: str = "unit__") -> Q | None:
    """The units whose work the user may see, as a condition on `<prefix>`; None: nothing."""
    return shared_unit_scope(
        user, prefix.removesuffix("__"), city_roles=CITY_WIDE_ROLES, county_roles=COUNTY_WIDE_ROLES
    )


def sees_unit(user, unit) -> bool:
    if not _active(user) or user.role in ADMIN_ROLES or not user.unit_id:
        return False
    if user.role in CITY_WIDE_ROLES and user.is_city_level:
        return True
    if unit.pk == user.unit_id:
        return True
    return user.role in COUNTY_WIDE_ROLES and user.county is not None and unit.county == user.county


def may_edit_for(user, unit) -> bool:
    """Whether the user drafts the work plan and reports of `unit`."""
    if not _active(user) or unit is None or not user.unit_id:
        return False
    if user.role == Role.LIAISON:
        return unit.pk == user.unit_id
    if user.role == Role.COUNTY_COORDINATOR:
        return user.county is not None and unit.county == user.county
    return False


class _PlanContentPolicy(Policy):
    def visible(self, user, queryset):
        if not _active(user) or user.role in ADMIN_ROLES or not user.unit_id:
            return queryset.none()
        return queryset


@register(Plan)
class PlanPolicy(_PlanContentPolicy):
    pass


@register(PlanClause)
class PlanClausePolicy(_PlanContentPolicy):
    pass


@register(PlanUnit)
class PlanUnitPolicy(_PlanContentPolicy):
    pass


@register(PlanItem)
class PlanItemPolicy(_PlanContentPolicy):
    pass


class _UnitWorkPolicy(Policy):
    prefix = "unit__"

    def visible(self, user, queryset):
        condition = unit_scope(user, self.prefix)
        return queryset.none() if condition is None else queryset.filter(condition)


@register(WorkPlan)
class WorkPlanPolicy(_UnitWorkPolicy):
    EDITABLE = (WorkPlan.Status.DRAFT, WorkPlan.Status.RETURNED)

    def can_create(self, user, unit=None) -> bool:
        if unit is None:
            return user.has_role(*EDITOR_ROLES) and user.unit_id is not None
        return may_edit_for(user, unit)

    def can_change(self, user, work_plan: WorkPlan) -> bool:
        return work_plan.status in self.EDITABLE and may_edit_for(user, work_plan.unit)

    def can_submit(self, user, work_plan: WorkPlan) -> bool:
        return self.can_change(user, work_plan)

    def can_review(self, user, work_plan: WorkPlan | None = None) -> bool:
        allowed = user.has_role(Role.OFFICE_STAFF) and user.unit_id is not None and user.is_city_level
        if work_plan is None:
            return allowed
        return allowed and work_plan.status == WorkPlan.Status.SUBMITTED

    def can_report(self, user, work_plan: WorkPlan) -> bool:
        return work_plan.status == WorkPlan.Status.APPROVED and may_edit_for(user, work_plan.unit)


@register(WorkItem)
class WorkItemPolicy(_UnitWorkPolicy):
    prefix = "work_plan__unit__"

    def can_report(self, user, item: WorkItem) -> bool:
        if item.work_plan.status != WorkPlan.Status.APPROVED:
            return False
        return may_edit_for(user, item.work_plan.unit) or (_active(user) and item.owner_id == user.pk)


@register(ProgressReport)
class ProgressReportPolicy(_UnitWorkPolicy):
    def can_create(self, user, item: WorkItem | None = None) -> bool:
        if item is None:
            return user.has_role(*EDITOR_ROLES)
        return WorkItemPolicy().can_report(user, item)

    def _is_authors_side(self, user, report: ProgressReport) -> bool:
        """The author, or whoever holds the same write right for the report's unit (its liaison, the county
        coordinator, the work item's owner)."""
        return _active(user) and (
            may_edit_for(user, report.unit)
            or report.submitted_by_id == user.pk
            or report.work_item.owner_id == user.pk
        )

    def can_correct(self, user, report: ProgressReport) -> bool:
        """Until the office accepts it, a submitted report may be corrected (a new version)."""
        return report.is_open_to_correction and self._is_authors_side(user, report)

    def can_withdraw(self, user, report: ProgressReport) -> bool:
        return report.is_open_to_correction and self._is_authors_side(user, report)

    def can_accept(self, user, report: ProgressReport) -> bool:
        """City-level office staff accept a report; a report of their own unit too (the office reviews)."""
        return (
            report.is_open_to_correction
            and _active(user)
            and user.has_role(Role.OFFICE_STAFF)
            and user.unit_id is not None
            and user.is_city_level
        )

    def can_attach(self, user, report: ProgressReport) -> bool:
        """Evidence is added by whoever may report on the item (the unit's liaison, the owner)."""
        return self.can_view(user, report) and (
            may_edit_for(user, report.unit)
            or report.submitted_by_id == user.pk
            or report.work_item.owner_id == user.pk
        )


def may_see_overview(user) -> bool:
    return _active(user) and user.role in OVERVIEW_ROLES and user.unit_id is not None
