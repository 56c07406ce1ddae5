from django.db import models
from django.utils.translation import gettext_lazy as _


class Region(models.Model):
    """An administrative division: the city, its districts and counties, the development zone, townships."""

    class Level(models.TextChoices):
        PROVINCE = "province", _("Province")
        CITY = "city", _("City")
        COUNTY = "county", _("District or county")
        ZONE = "zone", _("Development zone")
        TOWNSHIP = "township", _("Township or street")

    code = models.CharField(_("code"), max_length=16, unique=True)
    name = models.CharField(_("name"), max_length=64)
    level = models.CharField(_("level"), max_length=16, choices=Level.choices)
    parent = models.ForeignKey(
        "self",
        verbose_name=_("parent"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="children",
    )

    class Meta:
        ordering = ["code"]
        verbose_name = _("region")
        verbose_name_plural = _("regions")

    def __str__(self) -> str:
        return self.name

    @property
    def county(self) -> "Region | None":
        """The district, county or zone this region lies in (itself for one of those); None above them."""
        region: Region | None = self
        while region is not None and region.level not in (self.Level.COUNTY, self.Level.ZONE):
            if region.level in (self.Level.CITY, self.Level.PROVINCE):
                return None
            region = region.parent
        return region


class Unit(models.Model):
    """An organisation that has users: the joint conference, its office, member units and their county
    counterparts, county governments, shelters and the DNA laboratory."""

    class Kind(models.TextChoices):
        CONFERENCE = "conference", _("Joint conference")
        OFFICE = "office", _("Joint conference office")
        MEMBER = "member", _("Member unit")
        GOVERNMENT = "government", _("County government")
        COUNTY_MEMBER = "county_member", _("County counterpart")
        SERVICE = "service", _("Service unit")

    class Sector(models.TextChoices):
        NONE = "", _("None")
        POLICE = "police", _("Public security")
        CIVIL_AFFAIRS = "civil_affairs", _("Civil affairs")
        HRSS = "hrss", _("Human resources and social security")
        WOMEN_FEDERATION = "women_federation", _("Women's federation")
        CYBERSPACE = "cyberspace", _("Cyberspace affairs")
        MARKET_REGULATION = "market_regulation", _("Market regulation")
        HEALTH = "health", _("Health")
        PUBLICITY = "publicity", _("Publicity")
        EDUCATION = "education", _("Education and sports")
        YOUTH_LEAGUE = "youth_league", _("Communist Youth League")
        DISABLED_FEDERATION = "disabled_federation", _("Disabled persons' federation")
        WOMEN_CHILDREN = "women_children", _("Women and children working committee")
        # Not a member of the joint conference, but the plan's services need it: legal aid (法律援助).
        JUSTICE = "justice", _("Justice administration")

    code = models.CharField(_("code"), max_length=32, unique=True)
    name = models.CharField(_("name"), max_length=100)
    kind = models.CharField(_("kind"), max_length=16, choices=Kind.choices)
    sector = models.CharField(_("sector"), max_length=32, choices=Sector.choices, blank=True)
    region = models.ForeignKey(
        Region, verbose_name=_("region"), on_delete=models.PROTECT, related_name="units"
    )
    parent = models.ForeignKey(
        "self",
        verbose_name=_("parent unit"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="children",
    )
    is_active = models.BooleanField(_("active"), default=True)

    class Meta:
        ordering = ["code"]
        verbose_name = _("unit")
        verbose_name_plural = _("units")

    def __str__(self) -> str:
        return self.name

    @property
    def county(self) -> Region | None:
        """The county the unit works in, or None for a city-level unit."""
        return self.region.county

    @property
    def is_city_level(self) -> bool:
        return self.county is None
