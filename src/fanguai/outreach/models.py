from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from fanguai.org.models import Region, Unit


class Activity(models.Model):
    """A publicity and education event (宣传教育), a training session, or a source-governance action on a
    key industry, place, area or group (重点行业、场所、地区、人群). All three count in the indicators."""

    class Kind(models.TextChoices):
        PUBLICITY = "publicity", _("Publicity and education")
        TRAINING = "training", _("Training")
        GOVERNANCE = "governance", _("Source governance")

    class CampaignDay(models.TextChoices):
        NONE = "", _("None")
        WOMENS_DAY = "3.8", _("3.8 International Women's Day")
        CHILDRENS_DAY = "6.1", _("6.1 Children's Day")
        ANTI_DRUG_DAY = "6.26", _("6.26 International Day against Drug Abuse")
        CONSTITUTION_DAY = "12.4", _("12.4 National Constitution Day")
        OTHER = "other", _("Other campaign")

    class Target(models.TextChoices):
        NONE = "", _("None")
        INDUSTRY = "industry", _("Key industry")
        PLACE = "place", _("Key place")
        AREA = "area", _("Key area")
        GROUP = "group", _("Key group")

    class Status(models.TextChoices):
        DONE = "done", _("Done")
        RECTIFYING = "rectifying", _("Rectification under way")
        RECTIFIED = "rectified", _("Rectified")

    kind = models.CharField(_("kind"), max_length=16, choices=Kind.choices)
    title = models.CharField(_("title"), max_length=200)
    unit = models.ForeignKey(Unit, verbose_name=_("unit"), on_delete=models.PROTECT, related_name="+")
    county = models.ForeignKey(
        Region,
        verbose_name=_("county"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
        editable=False,
    )
    region = models.ForeignKey(
        Region,
        verbose_name=_("township or county"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    held_on = models.DateField(_("date"))
    place = models.CharField(_("place"), max_length=200, blank=True)
    audience = models.CharField(_("audience"), max_length=200, blank=True)
    people_reached = models.PositiveIntegerField(_("people reached"), default=0)
    materials = models.PositiveIntegerField(_("materials handed out"), default=0)
    campaign_day = models.CharField(_("campaign day"), max_length=8, choices=CampaignDay.choices, blank=True)
    description = models.TextField(_("description"), blank=True)
    target = models.CharField(_("target"), max_length=16, choices=Target.choices, blank=True)
    problem = models.TextField(_("problem found"), blank=True)
    rectification = models.TextField(_("rectification required"), blank=True)
    rectify_by = models.DateField(_("rectify by"), null=True, blank=True)
    status = models.CharField(_("status"), max_length=16, choices=Status.choices, default=Status.DONE)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("created by"),
        null=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    created_at = models.DateTimeField(_("created"), auto_now_add=True)
    updated_at = models.DateTimeField(_("updated"), auto_now=True)

    class Meta:
        ordering = ["-held_on", "-id"]
        verbose_name = _("activity")
        verbose_name_plural = _("activities")
        constraints = [
            models.CheckConstraint(
                condition=models.Q(rectify_by__isnull=True) | models.Q(rectify_by__gte=models.F("held_on")),
                name="activity_rectify_by_not_before_held_on",
            ),
        ]

    def __str__(self) -> str:
        return self.title
