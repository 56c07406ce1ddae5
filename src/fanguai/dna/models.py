"""The DNA database. Identity and genotype are kept apart, as in CODIS or the INTERPOL DNA Gateway:

- `Specimen` is what the laboratory sees: a random specimen number, the category, the chain of custody.
- `SpecimenLink` (its own table) joins a specimen to a person record with encrypted identifiers, and holds the
  collection record (place, collector, legal basis, consent); only case officers see it.
- `Profile` holds the genotypes, encrypted in the application; only the laboratory sees it.
- `Candidate` is a comparison result (a match or a lead) between the family side and the found side;
  `Review` rows record the two analysts' decisions; a confirmed match opens a `Reunion` for the case officers.
"""

import json
import secrets

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from fanguai.core.crypto import EncryptedTextField
from fanguai.org.models import Region, Unit
from fanguai.people.models import Person

SPECIMEN_ALPHABET = "0123456789ABCDEFGHJKLMNPQRSTUVWXYZ"


def new_specimen_number() -> str:
    """Random and non-sequential: it says nothing about the donor, the order of collection or the count."""
    return "DNA" + "".join(secrets.choice(SPECIMEN_ALPHABET) for _ in range(10))


class Category(models.TextChoices):
    PARENT = "parent", _("Parent of a missing child")
    RELATIVE = "relative", _("Other relative of a missing child")
    UNKNOWN_ORIGIN = "unknown_origin", _("Child of unknown origin")
    RESCUED = "rescued", _("Rescued person")
    UNIDENTIFIED = "unidentified", _("Unidentified body")


FAMILY_SIDE = (Category.PARENT, Category.RELATIVE)
FOUND_SIDE = (Category.UNKNOWN_ORIGIN, Category.RESCUED, Category.UNIDENTIFIED)


class Relation(models.TextChoices):
    """How an 'other relative' is related to the missing child; it selects the kinship hypothesis."""

    FULL_SIBLING = "full-siblings", _("Full sibling")
    HALF_SIBLING = "half-siblings", _("Half sibling")
    GRANDPARENT = "grandparent", _("Grandparent")
    AVUNCULAR = "avuncular", _("Uncle or aunt")


