"""Clues (线索): reports of suspected trafficking from the public, hotlines and member units, their triage,
transfer to the responsible unit, acknowledgement, outcome, the conversation with the reporter and rewards.

Every step is a row (`ClueEvent`, `ClueTransfer`, `Reward`); the few current-state columns on `Clue`
(status, priority, responsible unit) are kept in step with the newest row by the services, so that lists can
filter on them, and are never the only record of what happened."""

import secrets

from django.conf import settings
from django.db import models
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from fanguai.core.crypto import EncryptedTextField
from fanguai.org.models import Region, Unit


def new_clue_number() -> str:
    """A random, non-sequential reference for staff; it reveals nothing about the count of clues."""
    return "C" + "".join(secrets.choice("0123456789ABCDEFGHJKLMNPQRSTUVWXYZ") for _ in range(9))


class Source(models.TextChoices):
    PUBLIC = "public", _("Public report (online form)")
    HOTLINE_110 = "hotline_110", _("110 police hotline")
    HOTLINE_12345 = "hotline_12345", _("12345 citizen hotline")
    HOTLINE_12355 = "hotline_12355", _("12355 youth hotline")
    ONLINE_PATROL = "online_patrol", _("Online patrol (cyberspace affairs)")
    BIRTH_RECORDS = "birth_records", _("Birth certificate or maternity identity anomaly (health)")
    AGENCY_CHECK = "agency_check", _("Agency inspection (market regulation, human resources)")
    ADOPTION = "adoption", _("Adoption irregularity (civil affairs)")
    SCHOOL = "school", _("School (education)")
    POLICE = "police", _("Police work")
    OTHER_UNIT = "other_unit", _("Other member unit")


class Category(models.TextChoices):
    TRAFFICKING = "trafficking", _("Suspected trafficking of women or children")
    MISSING_CHILD = "missing_child", _("Sighting of a missing child")
    SURROGACY = "surrogacy", _("Illegal surrogacy")
    ONLINE_ADOPTION = "online_adoption", _("Children offered for adoption online")
    AGENCY = "agency", _("Illegal job or marriage agency")
    OTHER = "other", _("Other")


class Priority(models.TextChoices):
    URGENT = "urgent", _("Urgent")
    HIGH = "high", _("High")
    NORMAL = "normal", _("Normal")
    LOW = "low", _("Low")


