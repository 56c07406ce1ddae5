"""The action plan as data (plan, clauses of the main text, member units, key tasks and measures per period)
and the work done under it: each unit's yearly work plan, its work items and their progress reports."""

from django.conf import settings
from django.db import models
from django.urls import reverse
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from fanguai.org.models import Unit


class Plan(models.Model):
    """One implementation plan, loaded from a YAML file (plans/README.md). `periods` are the annex's
    columns of annual measures, e.g. ["2022", "2023-2029", "2030"]."""

    code = models.SlugField(_("code"), max_length=64, unique=True)
    title = models.CharField(_("title"), max_length=200)
    document_number = models.CharField(_("document number"), max_length=100, blank=True)
    issuer = models.CharField(_("issued by"), max_length=100, blank=True)
    issued = models.DateField(_("issued"), null=True, blank=True)
    periods = models.JSONField(_("periods"), default=list)
    loaded_at = models.DateTimeField(_("loaded"), auto_now=True)

    class Meta:
        ordering = ["-issued", "code"]
        verbose_name = _("action plan")
        verbose_name_plural = _("action plans")

    def __str__(self) -> str:
        return self.title

    def get_absolute_url(self) -> str:
        return reverse("plans:tree", args=[self.code])

    @property
    def years(self) -> range:
        bounds = [period_bounds(p) for p in self.periods]
        return range(min(b[0] for b in bounds), max(b[1] for b in bounds) + 1) if bounds else range(0)

    def period_for_year(self, year: int) -> str | None:
        for period in self.periods:
            start, end = period_bounds(period)
            if start <= year <= end:
                return period
        return None


def period_bounds(period: str) -> tuple[int, int]:
    """ "2022" -> (2022, 2022); "2023-2029" -> (2023, 2029)."""
    start, _sep, end = period.partition("-")
    return int(start), int(end or start)


class PlanClause(models.Model):
    """A paragraph of the plan's main text: a goal (§一), a work priority (§三) or a safeguard (§四)."""

    class Section(models.TextChoices):
        GOAL = "goal", _("Goal")
        PRIORITY = "priority", _("Work priority")
        SAFEGUARD = "safeguard", _("Safeguard")

    plan = models.ForeignKey(Plan, on_delete=models.CASCADE, related_name="clauses")
    section = models.CharField(_("section"), max_length=16, choices=Section.choices)
    key = models.CharField(max_length=16)  # the number, or "#n" for the n-th unnumbered paragraph
    position = models.PositiveIntegerField(default=0)
    number = models.PositiveIntegerField(_("number"), null=True, blank=True)
    title = models.CharField(_("title"), max_length=200, blank=True)
    text = models.TextField(_("text"))
    responsibility_text = models.TextField(_("responsibility"), blank=True)
    is_current = models.BooleanField(default=True)

    class Meta:
        ordering = ["plan", "section", "position"]
        constraints = [
            models.UniqueConstraint(fields=["plan", "section", "key"], name="plan_clause_key_unique")
        ]

    def __str__(self) -> str:
        return self.title or self.text[:40]

    def units_in_role(self, role: str) -> list[Unit]:
        return [link.unit for link in self.unit_links.all() if link.role == role]


class ClauseUnit(models.Model):
    """A unit named by a work priority: lead (牵头), responsible (负责) or implementing (负责落实)."""

    class Role(models.TextChoices):
        LEAD = "lead", pgettext_lazy("lead unit of a plan priority", "Lead")
        RESPONSIBLE = "responsible", _("Responsible")
        IMPLEMENTING = "implementing", _("Implementing")

    clause = models.ForeignKey(PlanClause, on_delete=models.CASCADE, related_name="unit_links")
    unit = models.ForeignKey(Unit, on_delete=models.PROTECT, related_name="+")
    role = models.CharField(max_length=16, choices=Role.choices)
    position = models.PositiveIntegerField(default=0)

    class Meta:
        ordering = ["clause", "role", "position"]
        constraints = [models.UniqueConstraint(fields=["clause", "role", "unit"], name="clause_unit_unique")]

    def __str__(self) -> str:
        return f"{self.get_role_display()}: {self.unit_id}"


class PlanUnit(models.Model):
    """A member unit as the annex names it, with its key tasks and measures."""

    plan = models.ForeignKey(Plan, on_delete=models.CASCADE, related_name="plan_units")
    unit = models.ForeignKey(Unit, verbose_name=_("unit"), on_delete=models.PROTECT, related_name="+")
    name = models.CharField(_("name in the plan"), max_length=100)
    position = models.PositiveIntegerField(default=0)
    is_current = models.BooleanField(default=True)

    class Meta:
        ordering = ["plan", "position"]
        constraints = [models.UniqueConstraint(fields=["plan", "unit"], name="plan_unit_unique")]

    def __str__(self) -> str:
        return self.name


