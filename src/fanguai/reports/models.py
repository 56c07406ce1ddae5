from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from fanguai.org.models import Unit


class Evaluation(models.Model):
    """A stage evaluation or the final evaluation (阶段性评估 / 终期评估): every participating unit submits a
    self-assessment, which the office scores."""

    class Kind(models.TextChoices):
        STAGE = "stage", _("Stage evaluation")
        FINAL = "final", _("Final evaluation")

    class Status(models.TextChoices):
        OPEN = "open", _("Open")
        CLOSED = "closed", _("Closed")

    kind = models.CharField(_("kind"), max_length=8, choices=Kind.choices)
    title = models.CharField(_("title"), max_length=200)
    year = models.PositiveSmallIntegerField(_("year evaluated"))
    due_on = models.DateField(_("self-assessments due"))
    status = models.CharField(_("status"), max_length=8, choices=Status.choices, default=Status.OPEN)
    opened_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("opened by"),
        null=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    opened_at = models.DateTimeField(_("opened"), auto_now_add=True)
    closed_at = models.DateTimeField(_("closed"), null=True, blank=True)

    class Meta:
        ordering = ["-year", "-opened_at"]
        verbose_name = _("evaluation")
        verbose_name_plural = _("evaluations")

    def __str__(self) -> str:
        return self.title


class SelfAssessment(models.Model):
    class Status(models.TextChoices):
        PENDING = "pending", _("Not submitted")
        SUBMITTED = "submitted", _("Submitted")
        RETURNED = "returned", _("Returned")
        SCORED = "scored", _("Scored")
        WITHDRAWN = "withdrawn", _("Withdrawn")

    evaluation = models.ForeignKey(
        Evaluation, verbose_name=_("evaluation"), on_delete=models.CASCADE, related_name="self_assessments"
    )
    unit = models.ForeignKey(Unit, verbose_name=_("unit"), on_delete=models.PROTECT, related_name="+")
    status = models.CharField(_("status"), max_length=16, choices=Status.choices, default=Status.PENDING)
    narrative = models.TextField(_("self-assessment"), blank=True)
    reported_figures = models.JSONField(_("self-reported indicators"), default=dict, blank=True)
    score = models.DecimalField(_("score"), max_digits=5, decimal_places=1, null=True, blank=True)
    submitted_at = models.DateTimeField(_("submitted"), null=True, blank=True)
    # Until the office scores it, the unit may correct a submitted self-assessment (a new version, the old
    # values kept in its steps) or withdraw it.
    version = models.PositiveSmallIntegerField(_("version"), default=1, editable=False)

    class Meta:
        ordering = ["unit__code"]
        constraints = [
            models.UniqueConstraint(fields=["evaluation", "unit"], name="one_self_assessment_per_unit")
        ]
        verbose_name = _("self-assessment")
        verbose_name_plural = _("self-assessments")

    def __str__(self) -> str:
        return f"{self.evaluation} · {self.unit}"


class SelfAssessmentStep(models.Model):
    """The history of a self-assessment: each submission, return and score is a row."""

    class Action(models.TextChoices):
        SUBMITTED = "submitted", _("Submitted")
        RETURNED = "returned", _("Returned with comments")
        SCORED = "scored", _("Scored")
        CORRECTED = "corrected", _("Corrected by the unit")
        WITHDRAWN = "withdrawn", _("Withdrawn by the unit")

    assessment = models.ForeignKey(SelfAssessment, on_delete=models.CASCADE, related_name="steps")
    action = models.CharField(_("action"), max_length=16, choices=Action.choices)
    # For a correction: [{"field": name, "old": text, "new": text}], the values it replaced.
    changes = models.JSONField(_("changes"), default=list, blank=True)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("by"), null=True, on_delete=models.SET_NULL, related_name="+"
    )
    comment = models.TextField(_("comment"), blank=True)
    score = models.DecimalField(_("score"), max_digits=5, decimal_places=1, null=True, blank=True)
    created_at = models.DateTimeField(_("time"), auto_now_add=True)

    class Meta:
        ordering = ["created_at", "id"]

    def __str__(self) -> str:
        return f"{self.assessment} · {self.get_action_display()}"


class AssessmentCriterion(models.Model):
    """One line of the year's assessment scheme (考核评估): an indicator (or the evaluation score) and its
    weight."""

    EVALUATION_SCORE = "evaluation"

    year = models.PositiveSmallIntegerField(_("year"))
    source = models.CharField(
        _("source"),
        max_length=64,
        help_text=_("An indicator code, or “evaluation” for the evaluation score."),
    )
    weight = models.DecimalField(_("weight"), max_digits=5, decimal_places=1)

    class Meta:
        ordering = ["year", "-weight", "source"]
        constraints = [models.UniqueConstraint(fields=["year", "source"], name="one_criterion_per_source")]
        verbose_name = _("assessment criterion")
        verbose_name_plural = _("assessment criteria")

    def __str__(self) -> str:
        return f"{self.year} {self.source} × {self.weight}"


class AssessmentResult(models.Model):
    """A unit's or county's score for a year; a one-vote veto (一票否决) overrides the score."""

    year = models.PositiveSmallIntegerField(_("year"))
    unit = models.ForeignKey(
        Unit, verbose_name=_("unit or county"), on_delete=models.PROTECT, related_name="+"
    )
    score = models.DecimalField(_("score"), max_digits=5, decimal_places=1)
    breakdown = models.JSONField(_("breakdown"), default=dict)
    veto = models.BooleanField(_("one-vote veto"), default=False)
    veto_reason = models.TextField(_("reason for the veto"), blank=True)
    rank = models.PositiveSmallIntegerField(_("rank"), null=True)
    computed_at = models.DateTimeField(_("computed"), auto_now=True)

    class Meta:
        ordering = ["year", "rank"]
        constraints = [models.UniqueConstraint(fields=["year", "unit"], name="one_result_per_unit_year")]
        verbose_name = _("assessment result")
        verbose_name_plural = _("assessment results")

    def __str__(self) -> str:
        return f"{self.year} {self.unit}"

    @property
    def final_score(self):
        return 0 if self.veto else self.score


class Commendation(models.Model):
    """A circular of commendation or criticism (通报表扬 / 通报批评) of a unit or county."""

    class Kind(models.TextChoices):
        PRAISE = "praise", _("Commendation")
        CRITICISM = "criticism", _("Criticism")

    kind = models.CharField(_("kind"), max_length=16, choices=Kind.choices)
    unit = models.ForeignKey(
        Unit, verbose_name=_("unit or county"), on_delete=models.PROTECT, related_name="+"
    )
    year = models.PositiveSmallIntegerField(_("year"))
    issued_on = models.DateField(_("issued on"))
    text = models.TextField(_("text"))
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-issued_on", "-id"]
        verbose_name = _("commendation or criticism")
        verbose_name_plural = _("commendations and criticisms")

    def __str__(self) -> str:
        return f"{self.get_kind_display()} {self.unit}"
