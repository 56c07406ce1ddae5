import secrets

from django.conf import settings
from django.db import models
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from fanguai.cases.models import Case
from fanguai.core.crypto import EncryptedTextField
from fanguai.org.models import Region, Unit
from fanguai.people.models import Person

ALPHABET = "0123456789ABCDEFGHJKLMNPQRSTUVWXYZ"


def _random_number(prefix: str, length: int = 9) -> str:
    return prefix + "".join(secrets.choice(ALPHABET) for _ in range(length))


def new_report_number() -> str:
    return _random_number("M")


def new_alert_code() -> str:
    return _random_number("A", 10)


def new_unidentified_number() -> str:
    return _random_number("U")


class SearchStep(models.Model):
    """One step of the rapid-search checklist (儿童失踪快速查找机制), configurable by the joint conference
    office: each new report gets a timed task for every active step."""

    code = models.SlugField(_("code"), max_length=32, unique=True)
    name = models.CharField(_("step"), max_length=100)
    target_minutes = models.PositiveIntegerField(_("target (minutes after the report)"))
    order = models.PositiveSmallIntegerField(_("order"), default=0)
    is_active = models.BooleanField(_("active"), default=True)
    is_alert_step = models.BooleanField(
        _("met by publishing the alert"),
        default=False,
        help_text=_("Ticked automatically when an alert is published."),
    )

    class Meta:
        ordering = ["order", "target_minutes", "id"]
        verbose_name = _("rapid-search step")
        verbose_name_plural = _("rapid-search steps")

    def __str__(self) -> str:
        return self.name