class PlanItem(models.Model):
    """One numbered item or unnumbered paragraph of the annex: a key task, or a measure of one period."""

    class Kind(models.TextChoices):
        KEY_TASK = "key_task", _("Key task")
        MEASURE = "measure", _("Measure")

    plan_unit = models.ForeignKey(PlanUnit, on_delete=models.CASCADE, related_name="items")
    kind = models.CharField(_("kind"), max_length=16, choices=Kind.choices)
    period = models.CharField(_("period"), max_length=16, blank=True)
    key = models.CharField(max_length=16)
    position = models.PositiveIntegerField(default=0)
    number = models.PositiveIntegerField(_("number"), null=True, blank=True)
    text = models.TextField(_("text"))
    is_current = models.BooleanField(default=True)

    class Meta:
        ordering = ["plan_unit", "kind", "period", "position"]
        constraints = [
            models.UniqueConstraint(
                fields=["plan_unit", "kind", "period", "key"], name="plan_item_key_unique"
            )
        ]

    def __str__(self) -> str:
        prefix = f"{self.number}. " if self.number is not None else ""
        text = self.text if len(self.text) <= 60 else self.text[:60] + "…"
        return f"{self.period} {prefix}{text}".strip()


class ReportCycle(models.TextChoices):
    MONTHLY = "monthly", _("Monthly")
    QUARTERLY = "quarterly", _("Quarterly")
    HALF_YEARLY = "half_yearly", _("Half-yearly")
    ANNUAL = "annual", _("Annual")


def default_report_cycle() -> str:
    return getattr(settings, "PLAN_REPORT_CYCLE", ReportCycle.QUARTERLY)


class WorkPlan(models.Model):
    """A unit's work plan for one year: the measures of the current period turned into work items. Its
    status is the latest step; every step is a WorkPlanEvent row."""

    class Status(models.TextChoices):
        DRAFT = "draft", _("Draft")
        SUBMITTED = "submitted", _("Submitted")
        APPROVED = "approved", _("Approved")
        RETURNED = "returned", _("Returned")

    plan = models.ForeignKey(Plan, verbose_name=_("action plan"), on_delete=models.PROTECT, related_name="+")
    unit = models.ForeignKey(Unit, verbose_name=_("unit"), on_delete=models.PROTECT, related_name="+")
    year = models.PositiveSmallIntegerField(_("year"))
    status = models.CharField(_("status"), max_length=16, choices=Status.choices, default=Status.DRAFT)
    report_cycle = models.CharField(
        _("report cycle"), max_length=16, choices=ReportCycle.choices, default=default_report_cycle
    )
    reporting_from = models.DateField(_("reports due from"), null=True, blank=True, editable=False)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(_("created"), auto_now_add=True)
    updated_at = models.DateTimeField(_("updated"), auto_now=True)

    class Meta:
        ordering = ["-year", "unit__code"]
        verbose_name = _("work plan")
        verbose_name_plural = _("work plans")
        constraints = [
            models.UniqueConstraint(fields=["plan", "unit", "year"], name="work_plan_unit_year_unique")
        ]

    def __str__(self) -> str:
        return f"{self.unit} · {self.year}"

    def get_absolute_url(self) -> str:
        return reverse("plans:workplan_detail", args=[self.pk])

    @property
    def period(self) -> str | None:
        return self.plan.period_for_year(self.year)


class WorkPlanEvent(models.Model):
    """One step in a work plan's history, never changed afterwards."""

    class Action(models.TextChoices):
        CREATED = "created", _("Created")
        CHANGED = "changed", _("Settings changed")
        ITEM_ADDED = "item_added", _("Work item added")
        ITEM_CHANGED = "item_changed", _("Work item changed")
        ITEM_REMOVED = "item_removed", _("Work item removed")
        SUBMITTED = "submitted", _("Submitted")
        APPROVED = "approved", _("Approved")
        RETURNED = "returned", _("Returned")
        REPORT_CORRECTED = "report_corrected", _("Progress report corrected")
        REPORT_WITHDRAWN = "report_withdrawn", _("Progress report withdrawn")
        REPORT_ACCEPTED = "report_accepted", _("Progress report accepted")

    work_plan = models.ForeignKey(WorkPlan, on_delete=models.CASCADE, related_name="events")
    # The progress report a step concerns (its correction, withdrawal or acceptance), and for a correction
    # what changed: [{"field": name, "old": text, "new": text}, ...], so the old values stay on record.
    report = models.ForeignKey(
        "ProgressReport", null=True, blank=True, on_delete=models.CASCADE, related_name="history"
    )
    changes = models.JSONField(_("changes"), default=list, blank=True)
    action = models.CharField(_("step"), max_length=24, choices=Action.choices)
    status_after = models.CharField(_("status"), max_length=16, choices=WorkPlan.Status.choices)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    actor_name = models.CharField(_("by"), max_length=150, blank=True)
    comment = models.TextField(_("comment"), blank=True)
    created_at = models.DateTimeField(_("when"), auto_now_add=True)

    class Meta:
        ordering = ["created_at", "id"]
        verbose_name = _("work plan step")
        verbose_name_plural = _("work plan steps")

    def __str__(self) -> str:
        return f"{self.get_action_display()} ({self.created_at:%Y-%m-%d})"


