"""Care of rescued persons (救助、安置、康复、回归社会) and care of left-behind and migrant women and children
(留守、流动妇女儿童关爱).

A rescued person is handed over by the police to a shelter, which opens an `AssistanceCase` (the intake).
Placements are kept as history; each need becomes a `Referral` to the responsible unit, which needs the
person's (or guardian's) `Consent` for that unit; every step of a referral is a `ReferralStep` row (the
referral lifecycle of Primero). Follow-up visits record the return to society; closing a case needs approval.

The left-behind register (`CareRegistration`) lists children and women by township with their guardians and
a risk level; `CareVisit`s (including the summer campaign) and `EntrustedCare` arrangements belong to it;
risks found become referrals, or a flag that a clue should be filed (picked up by the clues app).

Hand-over points to other apps: `AssistanceCase.case_reference` names the police case, and `police_case`
points at its record when the reference is a case number of the platform; `DnaSamplingRequest` is the
request of the DNA laboratory; `CareVisit.clue` is the clue filed from a visit.
"""

import secrets

from django.conf import settings
from django.db import models
from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from fanguai.core.crypto import EncryptedTextField
from fanguai.org.models import Region, Unit
from fanguai.people.models import Person


def _number(prefix: str) -> str:
    """A random, non-sequential number that reveals nothing about the person or the count."""
    return prefix + "".join(secrets.choice("0123456789ABCDEFGHJKLMNPQRSTUVWXYZ") for _ in range(9))


def new_case_number() -> str:
    return _number("A")


def new_referral_number() -> str:
    return _number("R")


def new_registration_number() -> str:
    return _number("L")


class ServiceKind(models.TextChoices):
    FAMILY_SEARCH = "family_search", _("Family search")
    HOUSEHOLD_REGISTRATION = "household_registration", _("Household registration")
    SCHOOLING = "schooling", _("Schooling")
    EMPLOYMENT = "employment", _("Employment and skills training")
    RELIEF = "relief", _("Relief")
    MEDICAL = "medical", _("Medical care")
    PSYCHOLOGICAL = "psychological", _("Psychological help")
    DISABILITY = "disability", _("Disability assessment and rehabilitation")
    LEGAL_AID = "legal_aid", _("Legal aid")


class RiskLevel(models.TextChoices):
    LOW = "low", _("Low")
    MEDIUM = "medium", _("Medium")
    HIGH = "high", _("High")


