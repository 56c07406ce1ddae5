import secrets

from django.conf import settings
from django.db import models
from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from fanguai.core.crypto import EncryptedTextField
from fanguai.org.models import Region, Unit
from fanguai.people.models import Person


def new_case_number() -> str:
    """A random record number: it reveals neither the county nor how many cases there are."""
    return "C" + "".join(secrets.choice("0123456789ABCDEFGHJKLMNPQRSTUVWXYZ") for _ in range(9))


class Case(models.Model):
    """A trafficking case. Child-trafficking cases carry the one-chief-three-packages record (一长三包)."""

    class Kind(models.TextChoices):
        CHILD_TRAFFICKING = "child_trafficking", _("Abduction and sale of a child")
        WOMEN_TRAFFICKING = "women_trafficking", _("Trafficking of women")
        ILLEGAL_SURROGACY = "illegal_surrogacy", _("Illegal surrogacy")
        ILLEGAL_ADOPTION = "illegal_adoption", _("Illegal adoption")
        ONLINE_TRAFFICKING = "online_trafficking", _("Online trafficking")
        FORCED_LABOUR = "forced_labour", _("Forced labour or sexual exploitation")

    class Status(models.TextChoices):
        FILED = "filed", _("Filed")
        INVESTIGATING = "investigating", _("Investigating")
        SOLVED = "solved", _("Solved")
        PROSECUTION = "prosecution", _("Transferred for prosecution")
        CLOSED = "closed", _("Closed")

    number = models.CharField(
        _("case number"), max_length=16, unique=True, default=new_case_number, editable=False
    )
    title = models.CharField(_("title"), max_length=200)
    kind = models.CharField(_("kind"), max_length=32, choices=Kind.choices)
    status = models.CharField(_("status"), max_length=16, choices=Status.choices, default=Status.FILED)
    summary = EncryptedTextField(_("summary"), blank=True)
    county = models.ForeignKey(
        Region, verbose_name=_("county"), on_delete=models.PROTECT, related_name="+", null=True, blank=True
    )
    owner_unit = models.ForeignKey(
        Unit, verbose_name=_("handling unit"), on_delete=models.PROTECT, related_name="+"
    )
    filed_on = models.DateField(_("filed on"))
    solved_on = models.DateField(_("solved on"), null=True, blank=True)
    closed_at = models.DateTimeField(_("closed"), null=True, blank=True)
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
        ordering = ["-filed_on", "-id"]
        verbose_name = _("case")
        verbose_name_plural = _("cases")
        indexes = [models.Index(fields=["county", "filed_on"], name="case_county_filed_idx")]

    def __str__(self) -> str:
        return self.number

    def get_absolute_url(self) -> str:
        return reverse("cases:detail", args=[self.pk])

    @property
    def needs_responsibility(self) -> bool:
        """Child-trafficking cases are run under the one-chief-three-packages system."""
        return self.kind == self.Kind.CHILD_TRAFFICKING

    @property
    def is_solved(self) -> bool:
        return self.solved_on is not None


class CaseParty(models.Model):
    """A person in a case: victim, suspect or other (witness, family member). The person is a record of the
    shared people registry."""

    class Role(models.TextChoices):
        VICTIM = "victim", _("Victim")
        SUSPECT = "suspect", _("Suspect")
        OTHER = "other", _("Other")

    case = models.ForeignKey(Case, verbose_name=_("case"), on_delete=models.CASCADE, related_name="parties")
    person = models.ForeignKey(Person, verbose_name=_("person"), on_delete=models.PROTECT, related_name="+")
    role = models.CharField(_("role"), max_length=16, choices=Role.choices)
    notes = EncryptedTextField(_("notes"), blank=True)
    created_at = models.DateTimeField(_("added"), auto_now_add=True)

    class Meta:
        ordering = ["role", "id"]
        verbose_name = _("case party")
        verbose_name_plural = _("case parties")
        constraints = [models.UniqueConstraint(fields=["case", "person", "role"], name="case_party_unique")]

    def __str__(self) -> str:
        return f"{self.case} · {self.get_role_display()}"