class WorkItem(models.Model):
    """One line of a work plan: what will be done, by whom, by when, measured how."""

    work_plan = models.ForeignKey(WorkPlan, on_delete=models.CASCADE, related_name="items")
    measure = models.ForeignKey(
        PlanItem,
        verbose_name=_("measure of the plan"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="work_items",
        limit_choices_to={"kind": PlanItem.Kind.MEASURE},
    )
    title = models.CharField(_("work item"), max_length=200)
    description = models.TextField(_("description"), blank=True)
    owner = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("owner"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    due_date = models.DateField(_("due date"))
    indicator = models.CharField(_("indicator"), max_length=200)
    target = models.DecimalField(_("target"), max_digits=14, decimal_places=2, null=True, blank=True)
    position = models.PositiveIntegerField(default=0)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["work_plan", "position", "id"]
        verbose_name = _("work item")
        verbose_name_plural = _("work items")

    def __str__(self) -> str:
        return self.title

    def get_absolute_url(self) -> str:
        return reverse("plans:workplan_detail", args=[self.work_plan_id]) + f"#item-{self.pk}"


class ProgressReport(models.Model):
    """A unit's report on one work item for one reporting period (e.g. 2026-Q2)."""

    class Status(models.TextChoices):
        ON_TRACK = "on_track", _("On track")
        AT_RISK = "at_risk", _("At risk")
        LATE = "late", _("Behind schedule")
        DONE = "done", _("Done")

    work_item = models.ForeignKey(
        WorkItem, verbose_name=_("work item"), on_delete=models.PROTECT, related_name="reports"
    )
    unit = models.ForeignKey(Unit, verbose_name=_("unit"), on_delete=models.PROTECT, related_name="+")
    period = models.CharField(_("period"), max_length=16)
    period_start = models.DateField(_("from"))
    period_end = models.DateField(_("to"))
    due_date = models.DateField(_("due"))
    status = models.CharField(_("status"), max_length=16, choices=Status.choices)
    narrative = models.TextField(_("progress"))
    achieved = models.DecimalField(
        _("achieved so far"), max_digits=14, decimal_places=2, null=True, blank=True
    )
    figures = models.JSONField(_("figures"), default=dict, blank=True)
    submitted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    submitted_at = models.DateTimeField(_("submitted"))
    # A submitted report may be corrected (a new version; the old values stay in its history, WorkPlanEvent)
    # or withdrawn by its unit until the office accepts it.
    version = models.PositiveSmallIntegerField(_("version"), default=1, editable=False)
    withdrawn_at = models.DateTimeField(_("withdrawn"), null=True, blank=True, editable=False)
    accepted_at = models.DateTimeField(_("accepted"), null=True, blank=True, editable=False)
    accepted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("accepted by"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        editable=False,
    )

    class Meta:
        ordering = ["-submitted_at", "-id"]
        verbose_name = _("progress report")
        verbose_name_plural = _("progress reports")
        constraints = [
            # A withdrawn report leaves its period to be reported again.
            models.UniqueConstraint(
                fields=["work_item", "period"],
                condition=models.Q(withdrawn_at__isnull=True),
                name="progress_report_period_unique",
            ),
            models.CheckConstraint(
                condition=models.Q(withdrawn_at__isnull=True) | models.Q(accepted_at__isnull=True),
                name="progress_report_not_withdrawn_and_accepted",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.work_item} · {self.period}"

    def get_absolute_url(self) -> str:
        return reverse("plans:report_detail", args=[self.pk])

    @property
    def submitted_late(self) -> bool:
        from django.utils import timezone

        return timezone.localdate(self.submitted_at) > self.due_date

    @property
    def is_withdrawn(self) -> bool:
        return self.withdrawn_at is not None

    @property
    def is_accepted(self) -> bool:
        return self.accepted_at is not None

    @property
    def is_open_to_correction(self) -> bool:
        """Submitted, neither withdrawn nor accepted: its unit may still correct or withdraw it."""
        return self.withdrawn_at is None and self.accepted_at is None
