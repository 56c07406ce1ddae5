"""Evaluations and assessment are work data of the plan, not personal data: participating units see their
own self-assessments and results; the office and leaders see everything; only the office opens, scores,
computes and vetoes."""

from fanguai.accounts.roles import Role
from fanguai.core.policies import Policy, register
from fanguai.org.models import Unit

from .models import AssessmentResult, Commendation, Evaluation, SelfAssessment

PARTICIPANT_KINDS = (Unit.Kind.MEMBER, Unit.Kind.GOVERNMENT)
REPORTER_ROLES = (Role.LIAISON, Role.COUNTY_COORDINATOR)
VIEWER_ROLES = (Role.OFFICE_STAFF, Role.LEADER, *REPORTER_ROLES)


def sees_everything(user) -> bool:
    return user.has_role(Role.OFFICE_STAFF, Role.LEADER) and user.is_city_level


class _UnitScoped(Policy):
    def visible(self, user, queryset):
        if not getattr(user, "is_authenticated", False) or not user.has_role(*VIEWER_ROLES):
            return queryset.none()
        return queryset if sees_everything(user) else queryset.filter(unit=user.unit_id)


@register(Evaluation)
class EvaluationPolicy(Policy):
    def visible(self, user, queryset):
        ok = getattr(user, "is_authenticated", False) and user.has_role(*VIEWER_ROLES)
        return queryset if ok else queryset.none()

    def can_manage(self, user) -> bool:
        return user.has_role(Role.OFFICE_STAFF)


@register(SelfAssessment)
class SelfAssessmentPolicy(_UnitScoped):
    def can_submit(self, user, assessment: SelfAssessment) -> bool:
        return (
            user.has_role(*REPORTER_ROLES)
            and assessment.unit_id == user.unit_id
            and assessment.evaluation.status == Evaluation.Status.OPEN
            and assessment.status
            in (
                SelfAssessment.Status.PENDING,
                SelfAssessment.Status.RETURNED,
                SelfAssessment.Status.WITHDRAWN,
            )
        )

    def can_correct(self, user, assessment: SelfAssessment) -> bool:
        """The unit corrects (or withdraws) what it submitted until the office scores it."""
        return (
            user.has_role(*REPORTER_ROLES)
            and assessment.unit_id == user.unit_id
            and assessment.evaluation.status == Evaluation.Status.OPEN
            and assessment.status == SelfAssessment.Status.SUBMITTED
        )

    def can_withdraw(self, user, assessment: SelfAssessment) -> bool:
        return self.can_correct(user, assessment)

    def can_review(self, user, assessment: SelfAssessment) -> bool:
        return user.has_role(Role.OFFICE_STAFF) and assessment.status in (
            SelfAssessment.Status.SUBMITTED,
            SelfAssessment.Status.SCORED,
        )


@register(AssessmentResult)
class AssessmentResultPolicy(_UnitScoped):
    def can_manage(self, user) -> bool:
        return user.has_role(Role.OFFICE_STAFF)


@register(Commendation)
class CommendationPolicy(Policy):
    def visible(self, user, queryset):
        ok = getattr(user, "is_authenticated", False) and user.has_role(*VIEWER_ROLES)
        return queryset if ok else queryset.none()

    def can_create(self, user) -> bool:
        return user.has_role(Role.OFFICE_STAFF)
