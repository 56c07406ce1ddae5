"""Supervision of the units by the joint conference office: inspections (督导检查) with findings and
rectifications (整改), and listing supervision (挂牌督办) of key cases and key areas with yellow and red
warnings. Every step is a row (TimelineEntry, ListingWarning, ProgressReport, RectificationReport, LiftRequest):
nothing that happened is kept only as an overwritten field."""

from django.conf import settings
from django.db import models
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from fanguai.org.models import Region, Unit


class Listing(models.Model):
    """A key case or key area put under listing supervision, with a responsible unit and a deadline."""

    class Kind(models.TextChoices):
        CASE = "case", _("Key case")
        AREA = "area", _("Key area")

    class Status(models.TextChoices):
        ACTIVE = "active", _("Listed")
        LIFT_REQUESTED = "lift_requested", _("Lifting requested")
        LIFTED = "lifted", _("Lifted")

    kind = models.CharField(_("kind"), max_length=8, choices=Kind.choices)
    title = models.CharField(_("title"), max_length=200)
    case_reference = models.CharField(_("case reference"), max_length=100, blank=True)
    # The case record, when the reference is the platform's case number; the reference alone otherwise
    # (e.g. a case of another city's police).
    case = models.ForeignKey(
        "cases.Case",
        verbose_name=_("case record"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="listings",
        editable=False,
    )
    region = models.ForeignKey(
        Region, verbose_name=_("area"), null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    problem = models.TextField(_("problem"), blank=True)
    requirements = models.TextField(_("requirements"))
    responsible_unit = models.ForeignKey(
        Unit, verbose_name=_("responsible unit"), on_delete=models.PROTECT, related_name="listings"
    )
    due_date = models.DateField(_("deadline"))
    due_at = models.DateTimeField(_("due"), editable=False)
    status = models.CharField(_("status"), max_length=16, choices=Status.choices, default=Status.ACTIVE)
    listed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("listed by"),
        null=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    created_at = models.DateTimeField(_("listed"), auto_now_add=True)
    updated_at = models.DateTimeField(_("updated"), auto_now=True)
    lifted_at = models.DateTimeField(_("lifted"), null=True, blank=True, editable=False)

    class Meta:
        ordering = ["due_at", "id"]
        verbose_name = _("listing")
        verbose_name_plural = _("listings")
        indexes = [models.Index(fields=["status", "due_at"], name="listing_status_due_idx")]

    def __str__(self) -> str:
        return self.number

    def get_absolute_url(self) -> str:
        return reverse("supervision:listing_detail", args=[self.pk])

    @property
    def number(self) -> str:
        return f"GP-{self.pk:05d}" if self.pk else "GP-new"

    @property
    def is_open(self) -> bool:
        return self.status != self.Status.LIFTED


class CorrectableReport(models.Model):
    """A report a unit submits and the office accepts: until then its unit may correct it (a new version;
    the old text, who, when and why stay on the timeline) or withdraw it (kept, no longer counted)."""

    version = models.PositiveSmallIntegerField(_("version"), default=1, editable=False)
    withdrawn_at = models.DateTimeField(_("withdrawn"), null=True, blank=True, editable=False)

    class Meta:
        abstract = True

    @property
    def is_withdrawn(self) -> bool:
        return self.withdrawn_at is not None


class ProgressReport(CorrectableReport):
    listing = models.ForeignKey(
        Listing, verbose_name=_("listing"), on_delete=models.CASCADE, related_name="reports"
    )
    text = models.TextField(_("progress"))
    unit = models.ForeignKey(Unit, verbose_name=_("unit"), on_delete=models.PROTECT, related_name="+")
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("reported by"),
        null=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    created_at = models.DateTimeField(_("reported"), auto_now_add=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        verbose_name = _("progress report")
        verbose_name_plural = _("progress reports")

    def __str__(self) -> str:
        return f"{self.listing} · {self.created_at:%Y-%m-%d}"

    def get_absolute_url(self) -> str:
        return self.listing.get_absolute_url()


class ListingWarning(models.Model):
    """One warning issued on a listing. `due_at` is the deadline it was issued against: moving the deadline
    lifts the warnings of the old one; a progress report lifts a yellow warning issued before it."""

    class Level(models.TextChoices):
        YELLOW = "yellow", _("Yellow")
        RED = "red", _("Red")

    listing = models.ForeignKey(
        Listing, verbose_name=_("listing"), on_delete=models.CASCADE, related_name="warnings"
    )
    level = models.CharField(_("level"), max_length=8, choices=Level.choices)
    reason = models.CharField(_("reason"), max_length=300)
    due_at = models.DateTimeField(_("deadline"))
    notified = models.PositiveIntegerField(_("people notified"), default=0)
    created_at = models.DateTimeField(_("issued"), auto_now_add=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        verbose_name = _("warning")
        verbose_name_plural = _("warnings")

    def __str__(self) -> str:
        return f"{self.listing} · {self.get_level_display()}"


class LiftRequest(models.Model):
    class Decision(models.TextChoices):
        PENDING = "pending", _("Pending")
        APPROVED = "approved", _("Approved")
        REFUSED = "refused", _("Refused")

    listing = models.ForeignKey(
        Listing, verbose_name=_("listing"), on_delete=models.CASCADE, related_name="lift_requests"
    )
    reason = models.TextField(_("reason"))
    requested_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("requested by"),
        null=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    requested_at = models.DateTimeField(_("requested"), auto_now_add=True)
    decision = models.CharField(
        _("decision"), max_length=16, choices=Decision.choices, default=Decision.PENDING
    )
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("decided by"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    decided_at = models.DateTimeField(_("decided"), null=True, blank=True)
    decision_note = models.TextField(_("comment"), blank=True)

    class Meta:
        ordering = ["-requested_at", "-id"]
        verbose_name = _("lifting request")
        verbose_name_plural = _("lifting requests")

    def __str__(self) -> str:
        return f"{self.listing} · {self.get_decision_display()}"


class Inspection(models.Model):
    class Kind(models.TextChoices):
        ROUTINE = "routine", _("Supervision and inspection")
        SPECIAL = "special", _("Special inspection")
        PATERNITY_TESTING = "paternity_testing", _("Paternity-testing institution")

    class Status(models.TextChoices):
        SCHEDULED = "scheduled", _("Scheduled")
        CONDUCTED = "conducted", _("Conducted")
        CLOSED = "closed", _("Closed")

    kind = models.CharField(_("inspection type"), max_length=24, choices=Kind.choices, default=Kind.ROUTINE)
    title = models.CharField(_("title"), max_length=200)
    target_unit = models.ForeignKey(
        Unit,
        verbose_name=_("inspected unit"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    target_region = models.ForeignKey(
        Region,
        verbose_name=_("inspected county"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    institution = models.CharField(_("institution"), max_length=200, blank=True)
    scheduled_for = models.DateField(_("date"))
    team = models.TextField(_("team"))
    scope = models.TextField(_("scope"))
    status = models.CharField(_("status"), max_length=16, choices=Status.choices, default=Status.SCHEDULED)
    conducted_on = models.DateField(_("conducted on"), null=True, blank=True)
    summary = models.TextField(_("summary"), blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("scheduled by"),
        null=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    created_at = models.DateTimeField(_("created"), auto_now_add=True)
    updated_at = models.DateTimeField(_("updated"), auto_now=True)

    class Meta:
        ordering = ["-scheduled_for", "-id"]
        verbose_name = _("inspection")
        verbose_name_plural = _("inspections")
        indexes = [
            models.Index(fields=["-scheduled_for", "-id"], name="inspection_scheduled_idx"),
            models.Index(fields=["status", "-scheduled_for"], name="inspection_status_idx"),
            models.Index(fields=["target_region", "status"], name="inspection_region_idx"),
            models.Index(fields=["target_unit", "status"], name="inspection_unit_idx"),
        ]

    def __str__(self) -> str:
        return self.number

    def get_absolute_url(self) -> str:
        return reverse("supervision:inspection_detail", args=[self.pk])

    @property
    def number(self) -> str:
        return f"DC-{self.pk:05d}" if self.pk else "DC-new"

    @property
    def target_label(self) -> str:
        parts = [str(p) for p in (self.target_unit, self.target_region) if p]
        if self.institution:
            parts.append(self.institution)
        return " · ".join(parts)


class Finding(models.Model):
    class Severity(models.TextChoices):
        MINOR = "minor", _("Minor")
        SERIOUS = "serious", _("Serious")

    inspection = models.ForeignKey(
        Inspection, verbose_name=_("inspection"), on_delete=models.CASCADE, related_name="findings"
    )
    description = models.TextField(_("finding"))
    severity = models.CharField(_("severity"), max_length=8, choices=Severity.choices, default=Severity.MINOR)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("recorded by"),
        null=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    created_at = models.DateTimeField(_("recorded"), auto_now_add=True)

    class Meta:
        ordering = ["id"]
        verbose_name = _("finding")
        verbose_name_plural = _("findings")

    def __str__(self) -> str:
        return f"{self.inspection} · {self.pk}"

    def get_absolute_url(self) -> str:
        return self.inspection.get_absolute_url()


class Rectification(models.Model):
    """A rectification (整改) ordered on a finding: a unit must report what it did by the deadline; the office
    accepts it (closed) or reopens it with a new deadline."""

    class Status(models.TextChoices):
        OPEN = "open", _("Open")
        REPORTED = "reported", _("Reported")
        CLOSED = "closed", _("Closed")

    finding = models.ForeignKey(
        Finding, verbose_name=_("finding"), on_delete=models.CASCADE, related_name="rectifications"
    )
    inspection = models.ForeignKey(
        Inspection,
        verbose_name=_("inspection"),
        on_delete=models.CASCADE,
        related_name="rectifications",
        editable=False,
    )
    responsible_unit = models.ForeignKey(
        Unit, verbose_name=_("responsible unit"), on_delete=models.PROTECT, related_name="rectifications"
    )
    requirement = models.TextField(_("requirement"))
    due_date = models.DateField(_("deadline"))
    due_at = models.DateTimeField(_("due"), editable=False)
    status = models.CharField(_("status"), max_length=16, choices=Status.choices, default=Status.OPEN)
    ordered_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("ordered by"),
        null=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    created_at = models.DateTimeField(_("ordered"), auto_now_add=True)
    closed_at = models.DateTimeField(_("closed"), null=True, blank=True, editable=False)

    class Meta:
        ordering = ["due_at", "id"]
        verbose_name = _("rectification")
        verbose_name_plural = _("rectifications")
        indexes = [
            models.Index(fields=["due_at", "id"], name="rectification_due_idx"),
            models.Index(fields=["status", "due_at"], name="rectification_status_idx"),
            models.Index(fields=["responsible_unit", "status"], name="rectification_unit_idx"),
        ]

    def __str__(self) -> str:
        return f"ZG-{self.pk:05d}" if self.pk else "ZG-new"

    def get_absolute_url(self) -> str:
        return reverse("supervision:rectification_detail", args=[self.pk])

    @property
    def number(self) -> str:
        return str(self)

    @property
    def is_late(self) -> bool:
        return self.status == self.Status.OPEN and self.due_at <= timezone.now()


class RectificationReport(CorrectableReport):
    rectification = models.ForeignKey(
        Rectification, verbose_name=_("rectification"), on_delete=models.CASCADE, related_name="reports"
    )
    text = models.TextField(_("what was done"))
    unit = models.ForeignKey(Unit, verbose_name=_("unit"), on_delete=models.PROTECT, related_name="+")
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("reported by"),
        null=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    created_at = models.DateTimeField(_("reported"), auto_now_add=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        verbose_name = _("rectification report")
        verbose_name_plural = _("rectification reports")

    def __str__(self) -> str:
        return f"{self.rectification} · {self.created_at:%Y-%m-%d}"

    def get_absolute_url(self) -> str:
        return self.rectification.get_absolute_url()


class TimelineEntry(models.Model):
    """One step in the life of a listing, an inspection or a rectification: who did what, when, and why."""

    listing = models.ForeignKey(
        Listing, null=True, blank=True, on_delete=models.CASCADE, related_name="timeline"
    )
    inspection = models.ForeignKey(
        Inspection, null=True, blank=True, on_delete=models.CASCADE, related_name="timeline"
    )
    rectification = models.ForeignKey(
        Rectification, null=True, blank=True, on_delete=models.CASCADE, related_name="timeline"
    )
    action = models.CharField(_("step"), max_length=32)
    note = models.TextField(_("note"), blank=True)
    # For a report's correction: [{"field": name, "old": text, "new": text}], the values it replaced.
    changes = models.JSONField(_("changes"), default=list, blank=True)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("by"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    actor_unit = models.ForeignKey(
        Unit, verbose_name=_("unit"), null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(_("time"), auto_now_add=True)

    class Meta:
        ordering = ["created_at", "id"]
        verbose_name = _("timeline entry")
        verbose_name_plural = _("timeline entries")

    def __str__(self) -> str:
        return f"{self.action} · {self.created_at:%Y-%m-%d %H:%M}"

    @property
    def label(self) -> str:
        from .timeline import label_for

        return label_for(self.action)