class MissingReport(models.Model):
    """A report of a missing child or woman, filed at once (no waiting period)."""

    class Category(models.TextChoices):
        CHILD = "child", _("Child")
        WOMAN = "woman", _("Woman")
        OTHER = "other", _("Other")

    class Status(models.TextChoices):
        OPEN = "open", _("Searching")
        CLOSED = "closed", _("Closed")

    class Outcome(models.TextChoices):
        FOUND_SAFE = "found_safe", _("Found safe")
        FOUND_DEAD = "found_dead", _("Found dead")
        TRAFFICKED = "trafficked", _("Trafficked (case opened)")
        RAN_AWAY = "ran_away", _("Ran away, returned")
        FALSE_REPORT = "false_report", _("False report")

    number = models.CharField(
        _("report number"), max_length=16, unique=True, default=new_report_number, editable=False
    )
    person = models.ForeignKey(
        Person, verbose_name=_("missing person"), on_delete=models.PROTECT, related_name="+"
    )
    category = models.CharField(_("category"), max_length=8, choices=Category.choices, default=Category.CHILD)
    description = EncryptedTextField(_("description (appearance, clothing)"), blank=True)
    last_seen_at = models.DateTimeField(_("last seen"))
    last_seen_place = models.CharField(_("place last seen"), max_length=200)
    region = models.ForeignKey(
        Region,
        verbose_name=_("township or county"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    county = models.ForeignKey(
        Region,
        verbose_name=_("county"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
        editable=False,
    )
    latitude = models.DecimalField(_("latitude"), max_digits=9, decimal_places=6, null=True, blank=True)
    longitude = models.DecimalField(_("longitude"), max_digits=9, decimal_places=6, null=True, blank=True)
    reporter = models.ForeignKey(
        # 报案人 (who reports a disappearance), not 举报人 (who reports a clue): a msgid of its own
        Person,
        verbose_name=_("person reporting the disappearance"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    reporter_relation = models.CharField(_("reporter's relation"), max_length=32, blank=True)
    owner_unit = models.ForeignKey(
        Unit, verbose_name=_("handling unit"), on_delete=models.PROTECT, related_name="+"
    )
    status = models.CharField(_("status"), max_length=8, choices=Status.choices, default=Status.OPEN)
    outcome = models.CharField(_("outcome"), max_length=16, choices=Outcome.choices, blank=True)
    outcome_at = models.DateTimeField(_("outcome recorded"), null=True, blank=True)
    outcome_notes = EncryptedTextField(_("outcome notes"), blank=True)
    case = models.ForeignKey(
        Case, verbose_name=_("case"), null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("filed by"),
        null=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    created_at = models.DateTimeField(_("filed"), default=timezone.now)

    class Meta:
        ordering = ["-created_at", "-id"]
        verbose_name = _("missing-person report")
        verbose_name_plural = _("missing-person reports")
        indexes = [
            models.Index(fields=["-created_at", "-id"], name="missing_created_idx"),
            models.Index(fields=["status", "-created_at"], name="missing_status_idx"),
            models.Index(fields=["county", "status"], name="missing_county_status_idx"),
            models.Index(fields=["owner_unit", "status"], name="missing_unit_status_idx"),
        ]

    def __str__(self) -> str:
        return self.number

    def get_absolute_url(self) -> str:
        return reverse("missing:report_detail", args=[self.pk])

    @property
    def is_open(self) -> bool:
        return self.status == self.Status.OPEN


class SearchTask(models.Model):
    """One step of the checklist for one report, with its due time (a deadline of the shared mechanism)."""

    report = models.ForeignKey(
        MissingReport, verbose_name=_("report"), on_delete=models.CASCADE, related_name="tasks"
    )
    step = models.ForeignKey(SearchStep, verbose_name=_("step"), on_delete=models.PROTECT, related_name="+")
    due_at = models.DateTimeField(_("due"))
    done_at = models.DateTimeField(_("done"), null=True, blank=True)
    done_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("done by"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    notes = models.CharField(_("notes"), max_length=300, blank=True)

    class Meta:
        ordering = ["due_at", "id"]
        verbose_name = _("rapid-search task")
        verbose_name_plural = _("rapid-search tasks")
        constraints = [models.UniqueConstraint(fields=["report", "step"], name="search_task_unique")]

    def __str__(self) -> str:
        return f"{self.report} · {self.step}"

    def get_absolute_url(self) -> str:
        return self.report.get_absolute_url()

    @property
    def is_late(self) -> bool:
        if self.done_at is None:
            return self.due_at <= timezone.now()
        return self.done_at > self.due_at


class Alert(models.Model):
    """A public alert published from a report. Its public fields are copies made at publication, so the
    report's staff fields never reach the public; they are wiped when the alert is cleared."""

    class Status(models.TextChoices):
        PENDING = "pending", _("Awaiting approval")
        ACTIVE = "active", _("Active")
        FOUND = "found", _("Found")
        WITHDRAWN = "withdrawn", _("Withdrawn")
        REJECTED = "rejected", _("Rejected")

    code = models.CharField(
        _("alert code"), max_length=16, unique=True, default=new_alert_code, editable=False
    )
    report = models.ForeignKey(
        MissingReport, verbose_name=_("report"), on_delete=models.PROTECT, related_name="alerts"
    )
    status = models.CharField(_("status"), max_length=16, choices=Status.choices, default=Status.PENDING)
    display_name = models.CharField(_("name shown to the public"), max_length=64, blank=True)
    sex = models.CharField(_("sex"), max_length=8, choices=Person.Sex.choices, blank=True)
    age_text = models.CharField(_("age"), max_length=32, blank=True)
    description = models.TextField(_("public description (Chinese)"), blank=True)
    description_en = models.TextField(_("public description (English)"), blank=True)
    last_seen_place = models.CharField(_("place last seen"), max_length=200, blank=True)
    missing_since = models.DateTimeField(_("missing since"))
    latitude = models.DecimalField(_("latitude"), max_digits=9, decimal_places=6)
    longitude = models.DecimalField(_("longitude"), max_digits=9, decimal_places=6)
    police_phone = models.CharField(_("police phone"), max_length=32, blank=True)
    photo_jpeg = models.BinaryField(_("public photo"), null=True, blank=True, editable=False)
    radius_km = models.PositiveIntegerField(_("radius (km)"), default=0)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("requested by"),
        null=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    created_at = models.DateTimeField(_("requested"), auto_now_add=True)
    approved_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("approved by"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    published_at = models.DateTimeField(_("published"), null=True, blank=True)
    cleared_at = models.DateTimeField(_("cleared"), null=True, blank=True)

    class Meta:
        ordering = ["-published_at", "-created_at", "-id"]
        verbose_name = _("alert")
        verbose_name_plural = _("alerts")

    def __str__(self) -> str:
        return self.code

    def get_absolute_url(self) -> str:
        return reverse("missing:alert_detail", args=[self.pk])

    def get_public_url(self) -> str:
        return reverse("public_alerts:detail", args=[self.code])

    @property
    def is_active(self) -> bool:
        return self.status == self.Status.ACTIVE

    @property
    def is_cleared(self) -> bool:
        return self.status in (self.Status.FOUND, self.Status.WITHDRAWN)

    @property
    def has_photo(self) -> bool:
        return bool(self.photo_jpeg)


class CapMessage(models.Model):
    """One CAP 1.2 message issued for an alert: the first Alert, each Update (widening, found) and a Cancel.
    The XML is kept as sent; when the alert is cleared, the earlier messages' personal details are removed."""

    class MsgType(models.TextChoices):
        ALERT = "Alert", _("First alert")
        UPDATE = "Update", _("Alert update")
        CANCEL = "Cancel", _("Alert cancellation")

    class Reason(models.TextChoices):
        PUBLISH = "publish", _("Published")
        WIDEN = "widen", _("Radius widened")
        FOUND = "found", _("Found")
        WITHDRAW = "withdraw", _("Withdrawn")

    alert = models.ForeignKey(
        Alert, verbose_name=_("alert"), on_delete=models.CASCADE, related_name="messages"
    )
    identifier = models.CharField(_("identifier"), max_length=64, unique=True)
    msg_type = models.CharField(_("message type"), max_length=8, choices=MsgType.choices)
    reason = models.CharField(_("reason"), max_length=16, choices=Reason.choices)
    sent = models.DateTimeField(_("sent"))
    radius_km = models.PositiveIntegerField(_("radius (km)"), default=0)
    xml = models.TextField(_("CAP document"), blank=True)
    redacted = models.BooleanField(_("personal details removed"), default=False)

    class Meta:
        ordering = ["id"]
        verbose_name = _("CAP message")
        verbose_name_plural = _("CAP messages")

    def __str__(self) -> str:
        return self.identifier

    def get_public_url(self) -> str:
        return reverse("public_alerts:cap", args=[self.identifier])


class Subscriber(models.Model):
    """A person or organisation (taxi company, station, hospital, school, volunteer) told about alerts whose
    circle contains its location."""

    class Kind(models.TextChoices):
        TAXI = "taxi", _("Taxi company")
        STATION = "station", _("Station or port")
        HOSPITAL = "hospital", _("Hospital")
        SCHOOL = "school", _("School")
        VOLUNTEER = "volunteer", _("Volunteer")
        OTHER = "other", _("Other")

    class Channel(models.TextChoices):
        EMAIL = "email", _("E-mail")
        WEBHOOK = "webhook", _("Webhook")

    name = models.CharField(_("name"), max_length=100)
    kind = models.CharField(_("kind"), max_length=16, choices=Kind.choices)
    latitude = models.DecimalField(_("latitude"), max_digits=9, decimal_places=6)
    longitude = models.DecimalField(_("longitude"), max_digits=9, decimal_places=6)
    channel = models.CharField(_("channel"), max_length=8, choices=Channel.choices)
    email = EncryptedTextField(_("e-mail address"), blank=True)
    webhook_url = models.URLField(_("webhook address"), max_length=500, blank=True)
    webhook_secret = EncryptedTextField(_("signing secret"), blank=True)
    is_active = models.BooleanField(_("active"), default=True)
    confirmed_at = models.DateTimeField(
        _("address confirmed"),
        null=True,
        blank=True,
        help_text=_("Self-registered subscribers confirm by e-mail."),
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("registered by"),
        null=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    created_at = models.DateTimeField(_("registered"), auto_now_add=True)

    class Meta:
        ordering = ["name", "id"]
        verbose_name = _("subscriber")
        verbose_name_plural = _("subscribers")

    def __str__(self) -> str:
        return self.name


class Delivery(models.Model):
    """One CAP message sent to one subscriber, with retries; each try is a DeliveryAttempt row."""

    class Status(models.TextChoices):
        PENDING = "pending", _("Pending")
        DELIVERED = "delivered", _("Delivered")
        FAILED = "failed", _("Failed")

    message = models.ForeignKey(
        CapMessage, verbose_name=_("message"), on_delete=models.CASCADE, related_name="deliveries"
    )
    subscriber = models.ForeignKey(
        Subscriber, verbose_name=_("subscriber"), on_delete=models.CASCADE, related_name="deliveries"
    )
    status = models.CharField(_("status"), max_length=16, choices=Status.choices, default=Status.PENDING)
    attempts = models.PositiveSmallIntegerField(_("attempts"), default=0)
    next_attempt_at = models.DateTimeField(_("next attempt"), null=True, blank=True)
    delivered_at = models.DateTimeField(_("delivered"), null=True, blank=True)
    last_error = models.CharField(_("error"), max_length=500, blank=True)
    created_at = models.DateTimeField(_("created"), auto_now_add=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        verbose_name = _("alert delivery")
        verbose_name_plural = _("alert deliveries")
        constraints = [models.UniqueConstraint(fields=["message", "subscriber"], name="delivery_unique")]
        indexes = [models.Index(fields=["status", "next_attempt_at"], name="delivery_due_idx")]

    def __str__(self) -> str:
        return f"{self.message_id} → {self.subscriber_id} ({self.status})"


class DeliveryAttempt(models.Model):
    delivery = models.ForeignKey(
        Delivery, verbose_name=_("delivery"), on_delete=models.CASCADE, related_name="attempt_log"
    )
    attempted_at = models.DateTimeField(_("time"), auto_now_add=True)
    succeeded = models.BooleanField(_("succeeded"), default=False)
    status_code = models.PositiveSmallIntegerField(_("HTTP status"), null=True, blank=True)
    error = models.CharField(_("error"), max_length=500, blank=True)

    class Meta:
        ordering = ["attempted_at", "id"]
        verbose_name = _("delivery attempt")
        verbose_name_plural = _("delivery attempts")

    def __str__(self) -> str:
        return f"{self.delivery_id} @ {self.attempted_at:%Y-%m-%d %H:%M:%S}"


class MediaRelease(models.Model):
    """The publicity department's release of an alert to a news outlet."""

    class Medium(models.TextChoices):
        TV = "tv", _("Television")
        RADIO = "radio", _("Radio")
        NEWSPAPER = "newspaper", _("Newspaper")
        ONLINE = "online", _("News website")
        SOCIAL = "social", _("Social media")
        OTHER = "other", _("Other")

    alert = models.ForeignKey(
        Alert, verbose_name=_("alert"), on_delete=models.CASCADE, related_name="releases"
    )
    outlet = models.CharField(_("outlet"), max_length=100)
    medium = models.CharField(_("medium"), max_length=16, choices=Medium.choices)
    released_at = models.DateTimeField(_("released"))
    url = models.URLField(_("address"), max_length=500, blank=True)
    notes = models.CharField(_("notes"), max_length=300, blank=True)
    unit = models.ForeignKey(Unit, verbose_name=_("unit"), on_delete=models.PROTECT, related_name="+")
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("recorded by"),
        null=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    created_at = models.DateTimeField(_("recorded"), auto_now_add=True)

    class Meta:
        ordering = ["-released_at", "-id"]
        verbose_name = _("media release")
        verbose_name_plural = _("media releases")

    def __str__(self) -> str:
        return f"{self.alert} · {self.outlet}"


class UnidentifiedPerson(models.Model):
    """An unidentified living person or an unidentified body (未知名尸体)."""

    class Kind(models.TextChoices):
        LIVING = "living", _("Unidentified living person")
        BODY = "body", _("Unidentified body")

    class Status(models.TextChoices):
        OPEN = "open", _("Unidentified")
        IDENTIFIED = "identified", _("Identified")
        CLOSED = "closed", _("Closed")

    number = models.CharField(
        _("record number"), max_length=16, unique=True, default=new_unidentified_number, editable=False
    )
    person = models.ForeignKey(Person, verbose_name=_("person"), on_delete=models.PROTECT, related_name="+")
    kind = models.CharField(_("kind"), max_length=8, choices=Kind.choices)
    found_at = models.DateTimeField(_("found"))
    found_place = models.CharField(_("place found"), max_length=200)
    region = models.ForeignKey(
        Region,
        verbose_name=_("township or county"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    county = models.ForeignKey(
        Region,
        verbose_name=_("county"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
        editable=False,
    )
    latitude = models.DecimalField(_("latitude"), max_digits=9, decimal_places=6, null=True, blank=True)
    longitude = models.DecimalField(_("longitude"), max_digits=9, decimal_places=6, null=True, blank=True)
    estimated_age = models.CharField(_("estimated age"), max_length=32, blank=True)
    description = EncryptedTextField(_("description"), blank=True)
    status = models.CharField(_("status"), max_length=16, choices=Status.choices, default=Status.OPEN)
    owner_unit = models.ForeignKey(
        Unit, verbose_name=_("handling unit"), on_delete=models.PROTECT, related_name="+"
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("recorded by"),
        null=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    created_at = models.DateTimeField(_("recorded"), auto_now_add=True)

    class Meta:
        ordering = ["-found_at", "-id"]
        verbose_name = _("unidentified person")
        verbose_name_plural = _("unidentified persons")

    def __str__(self) -> str:
        return self.number

    def get_absolute_url(self) -> str:
        return reverse("missing:unidentified_detail", args=[self.pk])


class Screening(models.Model):
    """A screening record of a child of unknown origin (来历不明儿童摸排): irregular household registration,
    adoption, informal adoption (抱养) or adoption within the family (过继)."""

    class Reason(models.TextChoices):
        IRREGULAR_REGISTRATION = "registration", _("Irregular household registration")
        ADOPTION = "adoption", _("Adoption")
        INFORMAL_ADOPTION = "informal", _("Informal adoption (抱养)")
        FAMILY_ADOPTION = "family", _("Adoption within the family (过继)")
        OTHER = "other", _("Other unknown origin")

    class Result(models.TextChoices):
        PENDING = "pending", _("Being screened")
        CLEARED = "cleared", _("Origin confirmed")
        SAMPLE_NEEDED = "sample_needed", _("Blood sample needed")
        REFERRED = "referred", _("Referred to investigation")

    child = models.ForeignKey(Person, verbose_name=_("child"), on_delete=models.PROTECT, related_name="+")
    reason = models.CharField(_("reason"), max_length=16, choices=Reason.choices)
    screening_unit = models.ForeignKey(
        Unit, verbose_name=_("screening unit"), on_delete=models.PROTECT, related_name="+"
    )
    screened_on = models.DateField(_("screened on"))
    result = models.CharField(_("result"), max_length=16, choices=Result.choices, default=Result.PENDING)
    # The clue filed when the screening was referred to investigation (issue 14, item 3).
    clue = models.ForeignKey(
        "clues.Clue",
        verbose_name=_("clue"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        editable=False,
    )
    notes = EncryptedTextField(_("notes"), blank=True)
    county = models.ForeignKey(
        Region,
        verbose_name=_("county"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
        editable=False,
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("recorded by"),
        null=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    created_at = models.DateTimeField(_("recorded"), auto_now_add=True)

    class Meta:
        ordering = ["-screened_on", "-id"]
        verbose_name = _("screening record")
        verbose_name_plural = _("screening records")

    def __str__(self) -> str:
        return f"{self.child} · {self.get_reason_display()}"

    def get_absolute_url(self) -> str:
        return reverse("missing:screening_detail", args=[self.pk])


class BloodSampleRequest(models.Model):
    """The hand-over point to the DNA module: a request to take a blood sample from a person (a screened
    child, an unidentified person, a parent of a missing child). The DNA module lists the OPEN requests,
    collects the sample and calls services.hand_over_sample_request with its own specimen reference."""

    class Status(models.TextChoices):
        OPEN = "open", _("Open")
        HANDED_OVER = "handed_over", _("Taken over by the DNA laboratory")
        CANCELLED = "cancelled", _("Cancelled")

    class Donor(models.TextChoices):
        CHILD = "child", _("Child of unknown origin")
        UNIDENTIFIED = "unidentified", _("Unidentified person")
        PARENT = "parent", _("Parent of a missing child")

    person = models.ForeignKey(Person, verbose_name=_("donor"), on_delete=models.PROTECT, related_name="+")
    donor = models.CharField(_("donor category"), max_length=16, choices=Donor.choices)
    screening = models.ForeignKey(
        Screening,
        verbose_name=_("screening"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="sample_requests",
    )
    unidentified = models.ForeignKey(
        UnidentifiedPerson,
        verbose_name=_("unidentified person"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="sample_requests",
    )
    report = models.ForeignKey(
        MissingReport,
        verbose_name=_("missing-person report"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="sample_requests",
    )
    reason = models.CharField(_("reason"), max_length=300, blank=True)
    requesting_unit = models.ForeignKey(
        Unit, verbose_name=_("requested by"), on_delete=models.PROTECT, related_name="+"
    )
    status = models.CharField(_("status"), max_length=16, choices=Status.choices, default=Status.OPEN)
    dna_reference = models.CharField(_("DNA specimen reference"), max_length=64, blank=True)
    handed_over_at = models.DateTimeField(_("taken over"), null=True, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("requested by"),
        null=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    created_at = models.DateTimeField(_("requested"), auto_now_add=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        verbose_name = _("blood sample request")
        verbose_name_plural = _("blood sample requests")
        indexes = [models.Index(fields=["status", "created_at"], name="sample_request_status_idx")]

    def __str__(self) -> str:
        return f"{self.get_donor_display()} · {self.get_status_display()}"