class Specimen(models.Model):
    class Status(models.TextChoices):
        COLLECTED = "collected", _("Collected")
        SENT = "sent", _("Sent to the laboratory")
        RECEIVED = "received", _("Received by the laboratory")
        TYPED = "typed", _("Typed")
        STORED = "stored", _("Stored")
        DESTROYED = "destroyed", _("Destroyed")

    class Sex(models.TextChoices):
        UNKNOWN = "unknown", _("Unknown")
        FEMALE = "female", _("Female")
        MALE = "male", _("Male")

    number = models.CharField(
        _("specimen number"), max_length=16, unique=True, default=new_specimen_number, editable=False
    )
    category = models.CharField(_("category"), max_length=16, choices=Category.choices)
    relation = models.CharField(
        _("relation to the missing child"), max_length=16, choices=Relation.choices, blank=True
    )
    sex = models.CharField(_("sex"), max_length=8, choices=Sex.choices, default=Sex.UNKNOWN)
    partner = models.OneToOneField(
        "self",
        verbose_name=_("registered together with"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    collecting_unit = models.ForeignKey(
        Unit, verbose_name=_("collecting unit"), on_delete=models.PROTECT, related_name="+"
    )
    county = models.ForeignKey(
        Region, verbose_name=_("county"), null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    collected_on = models.DateField(_("collected on"))
    status = models.CharField(_("status"), max_length=16, choices=Status.choices, default=Status.COLLECTED)
    retest_requested = models.BooleanField(_("re-test requested"), default=False)
    case_closed_at = models.DateTimeField(_("case closed"), null=True, blank=True)
    deletion_requested_at = models.DateTimeField(_("deletion requested"), null=True, blank=True)
    profile_deleted_at = models.DateTimeField(_("profile deleted"), null=True, blank=True)
    created_at = models.DateTimeField(_("created"), auto_now_add=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        verbose_name = _("specimen")
        verbose_name_plural = _("specimens")

    def __str__(self) -> str:
        return self.number

    @property
    def is_family_side(self) -> bool:
        return self.category in FAMILY_SIDE


class SpecimenLink(models.Model):
    """Who gave the specimen, and the collection record. Kept in its own table; the person and the missing
    child are stored as encrypted record ids with a blind index, never as a foreign key, so the profile
    tables and this table can only be joined with the key."""

    class LegalBasis(models.TextChoices):
        STATUTORY_DUTY = "statutory", _("Statutory duty (criminal investigation)")
        CONSENT = "consent", _("Separate consent of the donor")
        GUARDIAN_CONSENT = "guardian", _("Separate consent of the guardian (under 14)")

    specimen = models.OneToOneField(
        Specimen, verbose_name=_("specimen"), on_delete=models.CASCADE, related_name="link"
    )
    person_ref = EncryptedTextField(_("person"))
    person_index = models.CharField(max_length=64, db_index=True, editable=False)
    missing_person_ref = EncryptedTextField(_("missing child"), blank=True)
    missing_report_ref = EncryptedTextField(_("missing-person report"), blank=True)
    place = EncryptedTextField(_("place of collection"), blank=True)
    collector = EncryptedTextField(_("collector"), blank=True)
    legal_basis = models.CharField(_("legal basis"), max_length=16, choices=LegalBasis.choices)
    consent_given_by = EncryptedTextField(_("consent given by"), blank=True)
    consent_date = models.DateField(_("consent date"), null=True, blank=True)
    purpose = models.CharField(_("purpose"), max_length=32, default="anti-trafficking", editable=False)
    collecting_unit = models.ForeignKey(
        Unit, verbose_name=_("collecting unit"), on_delete=models.PROTECT, related_name="+"
    )
    county = models.ForeignKey(
        Region, verbose_name=_("county"), null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(_("created"), auto_now_add=True)

    class Meta:
        verbose_name = _("specimen link")
        verbose_name_plural = _("specimen links")

    def __str__(self) -> str:
        return str(self.specimen)

    @property
    def person_id(self) -> int:
        return int(self.person_ref)

    @property
    def missing_person_id(self) -> int | None:
        return int(self.missing_person_ref) if self.missing_person_ref else None


class CustodyEvent(models.Model):
    class Kind(models.TextChoices):
        COLLECTED = "collected", _("Collected")
        SENT = "sent", _("Sent to the laboratory")
        RECEIVED = "received", _("Received by the laboratory")
        TYPED = "typed", _("Typed")
        STORED = "stored", _("Stored")
        DESTROYED = "destroyed", _("Destroyed")
        PROFILE_DELETED = "profile_deleted", _("Profile deleted")

    specimen = models.ForeignKey(Specimen, on_delete=models.CASCADE, related_name="custody")
    kind = models.CharField(_("event"), max_length=16, choices=Kind.choices)
    at = models.DateTimeField(_("when"), auto_now_add=True)
    unit = models.ForeignKey(
        Unit, verbose_name=_("unit"), null=True, on_delete=models.PROTECT, related_name="+"
    )
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    note = models.CharField(_("note"), max_length=200, blank=True)

    class Meta:
        ordering = ["at", "id"]
        verbose_name = _("custody event")
        verbose_name_plural = _("custody events")

    def __str__(self) -> str:
        return f"{self.specimen_id}:{self.kind}"


class ImportBatch(models.Model):
    file_name = models.CharField(_("file name"), max_length=255)
    sha256 = models.CharField(_("SHA-256"), max_length=64)
    kit = models.CharField(_("kit"), max_length=32)
    profile_count = models.PositiveIntegerField(_("profiles"), default=0)
    imported_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(_("imported"), auto_now_add=True)

    class Meta:
        ordering = ["-created_at"]
        verbose_name = _("import batch")
        verbose_name_plural = _("import batches")

    def __str__(self) -> str:
        return f"{self.kit} {self.created_at:%Y-%m-%d}"


class Profile(models.Model):
    """An STR profile. `genotypes` is JSON `{locus: [allele, allele]}`, encrypted at rest."""

    specimen = models.OneToOneField(Specimen, on_delete=models.CASCADE, related_name="profile")
    genotypes = EncryptedTextField(_("genotypes"))
    kit = models.CharField(_("kit"), max_length=32)
    loci_count = models.PositiveSmallIntegerField(_("typed loci"))
    version = models.PositiveSmallIntegerField(_("version"), default=1)
    batch = models.ForeignKey(ImportBatch, null=True, on_delete=models.SET_NULL, related_name="profiles")
    created_at = models.DateTimeField(_("typed"), auto_now_add=True)
    updated_at = models.DateTimeField(_("updated"), auto_now=True)

    class Meta:
        verbose_name = _("profile")
        verbose_name_plural = _("profiles")

    def __str__(self) -> str:
        return f"profile {self.specimen_id} v{self.version}"

    def as_profile(self) -> dict[str, tuple[str, str]]:
        return {locus: (pair[0], pair[1]) for locus, pair in json.loads(self.genotypes).items()}


class AnalysisSettings(models.Model):
    """The numbers every comparison uses. A change makes a new active row and re-runs every comparison."""

    class Mutation(models.TextChoices):
        NONE = "none", _("No mutation")
        EQUAL = "equal", _("Equal")
        PROPORTIONAL = "proportional", _("Proportional")
        STEPWISE = "stepwise", _("Stepwise")

    class UntypedTransmission(models.TextChoices):
        """Whether transmissions from parents untyped at a locus also go through the mutation matrix."""

        MUTATE = "mutate", _("Through the mutation matrix (as forrel)")
        PLAIN = "plain", _("Without mutation (as Familias)")

    frequency_name = models.CharField(_("frequency table"), max_length=120, default="")
    frequency_csv = models.TextField(_("frequency table (CSV)"), blank=True)
    sample_size = models.PositiveIntegerField(_("database size N (minimum frequency 5/2N)"), default=5000)
    match_threshold = models.FloatField(_("match threshold (combined index)"), default=10_000.0)
    lead_threshold = models.FloatField(_("lead threshold (combined index)"), default=1.0)
    mutation = models.CharField(
        _("mutation model"), max_length=16, choices=Mutation.choices, default="stepwise"
    )
    mutation_rate = models.FloatField(_("mutation rate"), default=0.002)
    theta = models.FloatField(_("theta (co-ancestry)"), default=0.0)
    minimum_frequency = models.FloatField(
        _("minimum allele frequency"),
        null=True,
        blank=True,
        help_text=_("Frequency of alleles the table does not list; empty: 5/(2N) from the database size."),
    )
    floor_listed = models.BooleanField(
        _("raise listed alleles rarer than the minimum to it"),
        default=False,
        help_text=_("Off: listed alleles keep the table's frequency (recommended)."),
    )
    untyped_transmission = models.CharField(
        _("transmission from untyped parents"),
        max_length=8,
        choices=UntypedTransmission.choices,
        default=UntypedTransmission.MUTATE,
    )
    microvariant_rate = models.FloatField(
        _("microvariant mutation rate (stepwise only)"),
        default=0.0,
        help_text=_("Rate of steps between integer alleles and microvariants; 0 as in forrel and Familias."),
    )
    top = models.PositiveSmallIntegerField(_("candidates kept per search"), default=10)
    is_active = models.BooleanField(default=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(_("created"), auto_now_add=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        verbose_name = _("analysis settings")
        verbose_name_plural = _("analysis settings")

    def __str__(self) -> str:
        return self.frequency_name or str(self.pk)


class ComparisonRun(models.Model):
    class Kind(models.TextChoices):
        NEW_PROFILES = "new", _("New profiles")
        FULL = "full", _("All comparisons")

    class Status(models.TextChoices):
        QUEUED = "queued", _("Queued")
        RUNNING = "running", _("Running")
        DONE = "done", _("Finished")
        FAILED = "failed", _("Failed")

    kind = models.CharField(_("kind"), max_length=8, choices=Kind.choices)
    analysis = models.ForeignKey(AnalysisSettings, on_delete=models.PROTECT, related_name="runs")
    specimen_ids = models.JSONField(default=list, blank=True)
    status = models.CharField(_("status"), max_length=8, choices=Status.choices, default=Status.QUEUED)
    total = models.PositiveIntegerField(default=0)
    done = models.PositiveIntegerField(default=0)
    candidates = models.PositiveIntegerField(_("candidates"), default=0)
    error = models.CharField(max_length=200, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(_("created"), auto_now_add=True)
    started_at = models.DateTimeField(null=True, blank=True)
    finished_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        verbose_name = _("comparison run")
        verbose_name_plural = _("comparison runs")

    def __str__(self) -> str:
        return f"run {self.pk}"

    @property
    def percent(self) -> int:
        if self.status == self.Status.DONE:
            return 100
        return int(100 * self.done / self.total) if self.total else 0


class FamilyPedigree(models.Model):
    """A family reference registered as a pedigree (issue 12): the missing child's place in the family and
    the typed relatives, who are family-side specimens (by specimen number, never names). Searched against
    the found side like a couple; see `comparison.compare_pedigrees`."""

    missing_member = models.CharField(_("missing person's member id"), max_length=32)
    anchor_specimen = models.ForeignKey(
        Specimen, verbose_name=_("first typed member"), on_delete=models.CASCADE, related_name="+"
    )
    note = models.CharField(_("note"), max_length=200, blank=True)
    # Why the last comparison could not search this pedigree (coded problems, rendered in the user's
    # language by `pedigree_messages.problem_text`); empty and null once a search succeeds.
    search_problems = models.JSONField(default=list, blank=True, editable=False)
    search_skipped_at = models.DateTimeField(_("not searched since"), null=True, blank=True, editable=False)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(_("created"), auto_now_add=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        verbose_name = _("family pedigree")
        verbose_name_plural = _("family pedigrees")

    def __str__(self) -> str:
        return f"pedigree {self.pk}"

    @property
    def search_problem_texts(self) -> list[str]:
        """The problems that kept the last comparison from searching this pedigree, translated."""
        from .pedigree_messages import problem_text

        return [problem_text(problem) for problem in self.search_problems]


class PedigreeMember(models.Model):
    """One member of a registered pedigree; typed when it names a family-side specimen."""

    class Sex(models.TextChoices):
        MALE = "M", _("Male")
        FEMALE = "F", _("Female")

    pedigree = models.ForeignKey(FamilyPedigree, on_delete=models.CASCADE, related_name="members")
    member_id = models.CharField(_("member id"), max_length=32)
    father = models.CharField(_("father"), max_length=32, blank=True)
    mother = models.CharField(_("mother"), max_length=32, blank=True)
    sex = models.CharField(_("sex"), max_length=1, choices=Sex.choices)
    specimen = models.ForeignKey(
        Specimen, null=True, blank=True, on_delete=models.CASCADE, related_name="pedigree_memberships"
    )

    class Meta:
        ordering = ["pedigree", "id"]
        constraints = [
            models.UniqueConstraint(fields=["pedigree", "member_id"], name="dna_pedigree_member_unique")
        ]
        verbose_name = _("pedigree member")
        verbose_name_plural = _("pedigree members")

    def __str__(self) -> str:
        return f"{self.pedigree_id}:{self.member_id}"


class Candidate(models.Model):
    """A comparison of a family-side specimen (a parent, the mother of a couple, or a relative) with a
    found-side specimen. Matches (combined index at or above the threshold) go to the review queue."""

    class Kind(models.TextChoices):
        MATCH = "match", _("Match")
        LEAD = "lead", _("Lead")
        EXCLUDED = "excluded", _("Excluded")

    class Status(models.TextChoices):
        NEW = "new", _("Awaiting first review")
        FIRST_REVIEWED = "first_reviewed", _("Awaiting second review")
        CONFIRMED = "confirmed", _("Confirmed")
        REJECTED = "rejected", _("Rejected")
        RETEST = "retest", _("More loci needed")

    pair_key = models.CharField(max_length=64, unique=True, editable=False)
    family_specimen = models.ForeignKey(Specimen, on_delete=models.CASCADE, related_name="+")
    partner_specimen = models.ForeignKey(Specimen, null=True, on_delete=models.CASCADE, related_name="+")
    found_specimen = models.ForeignKey(Specimen, on_delete=models.CASCADE, related_name="+")
    pedigree = models.ForeignKey(
        FamilyPedigree, null=True, blank=True, on_delete=models.CASCADE, related_name="candidates"
    )
    relationship = models.CharField(_("hypothesis"), max_length=16)
    total_lr = models.FloatField(_("combined index"))
    log10_lr = models.FloatField(null=True)
    loci = models.JSONField(default=list)
    inconsistent_loci = models.JSONField(default=list)
    conclusion = models.CharField(_("conclusion"), max_length=32)
    kind = models.CharField(_("kind"), max_length=8, choices=Kind.choices)
    status = models.CharField(_("status"), max_length=16, choices=Status.choices, default=Status.NEW)
    analysis = models.ForeignKey(AnalysisSettings, on_delete=models.PROTECT, related_name="+")
    created_at = models.DateTimeField(_("found"), auto_now_add=True)
    updated_at = models.DateTimeField(_("updated"), auto_now=True)
    decided_at = models.DateTimeField(_("decided"), null=True, blank=True)

    class Meta:
        ordering = ["-total_lr", "id"]
        verbose_name = _("candidate")
        verbose_name_plural = _("candidates")

    def __str__(self) -> str:
        return self.pair_key

    @staticmethod
    def key_for(family_id: int, partner_id: int | None, found_id: int) -> str:
        return f"{family_id}:{partner_id or 0}:{found_id}"

    @staticmethod
    def pedigree_key_for(pedigree_id: int, found_id: int) -> str:
        return f"pedigree{pedigree_id}:{found_id}"

    @property
    def is_open(self) -> bool:
        return self.status in (self.Status.NEW, self.Status.FIRST_REVIEWED)


class Review(models.Model):
    class Outcome(models.TextChoices):
        CONFIRMED = "confirmed", _("Confirm")
        REJECTED = "rejected", _("Reject")
        RETEST = "retest", _("More loci needed (re-test)")

    candidate = models.ForeignKey(Candidate, on_delete=models.CASCADE, related_name="reviews")
    reviewer = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    stage = models.PositiveSmallIntegerField(_("stage"))
    outcome = models.CharField(_("outcome"), max_length=16, choices=Outcome.choices)
    note = models.CharField(_("note"), max_length=500, blank=True)
    created_at = models.DateTimeField(_("reviewed"), auto_now_add=True)

    class Meta:
        ordering = ["created_at", "id"]
        verbose_name = _("review")
        verbose_name_plural = _("reviews")

    def __str__(self) -> str:
        return f"{self.candidate_id}:{self.stage}:{self.outcome}"


class Reunion(models.Model):
    """What the case officers see of a confirmed match: the persons, the missing-person report and the
    reunion. The persons are shown only after an explicit, audited reveal."""

    class Status(models.TextChoices):
        CONFIRMED = "confirmed", _("Match confirmed")
        REUNITED = "reunited", _("Family reunited")

    candidate = models.OneToOneField(Candidate, on_delete=models.PROTECT, related_name="reunion")
    found_person = models.ForeignKey(Person, on_delete=models.PROTECT, related_name="+")
    family_person = models.ForeignKey(Person, on_delete=models.PROTECT, related_name="+")
    partner_person = models.ForeignKey(Person, null=True, on_delete=models.PROTECT, related_name="+")
    missing_person = models.ForeignKey(Person, null=True, on_delete=models.PROTECT, related_name="+")
    missing_report_ref = EncryptedTextField(_("missing-person report"), blank=True)
    # The platform's report, when the reference or the missing person leads to one.
    missing_report = models.ForeignKey(
        "missing.MissingReport",
        verbose_name=_("missing-person report"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="dna_reunions",
    )
    family_unit = models.ForeignKey(Unit, on_delete=models.PROTECT, related_name="+")
    found_unit = models.ForeignKey(Unit, on_delete=models.PROTECT, related_name="+")
    family_county = models.ForeignKey(Region, null=True, on_delete=models.PROTECT, related_name="+")
    found_county = models.ForeignKey(Region, null=True, on_delete=models.PROTECT, related_name="+")
    status = models.CharField(_("status"), max_length=16, choices=Status.choices, default=Status.CONFIRMED)
    reunited_on = models.DateField(_("reunited on"), null=True, blank=True)
    note = EncryptedTextField(_("note"), blank=True)
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(_("confirmed"), auto_now_add=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        verbose_name = _("reunion")
        verbose_name_plural = _("reunions")

    def __str__(self) -> str:
        return f"reunion {self.pk}"


class SamplingRequest(models.Model):
    """A request to take a blood sample, made elsewhere (e.g. the screening of a child of unknown origin);
    it sits in the collecting unit's queue until a specimen is collected."""

    class Status(models.TextChoices):
        OPEN = "open", _("Open")
        COLLECTED = "collected", _("Collected")
        CANCELLED = "cancelled", _("Cancelled")

    person = models.ForeignKey(Person, verbose_name=_("person"), on_delete=models.PROTECT, related_name="+")
    category = models.CharField(_("category"), max_length=16, choices=Category.choices)
    reason = EncryptedTextField(_("reason"), blank=True)
    requesting_unit = models.ForeignKey(
        Unit, verbose_name=_("requested by"), on_delete=models.PROTECT, related_name="+"
    )
    collecting_unit = models.ForeignKey(
        Unit, verbose_name=_("collecting unit"), on_delete=models.PROTECT, related_name="+"
    )
    status = models.CharField(_("status"), max_length=16, choices=Status.choices, default=Status.OPEN)
    specimen = models.ForeignKey(Specimen, null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(_("requested"), auto_now_add=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        verbose_name = _("sampling request")
        verbose_name_plural = _("sampling requests")

    def __str__(self) -> str:
        return f"sampling request {self.pk}"