class AssistanceCase(models.Model):
    """The care of one rescued person by one shelter, from the police handover to closure."""

    class Status(models.TextChoices):
        OPEN = "open", _("Open")
        CLOSURE_REQUESTED = "closure_requested", _("Closure requested")
        CLOSED = "closed", _("Closed")

    class Guardianship(models.TextChoices):
        NOT_APPLICABLE = "", _("Not applicable (adult)")
        PARENTS = "parents", _("Parents")
        RELATIVE = "relative", _("Relative")
        SHELTER_TEMPORARY = "shelter_temporary", _("Temporary guardianship by the shelter")
        CIVIL_AFFAIRS = "civil_affairs", _("State guardianship by civil affairs")
        ENTRUSTED = "entrusted", _("Entrusted carer")
        OTHER = "other", _("Other")

    class Outcome(models.TextChoices):
        NONE = "", _("Not yet recorded")
        WITH_FAMILY = "with_family", _("Back with the family")
        IN_SCHOOL = "in_school", _("In school")
        EMPLOYED = "employed", _("Employed")
        INDEPENDENT = "independent", _("Living independently")
        INSTITUTIONAL = "institutional", _("In long-term institutional care")
        OTHER = "other", _("Other")

    number = models.CharField(_("case number"), max_length=16, unique=True, default=new_case_number)
    person = models.ForeignKey(
        Person, verbose_name=_("rescued person"), on_delete=models.PROTECT, related_name="assistance_cases"
    )
    shelter = models.ForeignKey(
        Unit, verbose_name=_("shelter"), on_delete=models.PROTECT, related_name="assistance_cases"
    )
    status = models.CharField(_("status"), max_length=20, choices=Status.choices, default=Status.OPEN)
    # The handover (who, when, from which case). The police case is a reference only: the cases app is
    # separate and the shelter may not see it.
    handed_over_by_unit = models.ForeignKey(
        Unit, verbose_name=_("handed over by"), on_delete=models.PROTECT, related_name="+"
    )
    handed_over_by_officer = models.CharField(_("officer who handed over"), max_length=64)
    handed_over_at = models.DateTimeField(_("handed over at"))
    case_reference = models.CharField(_("police case reference"), max_length=100, blank=True)
    # The case record, when the reference is the platform's case number; the reference alone otherwise
    # (the police's own filing number, a case of another city).
    police_case = models.ForeignKey(
        "cases.Case",
        verbose_name=_("case record"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="assistance_cases",
        editable=False,
    )
    circumstances = EncryptedTextField(_("circumstances of the rescue"), blank=True)
    # First needs and risk assessment.
    needs = models.JSONField(_("needs"), default=list, blank=True)
    risk_level = models.CharField(_("risk level"), max_length=8, choices=RiskLevel.choices)
    risk_notes = EncryptedTextField(_("risk assessment"), blank=True)
    # Guardianship of a minor.
    guardianship = models.CharField(
        _("guardianship"), max_length=20, choices=Guardianship.choices, blank=True, default=""
    )
    guardian = models.ForeignKey(
        Person,
        verbose_name=_("guardian"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    guardianship_notes = EncryptedTextField(_("guardianship notes"), blank=True)
    # Reintegration and closure.
    outcome = models.CharField(_("reintegration outcome"), max_length=16, choices=Outcome.choices, blank=True)
    outcome_on = models.DateField(_("outcome recorded on"), null=True, blank=True)
    closure_reason = EncryptedTextField(_("reason for closure"), blank=True)
    closure_requested_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    closure_requested_at = models.DateTimeField(null=True, blank=True)
    closed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    closed_at = models.DateTimeField(_("closed"), null=True, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(_("opened"), auto_now_add=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        verbose_name = _("assistance case")
        verbose_name_plural = _("assistance cases")
        indexes = [
            models.Index(fields=["-created_at", "-id"], name="aid_case_created_idx"),
            models.Index(fields=["status", "-created_at"], name="aid_case_status_idx"),
            models.Index(fields=["shelter", "status"], name="aid_case_shelter_idx"),
        ]

    def __str__(self) -> str:
        return self.number

    def get_absolute_url(self) -> str:
        return reverse("assistance:case_detail", args=[self.pk])

    @property
    def is_open(self) -> bool:
        return self.status != self.Status.CLOSED

    def need_labels(self) -> list:
        labels = dict(ServiceKind.choices)
        return [labels.get(n, n) for n in self.needs]

    @property
    def current_placement(self):
        return self.placements.filter(ended_on__isnull=True).order_by("-started_on", "-id").first()


class Placement(models.Model):
    """Where the person lives, and which unit answers for it; a new placement ends the current one."""

    class Kind(models.TextChoices):
        SHELTER = "shelter", _("Shelter")
        FOSTER_FAMILY = "foster_family", _("Foster family")
        OWN_FAMILY = "own_family", _("Own family")
        SCHOOL = "school", _("School")
        OTHER = "other", _("Other")

    case = models.ForeignKey(AssistanceCase, on_delete=models.CASCADE, related_name="placements")
    kind = models.CharField(_("placement"), max_length=16, choices=Kind.choices)
    responsible_unit = models.ForeignKey(
        Unit, verbose_name=_("responsible unit"), on_delete=models.PROTECT, related_name="+"
    )
    place = EncryptedTextField(_("place and carer"), blank=True)
    started_on = models.DateField(_("from"))
    ended_on = models.DateField(_("until"), null=True, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-started_on", "-id"]
        verbose_name = _("placement")
        verbose_name_plural = _("placements")

    def __str__(self) -> str:
        return str(f"{self.get_kind_display()} {self.started_on}")


class CareRegistration(models.Model):
    """An entry of the register of left-behind and migrant women and children, by township."""

    class Category(models.TextChoices):
        LEFT_BEHIND_CHILD = "left_behind_child", _("Left-behind child")
        MIGRANT_CHILD = "migrant_child", _("Migrant child")
        LEFT_BEHIND_WOMAN = "left_behind_woman", _("Left-behind woman")
        MIGRANT_WOMAN = "migrant_woman", _("Migrant woman")

    class Status(models.TextChoices):
        ACTIVE = "active", _("Active")
        REMOVED = "removed", _("Removed from the register")

    number = models.CharField(
        _("register number"), max_length=16, unique=True, default=new_registration_number
    )
    person = models.ForeignKey(
        Person, verbose_name=_("person"), on_delete=models.PROTECT, related_name="care_registrations"
    )
    category = models.CharField(_("category"), max_length=20, choices=Category.choices)
    township = models.ForeignKey(
        Region, verbose_name=_("township"), on_delete=models.PROTECT, related_name="+"
    )
    county = models.ForeignKey(
        Region, verbose_name=_("county"), on_delete=models.PROTECT, related_name="+", editable=False
    )
    risk_level = models.CharField(_("risk level"), max_length=8, choices=RiskLevel.choices)
    situation = EncryptedTextField(_("family situation"), blank=True)
    status = models.CharField(_("status"), max_length=10, choices=Status.choices, default=Status.ACTIVE)
    registered_by_unit = models.ForeignKey(
        Unit, verbose_name=_("registered by"), on_delete=models.PROTECT, related_name="+"
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(_("registered"), auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        verbose_name = _("care register entry")
        verbose_name_plural = _("care register")

    def __str__(self) -> str:
        return self.number

    def get_absolute_url(self) -> str:
        return reverse("assistance:registration_detail", args=[self.pk])


class Guardian(models.Model):
    """A guardian or carer of a registered child (parents working away, grandparents at home, ...)."""

    class Relationship(models.TextChoices):
        FATHER = "father", _("Father")
        MOTHER = "mother", _("Mother")
        GRANDPARENT = "grandparent", _("Grandparent")
        RELATIVE = "relative", _("Other relative")
        OTHER = "other", _("Other")

    registration = models.ForeignKey(CareRegistration, on_delete=models.CASCADE, related_name="guardians")
    person = models.ForeignKey(Person, verbose_name=_("guardian"), on_delete=models.PROTECT, related_name="+")
    relationship = models.CharField(_("relationship"), max_length=16, choices=Relationship.choices)
    lives_with_child = models.BooleanField(_("lives with the child"), default=False)
    works_away = models.BooleanField(_("works away from home"), default=False)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["id"]
        verbose_name = _("guardian")
        verbose_name_plural = _("guardians")

    def __str__(self) -> str:
        return str(self.get_relationship_display())


class Consent(models.Model):
    """The person's (or guardian's) consent to share with one unit, or the statutory duty that replaces it
    (e.g. the police search for the family of a person of unknown identity). A referral to a unit needs a
    consent for that unit in force; the fields listed are all the unit is shown."""

    class Basis(models.TextChoices):
        PERSON = "person", _("Consent of the person")
        GUARDIAN = "guardian", _("Consent of the guardian")
        STATUTORY = "statutory", _("Statutory duty")

    # What a receiving unit may be shown. "full_record" also opens the person record in the people pages.
    SHAREABLE = (
        ("full_name", _("Name")),
        ("sex", _("Sex")),
        ("birth_date", _("Date of birth")),
        ("id_card_number", _("ID card number")),
        ("phone", _("Phone")),
        ("address", _("Address")),
        ("needs", _("Needs and circumstances")),
        ("full_record", _("The whole person record")),
    )

    case = models.ForeignKey(
        AssistanceCase, null=True, blank=True, on_delete=models.CASCADE, related_name="consents"
    )
    registration = models.ForeignKey(
        CareRegistration, null=True, blank=True, on_delete=models.CASCADE, related_name="consents"
    )
    unit = models.ForeignKey(Unit, verbose_name=_("shared with"), on_delete=models.PROTECT, related_name="+")
    basis = models.CharField(_("basis"), max_length=10, choices=Basis.choices)
    given_by = EncryptedTextField(_("given by"), blank=True)
    fields = models.JSONField(_("what may be shared"), default=list)
    full_record = models.BooleanField(_("whole person record shared"), default=False, editable=False)
    given_on = models.DateField(_("given on"))
    withdrawn_on = models.DateField(_("withdrawn on"), null=True, blank=True)
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-given_on", "-id"]
        verbose_name = _("consent")
        verbose_name_plural = _("consents")
        constraints = [
            models.CheckConstraint(
                condition=models.Q(case__isnull=False, registration__isnull=True)
                | models.Q(case__isnull=True, registration__isnull=False),
                name="assistance_consent_one_owner",
            )
        ]

    def __str__(self) -> str:
        return str(f"{self.unit} ({self.get_basis_display()})")

    @property
    def in_force(self) -> bool:
        return self.withdrawn_on is None

    def field_labels(self) -> list:
        labels = dict(self.SHAREABLE)
        return [labels[f] for f in self.fields if f in labels]


class Referral(models.Model):
    """A service referred to a unit: it accepts or declines before a deadline, then delivers by another."""

    class Status(models.TextChoices):
        PENDING = "pending", _("Awaiting response")
        ACCEPTED = "accepted", _("Accepted")
        DECLINED = "declined", _("Declined")
        DELIVERED = "delivered", _("Delivered")
        WITHDRAWN = "withdrawn", _("Withdrawn")

    ACTIVE = (Status.PENDING, Status.ACCEPTED)

    number = models.CharField(_("referral number"), max_length=16, unique=True, default=new_referral_number)
    case = models.ForeignKey(
        AssistanceCase, null=True, blank=True, on_delete=models.PROTECT, related_name="referrals"
    )
    registration = models.ForeignKey(
        CareRegistration, null=True, blank=True, on_delete=models.PROTECT, related_name="referrals"
    )
    person = models.ForeignKey(Person, on_delete=models.PROTECT, related_name="+")
    service = models.CharField(_("service"), max_length=24, choices=ServiceKind.choices)
    from_unit = models.ForeignKey(
        Unit, verbose_name=_("referred by"), on_delete=models.PROTECT, related_name="+"
    )
    to_unit = models.ForeignKey(
        Unit, verbose_name=_("referred to"), on_delete=models.PROTECT, related_name="referrals_received"
    )
    consent = models.ForeignKey(
        Consent, verbose_name=_("consent"), on_delete=models.PROTECT, related_name="+"
    )
    request = EncryptedTextField(_("what is needed"), blank=True)
    status = models.CharField(_("status"), max_length=10, choices=Status.choices, default=Status.PENDING)
    respond_by = models.DateTimeField(_("respond by"))
    deliver_by = models.DateTimeField(_("deliver by"))
    responded_at = models.DateTimeField(_("responded"), null=True, blank=True)
    delivered_at = models.DateTimeField(_("delivered"), null=True, blank=True)
    outcome = EncryptedTextField(_("outcome"), blank=True)
    is_overdue = models.BooleanField(_("overdue"), default=False)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(_("referred"), auto_now_add=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        verbose_name = _("referral")
        verbose_name_plural = _("referrals")
        constraints = [
            models.CheckConstraint(
                condition=models.Q(case__isnull=False, registration__isnull=True)
                | models.Q(case__isnull=True, registration__isnull=False),
                name="assistance_referral_one_owner",
            )
        ]
        indexes = [
            models.Index(fields=["-created_at", "-id"], name="referral_created_idx"),
            models.Index(fields=["to_unit", "status"], name="referral_to_status_idx"),
            models.Index(fields=["from_unit", "status"], name="referral_from_status_idx"),
            models.Index(fields=["status", "-created_at"], name="referral_status_idx"),
        ]

    def __str__(self) -> str:
        return self.number

    def get_absolute_url(self) -> str:
        return reverse("assistance:referral_detail", args=[self.pk])

    @property
    def is_active(self) -> bool:
        return self.status in self.ACTIVE

    @property
    def delivered_on_time(self) -> bool | None:
        if self.delivered_at is None:
            return None
        return self.delivered_at <= self.deliver_by


class ReferralStep(models.Model):
    """One step of a referral's life: referred, accepted, declined, delivered, withdrawn, overdue."""

    class Action(models.TextChoices):
        REFERRED = "referred", _("Referred")
        ACCEPTED = "accepted", _("Accepted")
        DECLINED = "declined", _("Declined")
        DELIVERED = "delivered", _("Delivered")
        WITHDRAWN = "withdrawn", _("Withdrawn")
        OVERDUE = "overdue", _("Overdue")

    referral = models.ForeignKey(Referral, on_delete=models.CASCADE, related_name="steps")
    action = models.CharField(_("step"), max_length=10, choices=Action.choices)
    unit = models.ForeignKey(Unit, null=True, on_delete=models.PROTECT, related_name="+")
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    note = EncryptedTextField(_("note"), blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["created_at", "id"]
        verbose_name = _("referral step")
        verbose_name_plural = _("referral steps")

    def __str__(self) -> str:
        return str(self.get_action_display())


class FollowUpVisit(models.Model):
    """A visit after the person returned home: scheduled, then recorded (or missed), with risk flags."""

    class Status(models.TextChoices):
        SCHEDULED = "scheduled", _("Scheduled")
        DONE = "done", _("Visited")
        MISSED = "missed", _("Missed")
        CANCELLED = "cancelled", _("Cancelled (case closed)")

    RISK_FLAGS = (
        ("retrafficking", _("Risk of being trafficked again")),
        ("violence", _("Violence or abuse at home")),
        ("dropout", _("Out of school")),
        ("unemployed", _("No work or income")),
        ("health", _("Health problem")),
        ("no_registration", _("No household registration")),
    )

    case = models.ForeignKey(AssistanceCase, on_delete=models.CASCADE, related_name="visits")
    scheduled_for = models.DateField(_("scheduled for"))
    status = models.CharField(_("status"), max_length=10, choices=Status.choices, default=Status.SCHEDULED)
    visited_on = models.DateField(_("visited on"), null=True, blank=True)
    notes = EncryptedTextField(_("what was found"), blank=True)
    risk_flags = models.JSONField(_("risk flags"), default=list, blank=True)
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["scheduled_for", "id"]
        verbose_name = _("follow-up visit")
        verbose_name_plural = _("follow-up visits")

    def __str__(self) -> str:
        return str(f"{self.scheduled_for} {self.get_status_display()}")

    def flag_labels(self) -> list:
        labels = dict(self.RISK_FLAGS)
        return [labels.get(f, f) for f in self.risk_flags]


class DnaSamplingRequest(models.Model):
    """Hand-over point to the DNA laboratory: a person of unknown identity is to be sampled and compared.
    The DNA app lists the open requests (`selectors.open_dna_requests`) and reports the specimen number
    back with `services.record_dna_sampled`; no identity travels with the request."""

    class Status(models.TextChoices):
        REQUESTED = "requested", _("Requested")
        SAMPLED = "sampled", _("Sampled")
        CANCELLED = "cancelled", _("Cancelled")

    case = models.ForeignKey(AssistanceCase, on_delete=models.CASCADE, related_name="dna_requests")
    person = models.ForeignKey(Person, on_delete=models.PROTECT, related_name="+")
    requested_by_unit = models.ForeignKey(Unit, on_delete=models.PROTECT, related_name="+")
    laboratory = models.ForeignKey(Unit, on_delete=models.PROTECT, related_name="+")
    status = models.CharField(_("status"), max_length=10, choices=Status.choices, default=Status.REQUESTED)
    specimen_number = models.CharField(_("specimen number"), max_length=32, blank=True)
    created_at = models.DateTimeField(_("requested"), auto_now_add=True)
    completed_at = models.DateTimeField(_("sampled"), null=True, blank=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        verbose_name = _("DNA sampling request")
        verbose_name_plural = _("DNA sampling requests")

    def __str__(self) -> str:
        return str(f"{self.laboratory} {self.get_status_display()}")


class VisitCampaign(models.Model):
    """A visit campaign, e.g. the summer visit campaign (暑假走访排查) of one year."""

    name = models.CharField(_("name"), max_length=100)
    starts_on = models.DateField(_("from"))
    ends_on = models.DateField(_("until"))
    lead_unit = models.ForeignKey(
        Unit, verbose_name=_("lead unit"), on_delete=models.PROTECT, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-starts_on", "-id"]
        verbose_name = _("visit campaign")
        verbose_name_plural = _("visit campaigns")

    def __str__(self) -> str:
        return self.name


class CareVisit(models.Model):
    """A care visit to a registered child or woman by the unit that runs the programme."""

    class Programme(models.TextChoices):
        ROUTINE = "routine", _("Routine visit")
        TONGXIN = "tongxin", _("Tongxin Harbour (Youth League)")
        CHILDRENS_HOME = "childrens_home", _("Children's Home (Women's Federation)")
        HEALTH = "health", _("Health visit")
        OTHER = "other", _("Other")

    registration = models.ForeignKey(CareRegistration, on_delete=models.CASCADE, related_name="visits")
    campaign = models.ForeignKey(
        VisitCampaign,
        verbose_name=_("campaign"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="visits",
    )
    programme = models.CharField(_("programme"), max_length=16, choices=Programme.choices)
    unit = models.ForeignKey(
        Unit, verbose_name=_("visiting unit"), on_delete=models.PROTECT, related_name="+"
    )
    visited_on = models.DateField(_("visited on"))
    findings = EncryptedTextField(_("what was found"), blank=True)
    risk_level = models.CharField(_("risk level after the visit"), max_length=8, choices=RiskLevel.choices)
    # Hand-over to the clues app: a risk that looks like trafficking should become a clue; `clue` is the clue
    # reported from the visit (services.report_visit_clue), so the visit no longer awaits one.
    clue_wanted = models.BooleanField(_("a clue should be filed"), default=False)
    clue = models.ForeignKey(
        "clues.Clue",
        verbose_name=_("clue reported"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="care_visits",
    )
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-visited_on", "-id"]
        verbose_name = _("care visit")
        verbose_name_plural = _("care visits")

    def __str__(self) -> str:
        return str(f"{self.visited_on} {self.get_programme_display()}")

    @property
    def awaits_clue(self) -> bool:
        return self.clue_wanted and self.clue_id is None


class EntrustedCare(models.Model):
    """An entrusted-care arrangement (委托照护): parents working away entrust the child to a carer."""

    registration = models.ForeignKey(
        CareRegistration, on_delete=models.CASCADE, related_name="entrusted_care"
    )
    carer = EncryptedTextField(_("carer"))
    carer_relationship = models.CharField(
        _("relationship"), max_length=16, choices=Guardian.Relationship.choices
    )
    entrusted_by = EncryptedTextField(_("entrusted by"))
    starts_on = models.DateField(_("from"))
    ends_on = models.DateField(_("until"), null=True, blank=True)
    notes = EncryptedTextField(_("notes"), blank=True)
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-starts_on", "-id"]
        verbose_name = _("entrusted-care arrangement")
        verbose_name_plural = _("entrusted-care arrangements")

    def __str__(self) -> str:
        return str(f"{self.starts_on}")