class Clue(models.Model):
    class Status(models.TextChoices):
        NEW = "new", _("New, awaiting triage")
        TRANSFERRED = "transferred", _("Transferred, awaiting acknowledgement")
        ACKNOWLEDGED = "acknowledged", _("Acknowledged, in progress")
        CLOSED = "closed", _("Closed")
        MERGED = "merged", _("Merged into another clue")

    number = models.CharField(
        _("number"), max_length=16, unique=True, default=new_clue_number, editable=False
    )
    source = models.CharField(_("source"), max_length=32, choices=Source.choices)
    category = models.CharField(_("category"), max_length=32, choices=Category.choices)
    priority = models.CharField(
        _("priority"), max_length=16, choices=Priority.choices, default=Priority.NORMAL
    )
    status = models.CharField(_("status"), max_length=16, choices=Status.choices, default=Status.NEW)
    # The text may name victims, suspects and minors: encrypted like every identity.
    description = EncryptedTextField(_("description"))
    place_detail = EncryptedTextField(_("place details"), blank=True)
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
    occurred_at = models.DateTimeField(_("when it happened"), null=True, blank=True)
    reporter = models.ForeignKey(
        "people.Person",
        verbose_name=_("reporter"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    received_by_unit = models.ForeignKey(
        Unit, verbose_name=_("received by"), on_delete=models.PROTECT, related_name="+"
    )
    responsible_unit = models.ForeignKey(
        Unit,
        verbose_name=_("responsible unit"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("recorded by"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    created_at = models.DateTimeField(_("received"), default=timezone.now, db_index=True)
    updated_at = models.DateTimeField(_("updated"), auto_now=True)
    merged_into = models.ForeignKey(
        "self",
        verbose_name=_("merged into"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="merged_from",
    )
    # The receipt code is never stored: its keyed hash (HMAC-SHA256 under the receipt key, see receipts.py)
    # is, indexed, so that a code is found with one query. Reports made before that keep a slow salted hash
    # and a 16-bit keyed bucket until their next successful check upgrades them.
    receipt_digest = models.CharField(max_length=64, blank=True, db_index=True, editable=False)
    receipt_lookup = models.CharField(max_length=8, blank=True, db_index=True, editable=False)
    receipt_hash = models.CharField(max_length=256, blank=True, editable=False)
    # A random key per filled-in form: a resubmitted form (double click, retry) is stored once.
    submission_key = models.CharField(max_length=64, null=True, blank=True, unique=True, editable=False)

    class Meta:
        ordering = ["-created_at", "-id"]
        verbose_name = _("clue")
        verbose_name_plural = _("clues")
        indexes = [
            models.Index(fields=["status", "county"], name="clue_status_county_idx"),
            # The triage queue and the home panel: the newest clues of a status first.
            models.Index(fields=["status", "-created_at", "-id"], name="clue_status_created_idx"),
            # A unit's queue by status, newest first (the home panel's first five without a sort).
            models.Index(
                fields=["responsible_unit", "status", "-created_at", "-id"], name="clue_unit_status_idx"
            ),
            # The version of the cached statistics (selectors.statistics): the latest change, from the index.
            models.Index(fields=["updated_at"], name="clue_updated_idx"),
        ]

    def __str__(self) -> str:
        return self.number

    def get_absolute_url(self) -> str:
        return reverse("clues:detail", args=[self.pk])

    @property
    def is_open(self) -> bool:
        return self.status not in (self.Status.CLOSED, self.Status.MERGED)


class ClueTransfer(models.Model):
    """A clue sent to the unit that must act on it, which acknowledges it before `due_at` (by priority)."""

    class Status(models.TextChoices):
        PENDING = "pending", _("Awaiting acknowledgement")
        ACKNOWLEDGED = "acknowledged", _("Acknowledged")
        WITHDRAWN = "withdrawn", _("Withdrawn")

    clue = models.ForeignKey(Clue, verbose_name=_("clue"), on_delete=models.CASCADE, related_name="transfers")
    from_unit = models.ForeignKey(
        Unit, verbose_name=_("from"), null=True, on_delete=models.PROTECT, related_name="+"
    )
    to_unit = models.ForeignKey(Unit, verbose_name=_("to"), on_delete=models.PROTECT, related_name="+")
    priority = models.CharField(_("priority"), max_length=16, choices=Priority.choices)
    status = models.CharField(_("status"), max_length=16, choices=Status.choices, default=Status.PENDING)
    transferred_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("transferred by"),
        null=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    transferred_at = models.DateTimeField(_("transferred"), default=timezone.now)
    due_at = models.DateTimeField(_("acknowledge by"))
    acknowledged_at = models.DateTimeField(_("acknowledged"), null=True, blank=True)
    acknowledged_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("acknowledged by"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )

    class Meta:
        ordering = ["-transferred_at", "-id"]
        verbose_name = _("clue transfer")
        verbose_name_plural = _("clue transfers")
        indexes = [models.Index(fields=["to_unit", "status"], name="clue_transfer_unit_idx")]

    def __str__(self) -> str:
        return f"{self.clue} → {self.to_unit}"

    def get_absolute_url(self) -> str:
        return reverse("clues:detail", args=[self.clue_id])

    @property
    def on_time(self) -> bool | None:
        if self.acknowledged_at is None:
            return None if self.due_at > timezone.now() else False
        return self.acknowledged_at <= self.due_at

    @property
    def hours_to_acknowledge(self) -> float | None:
        if self.acknowledged_at is None:
            return None
        return (self.acknowledged_at - self.transferred_at).total_seconds() / 3600


class Outcome(models.TextChoices):
    CONFIRMED = "confirmed", _("Confirmed: case filed or persons found")
    IN_PROGRESS = "in_progress", _("Verification in progress")
    NOT_CONFIRMED = "not_confirmed", _("Not confirmed")
    REFERRED = "referred", _("Handed to another authority")
    OTHER = "other", _("Other")


class ClueEvent(models.Model):
    """One step in a clue's timeline. Never edited: a correction is a further step."""

    class Kind(models.TextChoices):
        RECEIVED = "received", _("Received")
        TRIAGED = "triaged", _("Triaged")
        TRANSFERRED = "transferred", _("Transferred")
        WITHDRAWN = "withdrawn", _("Transfer withdrawn")
        ACKNOWLEDGED = "acknowledged", _("Acknowledged")
        ESCALATED = "escalated", _("Acknowledgement late, escalated to the office")
        OUTCOME = "outcome", _("Outcome reported")
        QUESTION = "question", _("Question to the reporter")
        FEEDBACK = "feedback", _("Message to the reporter")
        REPORTER_MESSAGE = "reporter_message", _("Message from the reporter")
        NOTE = "note", _("Internal note")
        ATTACHMENT = "attachment", _("File attached")
        MERGED = "merged", _("Merged")
        LINKED = "linked", _("Linked")
        CLOSED = "closed", _("Closed")
        REOPENED = "reopened", _("Reopened")
        REWARD = "reward", _("Reward")

    clue = models.ForeignKey(Clue, verbose_name=_("clue"), on_delete=models.CASCADE, related_name="events")
    kind = models.CharField(_("step"), max_length=32, choices=Kind.choices)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("by"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    unit = models.ForeignKey(
        Unit, verbose_name=_("unit"), null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    to_unit = models.ForeignKey(
        Unit, verbose_name=_("to"), null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    transfer = models.ForeignKey(
        ClueTransfer,
        verbose_name=_("transfer"),
        null=True,
        blank=True,
        on_delete=models.CASCADE,
        related_name="+",
    )
    priority = models.CharField(_("priority"), max_length=16, choices=Priority.choices, blank=True)
    outcome = models.CharField(_("outcome"), max_length=16, choices=Outcome.choices, blank=True)
    message = EncryptedTextField(_("message"), blank=True)
    visible_to_reporter = models.BooleanField(_("shown to the reporter"), default=False)
    created_at = models.DateTimeField(_("time"), default=timezone.now)

    class Meta:
        ordering = ["created_at", "id"]
        verbose_name = _("clue event")
        verbose_name_plural = _("clue events")

    def __str__(self) -> str:
        return f"{self.clue} · {self.get_kind_display()}"

    @property
    def from_reporter(self) -> bool:
        return self.kind == self.Kind.REPORTER_MESSAGE


class Reward(models.Model):
    """A reward decision (举报奖励): proposed by the office, approved or refused by another member of the
    office, claimed by the reporter (an anonymous one with the receipt code), paid."""

    class Status(models.TextChoices):
        PROPOSED = "proposed", _("Proposed")
        APPROVED = "approved", _("Approved")
        REFUSED = "refused", _("Refused")
        PAID = "paid", _("Paid")

    clue = models.ForeignKey(Clue, verbose_name=_("clue"), on_delete=models.PROTECT, related_name="rewards")
    amount = models.DecimalField(_("amount (yuan)"), max_digits=10, decimal_places=2)
    reason = models.TextField(_("reason"))
    status = models.CharField(_("status"), max_length=16, choices=Status.choices, default=Status.PROPOSED)
    proposed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("proposed by"),
        null=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    proposed_at = models.DateTimeField(_("proposed"), default=timezone.now)
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("decided by"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    decided_at = models.DateTimeField(_("decided"), null=True, blank=True)
    decision_note = models.TextField(_("decision note"), blank=True)
    claimed_at = models.DateTimeField(_("claimed"), null=True, blank=True)
    # How the reporter wants to be paid (name, phone, account): personal data, encrypted.
    claim_details = EncryptedTextField(_("payment details given by the reporter"), blank=True)
    paid_at = models.DateTimeField(_("paid"), null=True, blank=True)
    paid_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("paid by"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    payment_reference = models.CharField(_("payment reference"), max_length=64, blank=True)

    class Meta:
        ordering = ["-proposed_at", "-id"]
        verbose_name = _("reward")
        verbose_name_plural = _("rewards")

    def __str__(self) -> str:
        return f"{self.clue} · {self.amount}"


class AbuseCounter(models.Model):
    """A counter per (purpose, hashed client address, time window) for the public pages' rate limits. In the
    database rather than the cache, so that every web worker counts the same. Addresses are stored only as
    keyed digests."""

    key = models.CharField(max_length=96)
    window_start = models.DateTimeField()
    count = models.PositiveIntegerField(default=0)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["key", "window_start"], name="clue_abuse_counter_unique")
        ]
        indexes = [models.Index(fields=["window_start"], name="clue_abuse_window_idx")]

    def __str__(self) -> str:
        return f"{self.key} {self.window_start:%Y-%m-%d %H:%M} {self.count}"