class CaseEvent(models.Model):
    """The timeline of a case: status changes, places and notes, each one row (never overwritten)."""

    class Kind(models.TextChoices):
        STATUS = "status", _("Status change")
        PLACE = "place", _("Place")
        NOTE = "note", _("Note")
        CLUE = "clue", _("Linked clue")
        PACKAGE = "package", _("Responsibility package")

    case = models.ForeignKey(Case, verbose_name=_("case"), on_delete=models.CASCADE, related_name="events")
    kind = models.CharField(_("kind"), max_length=16, choices=Kind.choices)
    occurred_at = models.DateTimeField(_("when"))
    text = EncryptedTextField(_("text"), blank=True)
    place = models.CharField(_("place"), max_length=200, blank=True)
    latitude = models.DecimalField(_("latitude"), max_digits=9, decimal_places=6, null=True, blank=True)
    longitude = models.DecimalField(_("longitude"), max_digits=9, decimal_places=6, null=True, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("by"), null=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(_("recorded"), auto_now_add=True)

    class Meta:
        ordering = ["occurred_at", "id"]
        verbose_name = _("case event")
        verbose_name_plural = _("case events")

    def __str__(self) -> str:
        return f"{self.case} · {self.get_kind_display()}"


class ClueLink(models.Model):
    """A clue of the clues module linked to the case. `clue_number` keeps the number as it was linked: links
    recorded before the link was a foreign key whose number matched no clue keep only that."""

    case = models.ForeignKey(
        Case, verbose_name=_("case"), on_delete=models.CASCADE, related_name="clue_links"
    )
    clue = models.ForeignKey(
        "clues.Clue",
        verbose_name=_("clue"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="case_links",
    )
    clue_number = models.CharField(_("clue number"), max_length=32)
    note = models.CharField(_("note"), max_length=200, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("by"), null=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(_("linked"), auto_now_add=True)

    class Meta:
        ordering = ["created_at", "id"]
        verbose_name = _("linked clue")
        verbose_name_plural = _("linked clues")
        constraints = [
            models.UniqueConstraint(fields=["case", "clue_number"], name="case_clue_unique"),
            models.UniqueConstraint(
                fields=["case", "clue"], condition=models.Q(clue__isnull=False), name="case_clue_fk_unique"
            ),
        ]

    def __str__(self) -> str:
        return self.clue_number


class Responsibility(models.Model):
    """The one-chief-three-packages record (一长三包责任制) of a child-trafficking case: the head of the county
    or city public security bureau answers for the case."""

    case = models.OneToOneField(
        Case, verbose_name=_("case"), on_delete=models.CASCADE, related_name="responsibility"
    )
    chief = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("chief"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    # The chief's name when named (records from before accounts were chosen keep only the typed name).
    chief_name = models.CharField(_("chief's name"), max_length=64, blank=True)
    chief_position = models.CharField(_("chief's position"), max_length=100)
    created_at = models.DateTimeField(_("created"), auto_now_add=True)

    class Meta:
        verbose_name = _("one-chief-three-packages record")
        verbose_name_plural = _("one-chief-three-packages records")

    def __str__(self) -> str:
        return f"{self.case} · {self.chief_label}"

    @property
    def chief_label(self) -> str:
        return str(self.chief) if self.chief_id else self.chief_name


class Package(models.Model):
    """One of the three packages: solve the case, find and rescue the victims, support the family."""

    class Kind(models.TextChoices):
        SOLVE = "solve", _("Solve the case")
        RESCUE = "rescue", _("Find and rescue the victims")
        FAMILY = "family", _("Support the family")

    class Status(models.TextChoices):
        OPEN = "open", _("Not started")
        IN_PROGRESS = "in_progress", _("In progress")
        DONE = "done", _("Done")

    responsibility = models.ForeignKey(
        Responsibility, verbose_name=_("record"), on_delete=models.CASCADE, related_name="packages"
    )
    kind = models.CharField(_("package"), max_length=16, choices=Kind.choices)
    owner = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("owner"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    # The owner's name when named (records from before accounts were chosen keep only the typed name).
    owner_name = models.CharField(_("owner's name"), max_length=64, blank=True)
    status = models.CharField(_("status"), max_length=16, choices=Status.choices, default=Status.OPEN)
    notes = EncryptedTextField(_("notes"), blank=True)
    done_at = models.DateTimeField(_("done"), null=True, blank=True)
    updated_at = models.DateTimeField(_("updated"), auto_now=True)

    class Meta:
        ordering = ["id"]
        verbose_name = _("package")
        verbose_name_plural = _("packages")
        constraints = [models.UniqueConstraint(fields=["responsibility", "kind"], name="package_kind_unique")]

    def __str__(self) -> str:
        return self.get_kind_display()

    @property
    def owner_label(self) -> str:
        return str(self.owner) if self.owner_id else self.owner_name
