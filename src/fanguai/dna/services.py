"""Every write on the DNA database. Each runs in one transaction and writes its audit event; events name
specimens and rows by id, never a genotype, a name or another identity."""

import csv
import hashlib
import io
import json
from dataclasses import dataclass, field
from datetime import date, timedelta
from functools import partial

from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from fanguai.accounts.roles import Role
from fanguai.audit.services import record_event
from fanguai.core.crypto import blind_index
from fanguai.core.errors import RowError, ValidationFailed
from fanguai.core.policies import policy_for
from fanguai.deadlines.services import cancel_deadline, create_deadline, meet_deadline
from fanguai.kinship import (
    KITS,
    ProfileError,
    ProfileFormatError,
    decode_profile_bytes,
    parse_frequencies,
    parse_profiles,
)
from fanguai.kinship.frequencies import FrequencyFormatError
from fanguai.notifications.services import notify
from fanguai.people.models import Person

from . import comparison
from .labels import kit_label
from .models import (
    FAMILY_SIDE,
    AnalysisSettings,
    Candidate,
    Category,
    ComparisonRun,
    CustodyEvent,
    ImportBatch,
    Profile,
    Reunion,
    Review,
    SamplingRequest,
    Specimen,
    SpecimenLink,
)
from .pedigree_messages import error_texts

SAMPLING_DEADLINE = "dna.sampling"
SAMPLING_WITHIN = timedelta(days=7)
OTHER_KIT = "other"
KIT_CHOICES = [*sorted(KITS), OTHER_KIT]


def person_index(person_id: int) -> str:
    return blind_index(f"dna-person:{person_id}")


def _deny_unless(allowed: bool) -> None:
    if not allowed:
        raise PermissionDenied


# --- Samples -------------------------------------------------------------------------------------------


@transaction.atomic
def request_sampling(
    *, actor, person: Person, category: str, collecting_unit, reason: str = ""
) -> SamplingRequest:
    """Ask a collecting unit to take a sample (e.g. after screening a child of unknown origin)."""
    _deny_unless(policy_for(SamplingRequest).can(actor, "create"))
    _deny_unless(policy_for(Person).can_view(actor, person))
    request = SamplingRequest.objects.create(
        person=person,
        category=category,
        reason=reason,
        requesting_unit=actor.unit,
        collecting_unit=collecting_unit,
        created_by=actor,
    )
    create_deadline(
        target=request,
        kind=SAMPLING_DEADLINE,
        due_at=timezone.now() + SAMPLING_WITHIN,
        responsible_unit=collecting_unit,
        warn_before=timedelta(days=2),
        actor=actor,
    )
    record_event(
        "dna.sampling.request",
        actor=actor,
        object_type="dna.samplingrequest",
        object_id=request.pk,
        details={"category": category, "collecting_unit": collecting_unit.code},
    )
    return request


def cancel_sampling_requests(*, actor, person: Person, reason: str, categories=None) -> list[SamplingRequest]:
    """The sample is no longer needed (the person was identified otherwise, the report or the assistance
    case was closed): the person's open requests are cancelled and their deadlines withdrawn. Called inside
    the transaction of the other module's service, which has checked who may close its record."""
    rows = SamplingRequest.objects.select_for_update().filter(
        person=person, status=SamplingRequest.Status.OPEN
    )
    if categories is not None:
        rows = rows.filter(category__in=list(categories))
    cancelled = []
    for request in rows:
        request.status = SamplingRequest.Status.CANCELLED
        request.save(update_fields=["status"])
        cancel_deadline(target=request, kind=SAMPLING_DEADLINE, actor=actor)
        record_event(
            "dna.sampling.cancel",
            actor=actor,
            object_type="dna.samplingrequest",
            object_id=request.pk,
            changed_fields=["status"],
            details={"reason": reason},
        )
        cancelled.append(request)
    return cancelled


def _age_on(person: Person, day: date) -> int | None:
    if person.birth_date is None:
        return None
    born = person.birth_date
    return day.year - born.year - ((day.month, day.day) < (born.month, born.day))


@transaction.atomic
def collect_sample(
    *,
    actor,
    person: Person,
    category: str,
    collected_on: date,
    legal_basis: str,
    place: str = "",
    collector: str = "",
    consent_given_by: str = "",
    consent_date: date | None = None,
    missing_report_ref: str = "",
    missing_person: Person | None = None,
    relation: str = "",
    partner: Specimen | None = None,
    request: SamplingRequest | None = None,
) -> Specimen:
    """Record a collected blood sample: a specimen with a random number, its link to the person (own table,
    encrypted), and the first custody event. The purpose is fixed to anti-trafficking."""
    _deny_unless(policy_for(Specimen).can(actor, "collect"))
    _deny_unless(policy_for(Person).can_view(actor, person))
    errors = []
    if category not in Category.values:
        errors.append(RowError(0, "category", _("Unknown category.")))
    if legal_basis in (SpecimenLink.LegalBasis.CONSENT, SpecimenLink.LegalBasis.GUARDIAN_CONSENT):
        if not consent_given_by or consent_date is None:
            errors.append(
                RowError(0, "consent_given_by", _("A consent record needs who consented and when."))
            )
        age = _age_on(person, collected_on)
        if legal_basis == SpecimenLink.LegalBasis.CONSENT and age is not None and age < 14:
            errors.append(RowError(0, "legal_basis", _("A donor under 14 needs the consent of a guardian.")))
    if category == Category.RELATIVE and not relation:
        errors.append(RowError(0, "relation", _("Say how the relative is related to the missing child.")))
    if partner is not None and (partner.category != Category.PARENT or category != Category.PARENT):
        errors.append(RowError(0, "partner", _("Only two parents can be registered together.")))
    if partner is not None and partner.partner_id is not None:
        errors.append(RowError(0, "partner", _("That parent is already registered with a partner.")))
    if errors:
        raise ValidationFailed(errors)
    county = person.county or actor.unit.county
    specimen = Specimen.objects.create(
        category=category,
        relation=relation if category == Category.RELATIVE else "",
        sex=person.sex if person.sex in Specimen.Sex.values else Specimen.Sex.UNKNOWN,
        collecting_unit=actor.unit,
        county=county,
        collected_on=collected_on,
    )
    SpecimenLink.objects.create(
        specimen=specimen,
        person_ref=str(person.pk),
        person_index=person_index(person.pk),
        missing_person_ref=str(missing_person.pk) if missing_person else "",
        missing_report_ref=missing_report_ref,
        place=place,
        collector=collector,
        legal_basis=legal_basis,
        consent_given_by=consent_given_by,
        consent_date=consent_date,
        collecting_unit=actor.unit,
        county=county,
        created_by=actor,
    )
    if partner is not None:
        Specimen.objects.filter(pk=specimen.pk).update(partner=partner)
        Specimen.objects.filter(pk=partner.pk).update(partner=specimen)
        specimen.partner = partner
    CustodyEvent.objects.create(
        specimen=specimen, kind=CustodyEvent.Kind.COLLECTED, unit=actor.unit, actor=actor
    )
    if request is not None:
        SamplingRequest.objects.filter(pk=request.pk).update(
            status=SamplingRequest.Status.COLLECTED, specimen=specimen
        )
        meet_deadline(target=request, kind=SAMPLING_DEADLINE, actor=actor)
    _sample_registered(actor, specimen, person, missing_report_ref, missing_person)
    record_event(
        "dna.specimen.collect",
        actor=actor,
        object_type="dna.specimen",
        object_id=specimen.pk,
        changed_fields=["category", "legal_basis", "collected_on"],
        details={
            "category": category,
            "legal_basis": legal_basis,
            "request": request.pk if request else None,
        },
    )
    return specimen


def _sample_registered(actor, specimen: Specimen, person: Person, report_ref: str, missing_person) -> None:
    """What a registered sample settles in the modules that asked for it, in the same transaction: the
    person's open requests of the missing-person module and of assistance are taken over with the specimen
    number; a parent's sample meets the step 采集失踪儿童父母血样 of the reports on the missing child."""
    from fanguai.assistance.models import DnaSamplingRequest
    from fanguai.assistance.services import record_dna_sampled
    from fanguai.missing import services as missing_services

    missing_services.close_sample_requests(actor=actor, person=person, dna_reference=specimen.number)
    for request in DnaSamplingRequest.objects.filter(
        person=person, status=DnaSamplingRequest.Status.REQUESTED
    ):
        record_dna_sampled(actor=actor, request=request, specimen_number=specimen.number)
    if specimen.category == Category.PARENT:
        reports = missing_services.reports_of_parent(
            person,
            report_number=report_ref,
            missing_person_id=missing_person.pk if missing_person else None,
        )
        for report in reports:
            missing_services.meet_parent_sample_step(actor=actor, report=report, specimen_id=specimen.pk)


LAB_EVENTS = (CustodyEvent.Kind.RECEIVED, CustodyEvent.Kind.STORED, CustodyEvent.Kind.DESTROYED)
CASE_EVENTS = (CustodyEvent.Kind.SENT,)


@transaction.atomic
def record_custody(*, actor, specimen: Specimen, kind: str, note: str = "") -> CustodyEvent:
    """A step of the chain of custody: the collecting unit sends, the laboratory receives, stores, destroys."""
    policy = policy_for(Specimen)
    if kind in CASE_EVENTS:
        _deny_unless(policy.can(actor, "send", specimen))
    elif kind in LAB_EVENTS:
        _deny_unless(policy.can(actor, "handle_in_lab", specimen))
    else:
        raise PermissionDenied
    specimen = Specimen.objects.select_for_update().get(pk=specimen.pk)
    event = CustodyEvent.objects.create(
        specimen=specimen, kind=kind, unit=actor.unit, actor=actor, note=note[:200]
    )
    if not (
        kind == CustodyEvent.Kind.RECEIVED
        and specimen.status in (Specimen.Status.TYPED, Specimen.Status.STORED)
    ):
        specimen.status = kind
        specimen.save(update_fields=["status"])
    record_event(
        "dna.custody", actor=actor, object_type="dna.specimen", object_id=specimen.pk, details={"kind": kind}
    )
    return event


# --- Profile import -------------------------------------------------------------------------------------


@dataclass
class ImportReport:
    batch: ImportBatch | None = None
    run: ComparisonRun | None = None
    created: list[str] = field(default_factory=list)
    replaced: list[str] = field(default_factory=list)
    duplicates: list[str] = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)


def _sample_rows(text: str) -> dict[str, int]:
    """The first file row (1-based, header = row 1) of each sample, so that errors can name it."""
    text = text.lstrip("\ufeff")
    sample = text[:4096]
    delimiter = "\t" if sample.count("\t") > sample.count(",") else ","
    rows = list(csv.reader(io.StringIO(text), delimiter=delimiter))
    if not rows:
        return {}
    header = ["".join(h.strip().lower().split()).replace("_", "").replace(".", "") for h in rows[0]]
    column = (
        header.index("samplename")
        if "samplename" in header
        else header.index("sample")
        if "sample" in header
        else 0
    )
    found: dict[str, int] = {}
    for number, row in enumerate(rows[1:], start=2):
        if column < len(row) and row[column].strip():
            found.setdefault(row[column].strip(), number)
    return found


def profile_problem_text(problem: ProfileError) -> str:
    """A kinship profile error or warning in the user's language, from its code and params.

    The kinship engine stays free of Django and reports English text plus a stable code; the messages
    shown on the import page are these translations (the English text when a code is not known here).
    """
    texts = {
        "empty_file": _("The file is empty."),
        "missing_columns": _("Missing column(s): %(columns)s."),
        "empty_sample": _("Empty sample name."),
        "empty_locus": _("Empty locus name."),
        "unknown_locus": _("Unknown locus %(locus)s."),
        "malformed_allele": _("Malformed allele %(allele)s."),
        "third_allele": _("A third allele (mixture or artefact?)."),
        "single_allele": _("Only one allele; write a homozygote as two equal alleles."),
        "conflicting_genotypes": _(
            "Sample %(sample)s is listed twice for %(locus)s with different genotypes "
            "(%(previous)s at row %(first_row)s, now %(genotype)s)."
        ),
        "unnamed_column": _("Value %(value)s in column %(column)s, which the header does not name."),
        "not_utf8": _(
            "The file is not UTF-8 text (the first undecodable byte is on this row); save it as UTF-8."
        ),
        "off_ladder": _(
            "Off-ladder call (OL) for sample %(sample)s at %(locus)s: the locus is left untyped for "
            "this sample."
        ),
    }
    template = texts.get(problem.code)
    if template is None:
        return problem.message
    try:
        return template % dict(problem.params)
    except (KeyError, TypeError, ValueError):
        return problem.message


def decode_upload(data: bytes) -> str:
    """Text of an uploaded profile file; a file that is not UTF-8 is refused naming the row."""
    try:
        return decode_profile_bytes(data)
    except ProfileFormatError as exc:
        raise ValidationFailed(
            [RowError(e.row, e.field, profile_problem_text(e)) for e in exc.errors]
        ) from None


def _encode(profile: dict[str, tuple[str, str]]) -> str:
    return json.dumps({locus: list(pair) for locus, pair in sorted(profile.items())}, separators=(",", ":"))


def import_profiles(*, actor, text: str, kit: str, file_name: str = "") -> ImportReport:
    """Validate the whole laboratory file, then write every profile in one transaction and queue the
    automatic comparison. Nothing is written when any row is wrong; each error names its row and field."""
    _deny_unless(policy_for(ImportBatch).can(actor, "create"))
    errors: list[RowError] = []
    if kit not in KIT_CHOICES:
        raise ValidationFailed([RowError(0, "kit", _("Unknown kit."))])
    try:
        profiles = parse_profiles(text)
    except ProfileFormatError as exc:
        raise ValidationFailed(
            [RowError(e.row, e.field, profile_problem_text(e)) for e in exc.errors]
        ) from None
    if not profiles:
        raise ValidationFailed([RowError(0, "", _("The file holds no profile."))])
    rows = _sample_rows(text)
    numbers = {name: name.strip().upper() for name in profiles}
    specimens = {
        s.number: s
        for s in Specimen.objects.filter(number__in=list(numbers.values())).select_related("profile")
    }
    kit_loci = set(KITS[kit]) if kit != OTHER_KIT else None
    report = ImportReport()
    for warning in profiles.warnings:
        report.warnings.append(
            _("Row %(row)s: %(message)s") % {"row": warning.row, "message": profile_problem_text(warning)}
        )
    encoded: dict[str, str] = {}
    for name, profile in profiles.items():
        row = rows.get(name, 0)
        specimen = specimens.get(numbers[name])
        if specimen is None:
            errors.append(RowError(row, "sample", _("No specimen has the number %(n)s.") % {"n": name}))
            continue
        if specimen.status == Specimen.Status.DESTROYED or specimen.profile_deleted_at is not None:
            errors.append(
                RowError(
                    row, "sample", _("Specimen %(n)s was destroyed or its profile deleted.") % {"n": name}
                )
            )
            continue
        if not profile:
            errors.append(RowError(row, "locus", _("Specimen %(n)s has no typed locus.") % {"n": name}))
            continue
        if kit_loci is not None:
            outside = sorted(set(profile) - kit_loci)
            if outside:
                errors.append(
                    RowError(
                        row,
                        "locus",
                        _("Loci %(loci)s are not in the kit %(kit)s.")
                        % {"loci": ", ".join(outside), "kit": kit_label(kit)},
                    )
                )
                continue
        encoded[specimen.number] = _encode(profile)
        existing = getattr(specimen, "profile", None)
        if existing is not None:
            if existing.genotypes == encoded[specimen.number]:
                report.duplicates.append(specimen.number)
            elif not specimen.retest_requested:
                errors.append(
                    RowError(
                        row,
                        "sample",
                        _("Specimen %(n)s already has a different profile (no re-test was requested).")
                        % {"n": specimen.number},
                    )
                )
    if errors:
        raise ValidationFailed(errors)
    # The same genotypes under two specimen numbers: the same person sampled twice, or a mix-up.
    by_genotypes: dict[str, list[str]] = {}
    for number, value in encoded.items():
        by_genotypes.setdefault(value, []).append(number)
    for other in Profile.objects.select_related("specimen").exclude(specimen__number__in=list(encoded)):
        if other.genotypes in by_genotypes:
            by_genotypes[other.genotypes].append(other.specimen.number)
    for same in by_genotypes.values():
        if len(same) > 1:
            report.warnings.append(_("Identical profiles: %(list)s.") % {"list": ", ".join(sorted(same))})
    with transaction.atomic():
        batch = ImportBatch.objects.create(
            file_name=file_name[:255],
            sha256=hashlib.sha256(text.encode()).hexdigest(),
            kit=kit,
            imported_by=actor,
        )
        changed_ids = []
        for number, value in encoded.items():
            specimen = specimens[number]
            if number in report.duplicates:
                continue
            loci_count = len(json.loads(value))
            existing = getattr(specimen, "profile", None)
            if existing is None:
                Profile.objects.create(
                    specimen=specimen, genotypes=value, kit=kit, loci_count=loci_count, batch=batch
                )
                report.created.append(number)
            else:
                Profile.objects.filter(pk=existing.pk).update(
                    genotypes=value,
                    kit=kit,
                    loci_count=loci_count,
                    batch=batch,
                    version=existing.version + 1,
                    updated_at=timezone.now(),
                )
                Candidate.objects.filter(status=Candidate.Status.RETEST).filter(
                    _involving(specimen.pk)
                ).update(status=Candidate.Status.NEW, decided_at=None)
                report.replaced.append(number)
            Specimen.objects.filter(pk=specimen.pk).update(
                status=Specimen.Status.TYPED, retest_requested=False
            )
            CustodyEvent.objects.create(
                specimen=specimen, kind=CustodyEvent.Kind.TYPED, unit=actor.unit, actor=actor
            )
            changed_ids.append(specimen.pk)
        batch.profile_count = len(changed_ids)
        batch.save(update_fields=["profile_count"])
        report.batch = batch
        record_event(
            "dna.import",
            actor=actor,
            object_type="dna.importbatch",
            object_id=batch.pk,
            details={
                "kit": kit,
                "created": len(report.created),
                "replaced": len(report.replaced),
                "duplicates": len(report.duplicates),
                "sha256": batch.sha256,
            },
        )
        if changed_ids:
            report.run = _queue_run(actor, ComparisonRun.Kind.NEW_PROFILES, changed_ids)
    return report


def _involving(specimen_id: int):
    from django.db.models import Q

    return (
        Q(family_specimen_id=specimen_id)
        | Q(partner_specimen_id=specimen_id)
        | Q(found_specimen_id=specimen_id)
    )


def _queue_run(
    actor, kind: str, specimen_ids: list[int] | None = None, enqueue: bool = True
) -> ComparisonRun:
    from .tasks import run_comparison

    run = ComparisonRun.objects.create(
        kind=kind,
        analysis=comparison.active_settings(),
        specimen_ids=specimen_ids or [],
        created_by=actor if getattr(actor, "is_authenticated", False) else None,
    )
    if enqueue:
        transaction.on_commit(partial(run_comparison.enqueue, run.pk))
    return run


def execute_run(run_id: int, *, compare=None) -> ComparisonRun:
    """The comparison job itself (called by the worker task, or directly by the demo). ``compare`` replaces
    `comparison.compare` (same signature), e.g. the Spark engine of `rematch.spark_compare`."""
    run = ComparisonRun.objects.select_related("analysis").get(pk=run_id)
    if run.status in (ComparisonRun.Status.DONE, ComparisonRun.Status.RUNNING):
        return run
    ids = (
        run.specimen_ids
        if run.kind == ComparisonRun.Kind.NEW_PROFILES
        else comparison.all_typed_specimen_ids()
    )
    ComparisonRun.objects.filter(pk=run.pk).update(
        status=ComparisonRun.Status.RUNNING, total=len(ids), done=0, started_at=timezone.now()
    )

    def progress(done: int, total: int) -> None:
        if done == total or done % 10 == 0:
            ComparisonRun.objects.filter(pk=run.pk).update(done=done)

    try:
        kept = (compare or comparison.compare)(ids, run.analysis, progress=progress)
        if run.kind == ComparisonRun.Kind.FULL:
            comparison.drop_stale(run.analysis)
    except Exception as exc:
        ComparisonRun.objects.filter(pk=run.pk).update(
            status=ComparisonRun.Status.FAILED, error=type(exc).__name__, finished_at=timezone.now()
        )
        record_event("dna.run.fail", object_type="dna.comparisonrun", object_id=run.pk, outcome="failure")
        raise
    ComparisonRun.objects.filter(pk=run.pk).update(
        status=ComparisonRun.Status.DONE, done=len(ids), candidates=len(kept), finished_at=timezone.now()
    )
    matches = [c for c in kept if c.kind == Candidate.Kind.MATCH and c.status == Candidate.Status.NEW]
    record_event(
        "dna.run.finish",
        object_type="dna.comparisonrun",
        object_id=run.pk,
        details={
            "kind": run.kind,
            "searched": len(ids),
            "candidates": len(kept),
            "new_matches": len(matches),
        },
    )
    if matches:
        from django.contrib.auth import get_user_model

        analysts = get_user_model().objects.filter(role=Role.DNA_ANALYST, is_active=True)
        notify(
            recipients=analysts,
            subject=_("DNA comparison: %(n)d match(es) await review") % {"n": len(matches)},
            link=reverse("dna:candidates"),
            kind="dna.match",
        )
    run.refresh_from_db()
    return run


# --- Settings and re-runs -------------------------------------------------------------------------------

SETTING_FIELDS = (
    "sample_size",
    "minimum_frequency",
    "floor_listed",
    "match_threshold",
    "lead_threshold",
    "mutation",
    "mutation_rate",
    "microvariant_rate",
    "untyped_transmission",
    "theta",
    "top",
)
MAX_MINIMUM_FREQUENCY = 0.5


def settings_errors(values) -> list[RowError]:
    """Every problem of a complete set of analysis settings (field name -> value), named by field; shared
    by the settings form and `change_settings`."""
    errors: list[RowError] = []

    def rate_in_range(name: str) -> None:
        value = values.get(name)
        if value is not None and not 0.0 <= value < 1.0:
            errors.append(RowError(0, name, _("A rate must be at least 0 and below 1.")))

    rate_in_range("mutation_rate")
    rate_in_range("microvariant_rate")
    theta = values.get("theta")
    if theta is not None and not 0.0 <= theta < 1.0:
        errors.append(RowError(0, "theta", _("θ must be at least 0 and below 1.")))
    if (values.get("microvariant_rate") or 0.0) > 0.0 and values.get("mutation") != "stepwise":
        errors.append(
            RowError(0, "microvariant_rate", _("A microvariant rate applies to the stepwise model only."))
        )
    if values.get("mutation") not in AnalysisSettings.Mutation.values:
        errors.append(RowError(0, "mutation", _("Unknown mutation model.")))
    if values.get("untyped_transmission") not in AnalysisSettings.UntypedTransmission.values:
        errors.append(RowError(0, "untyped_transmission", _("Unknown transmission convention.")))
    minimum = values.get("minimum_frequency")
    if minimum is not None and not 0.0 < minimum <= MAX_MINIMUM_FREQUENCY:
        errors.append(
            RowError(0, "minimum_frequency", _("The minimum frequency must be above 0 and at most 0.5."))
        )
    if (values.get("sample_size") or 0) < 1:
        errors.append(RowError(0, "sample_size", _("The database size must be at least 1.")))
    if (values.get("top") or 0) < 1:
        errors.append(RowError(0, "top", _("Keep at least one candidate per search.")))
    lead, match = values.get("lead_threshold"), values.get("match_threshold")
    if lead is not None and match is not None and not 1.0 <= lead < match:
        errors.append(
            RowError(0, "lead_threshold", _("The lead threshold must lie between 1 and the match threshold."))
        )
    return errors


@transaction.atomic
def change_settings(
    *, actor, frequency_csv: str | None = None, frequency_name: str = "", **values
) -> ComparisonRun:
    """Make new analysis settings active (a new frequency table and/or thresholds) and re-run every
    comparison as one batch job."""
    _deny_unless(policy_for(AnalysisSettings).can(actor, "change"))
    unknown = set(values) - set(SETTING_FIELDS)
    if unknown:
        raise ValueError(f"unknown settings: {sorted(unknown)}")
    current = comparison.active_settings()
    new = AnalysisSettings(
        frequency_name=current.frequency_name,
        frequency_csv=current.frequency_csv,
        **{name: getattr(current, name) for name in SETTING_FIELDS},
        created_by=actor,
    )
    for name, value in values.items():
        setattr(new, name, value)
    errors = settings_errors({name: getattr(new, name) for name in SETTING_FIELDS})
    if errors:
        raise ValidationFailed(errors)
    if frequency_csv is not None:
        try:
            parse_frequencies(
                frequency_csv,
                sample_size=new.sample_size,
                minimum_frequency=new.minimum_frequency,
                floor_listed=new.floor_listed,
            )
        except FrequencyFormatError as exc:
            raise ValidationFailed(
                [RowError(row, name, message) for row, name, message in exc.errors]
            ) from None
        except ValueError as exc:
            raise ValidationFailed([RowError(0, "frequency_csv", str(exc))]) from None
        new.frequency_csv = frequency_csv
        new.frequency_name = frequency_name[:120]
    AnalysisSettings.objects.filter(is_active=True).update(is_active=False)
    new.save()
    changed = [name for name in SETTING_FIELDS if getattr(new, name) != getattr(current, name)]
    if new.frequency_csv != current.frequency_csv:
        changed.append("frequency_csv")
    record_event(
        "dna.settings.change",
        actor=actor,
        object_type="dna.analysissettings",
        object_id=new.pk,
        changed_fields=changed,
    )
    return _queue_run(actor, ComparisonRun.Kind.FULL)


@transaction.atomic
def start_full_run(*, actor, enqueue: bool = True) -> ComparisonRun:
    """``enqueue=False``: the caller executes the run itself (`execute_run`), not the worker."""
    _deny_unless(policy_for(ComparisonRun).can(actor, "start"))
    run = _queue_run(actor, ComparisonRun.Kind.FULL, enqueue=enqueue)
    record_event("dna.run.start", actor=actor, object_type="dna.comparisonrun", object_id=run.pk)
    return run


# --- Review ---------------------------------------------------------------------------------------------


@transaction.atomic
def review_candidate(*, actor, candidate: Candidate, outcome: str, note: str = "") -> Candidate:
    """Four eyes: a first analyst proposes an outcome, a second (never the same person) agrees and the
    outcome takes effect; if the second disagrees, the candidate goes back for a new first review."""
    candidate = Candidate.objects.select_for_update().get(pk=candidate.pk)
    _deny_unless(policy_for(Candidate).can(actor, "review", candidate))
    if outcome not in Review.Outcome.values:
        raise ValidationFailed([RowError(0, "outcome", _("Unknown outcome."))])
    if outcome == Review.Outcome.CONFIRMED and candidate.kind != Candidate.Kind.MATCH:
        raise ValidationFailed(
            [RowError(0, "outcome", _("Only a match at or above the threshold can be confirmed."))]
        )
    if candidate.status == Candidate.Status.NEW:
        Review.objects.create(candidate=candidate, reviewer=actor, stage=1, outcome=outcome, note=note[:500])
        candidate.status = Candidate.Status.FIRST_REVIEWED
        candidate.save(update_fields=["status", "updated_at"])
        record_event(
            "dna.candidate.review",
            actor=actor,
            object_type="dna.candidate",
            object_id=candidate.pk,
            details={"stage": 1, "outcome": outcome},
        )
        return candidate
    first = candidate.reviews.filter(stage=1).order_by("-id").first()
    if first.reviewer_id == actor.pk:
        raise ValidationFailed(
            [RowError(0, "reviewer", _("The second review must be made by another analyst."))]
        )
    Review.objects.create(candidate=candidate, reviewer=actor, stage=2, outcome=outcome, note=note[:500])
    if outcome != first.outcome:
        candidate.status = Candidate.Status.NEW
        candidate.save(update_fields=["status", "updated_at"])
        record_event(
            "dna.candidate.review",
            actor=actor,
            object_type="dna.candidate",
            object_id=candidate.pk,
            details={"stage": 2, "outcome": outcome, "agreed": False},
        )
        return candidate
    candidate.status = outcome
    candidate.decided_at = timezone.now()
    candidate.save(update_fields=["status", "decided_at", "updated_at"])
    record_event(
        "dna.candidate.review",
        actor=actor,
        object_type="dna.candidate",
        object_id=candidate.pk,
        details={"stage": 2, "outcome": outcome, "agreed": True},
    )
    if outcome == Review.Outcome.CONFIRMED:
        _open_reunion(candidate, actor)
    elif outcome == Review.Outcome.RETEST:
        ids = [candidate.family_specimen_id, candidate.partner_specimen_id, candidate.found_specimen_id]
        Specimen.objects.filter(pk__in=[i for i in ids if i]).update(retest_requested=True)
    return candidate


def _open_reunion(candidate: Candidate, actor) -> Reunion:
    """A confirmed match: link the missing-person report to the found person, tell the case officers."""
    family_link = SpecimenLink.objects.select_related("collecting_unit").get(
        specimen_id=candidate.family_specimen_id
    )
    found_link = SpecimenLink.objects.select_related("collecting_unit").get(
        specimen_id=candidate.found_specimen_id
    )
    partner_link = (
        SpecimenLink.objects.filter(specimen_id=candidate.partner_specimen_id).first()
        if candidate.partner_specimen_id
        else None
    )
    missing_ref = family_link.missing_report_ref or (partner_link.missing_report_ref if partner_link else "")
    missing_id = family_link.missing_person_id or (partner_link.missing_person_id if partner_link else None)
    report = _missing_report(missing_ref, missing_id)
    reunion = Reunion.objects.create(
        missing_report=report,
        candidate=candidate,
        found_person_id=found_link.person_id,
        family_person_id=family_link.person_id,
        partner_person_id=partner_link.person_id if partner_link else None,
        missing_person_id=missing_id,
        missing_report_ref=missing_ref,
        family_unit=family_link.collecting_unit,
        found_unit=found_link.collecting_unit,
        family_county=family_link.county,
        found_county=found_link.county,
    )
    record_event(
        "dna.reunion.create",
        actor=actor,
        object_type="dna.reunion",
        object_id=reunion.pk,
        details={"candidate": candidate.pk},
    )
    notify(
        units={family_link.collecting_unit, found_link.collecting_unit}
        | ({report.owner_unit} if report else set()),
        roles=[Role.INVESTIGATOR],
        subject=_("A DNA match was confirmed"),
        body=_("Two analysts confirmed a kinship match. Open the reunion record to see the persons."),
        link=reverse("dna:reunion", args=[reunion.pk]),
        kind="dna.reunion",
    )
    return reunion


def _missing_report(reference: str, missing_person_id: int | None):
    """The missing-person report a match answers: by its number, else the open report on the missing person."""
    from fanguai.missing.models import MissingReport

    if reference and (report := MissingReport.objects.filter(number=reference.strip()).first()):
        return report
    if missing_person_id:
        return MissingReport.objects.filter(person_id=missing_person_id).order_by("-id").first()
    return None


def reveal_reunion(*, actor, reunion: Reunion) -> dict:
    """Show the persons behind a confirmed match: an explicit action, audited each time."""
    _deny_unless(policy_for(Reunion).can(actor, "reveal", reunion))
    record_event("dna.reunion.reveal", actor=actor, object_type="dna.reunion", object_id=reunion.pk)
    # Every person goes through the people policy: the case officers of the two sides of the match see
    # them all (policies.reunion_persons_scope); another unit of the county sees only its own.
    ids = {
        "found": reunion.found_person_id,
        "family": reunion.family_person_id,
        "partner": reunion.partner_person_id,
        "missing": reunion.missing_person_id,
    }
    visible = {
        person.pk: person
        for person in policy_for(Person).visible(
            actor, Person.objects.filter(pk__in=[pk for pk in ids.values() if pk])
        )
    }
    return {
        **{role: visible.get(pk) for role, pk in ids.items()},
        "report": reunion.missing_report_ref,
    }


@transaction.atomic
def record_reunion(*, actor, reunion: Reunion, reunited_on: date, note: str = "") -> Reunion:
    reunion = Reunion.objects.select_for_update().get(pk=reunion.pk)
    _deny_unless(policy_for(Reunion).can(actor, "record", reunion))
    reunion.status = Reunion.Status.REUNITED
    reunion.reunited_on = reunited_on
    reunion.note = note
    reunion.recorded_by = actor
    reunion.save(update_fields=["status", "reunited_on", "note", "recorded_by"])
    now = timezone.now()
    candidate = reunion.candidate
    ids = [candidate.family_specimen_id, candidate.partner_specimen_id, candidate.found_specimen_id]
    Specimen.objects.filter(pk__in=[i for i in ids if i], case_closed_at__isnull=True).update(
        case_closed_at=now
    )
    record_event(
        "dna.reunion.record",
        actor=actor,
        object_type="dna.reunion",
        object_id=reunion.pk,
        changed_fields=["status", "reunited_on", "note"],
    )
    _follow_reunion(actor, reunion)
    return reunion


def _follow_reunion(actor, reunion: Reunion) -> None:
    """A recorded reunion settles the records of the found person, in the same transaction: its open
    sampling requests (DNA database, missing-person module, assistance) are done with the specimen that
    matched; the unidentified person is identified; the missing-person report on the family side is
    resolved as found (dead when the found side is an unidentified body)."""
    from fanguai.assistance.models import DnaSamplingRequest
    from fanguai.assistance.services import record_dna_sampled
    from fanguai.missing import services as missing_services

    found = reunion.candidate.found_specimen
    for request in SamplingRequest.objects.select_for_update().filter(
        person_id=reunion.found_person_id, status=SamplingRequest.Status.OPEN
    ):
        request.status = SamplingRequest.Status.COLLECTED
        request.specimen = found
        request.save(update_fields=["status", "specimen"])
        meet_deadline(target=request, kind=SAMPLING_DEADLINE, actor=actor)
        record_event(
            "dna.sampling.collected",
            actor=actor,
            object_type="dna.samplingrequest",
            object_id=request.pk,
            changed_fields=["status", "specimen"],
            details={"reunion": reunion.pk},
        )
    missing_services.close_sample_requests(
        actor=actor, person=reunion.found_person, dna_reference=found.number
    )
    for request in DnaSamplingRequest.objects.filter(
        person_id=reunion.found_person_id, status=DnaSamplingRequest.Status.REQUESTED
    ):
        record_dna_sampled(actor=actor, request=request, specimen_number=found.number)
    missing_services.settle_reunion(
        actor=actor,
        found_person=reunion.found_person,
        report=reunion.missing_report,
        found_dead=found.category == Category.UNIDENTIFIED,
        reunion_id=reunion.pk,
    )


# --- Retention ------------------------------------------------------------------------------------------


@transaction.atomic
def close_case(*, actor, specimen: Specimen) -> Specimen:
    _deny_unless(policy_for(Specimen).can(actor, "close_case", specimen))
    Specimen.objects.filter(pk=specimen.pk).update(case_closed_at=timezone.now())
    record_event("dna.specimen.close", actor=actor, object_type="dna.specimen", object_id=specimen.pk)
    specimen.refresh_from_db()
    return specimen


@transaction.atomic
def request_profile_deletion(*, actor, specimen: Specimen) -> Specimen:
    """A relative asks for their profile to be deleted; the laboratory deletes it once the case is closed."""
    _deny_unless(policy_for(Specimen).can(actor, "request_deletion", specimen))
    Specimen.objects.filter(pk=specimen.pk).update(deletion_requested_at=timezone.now())
    record_event(
        "dna.profile.deletion_request", actor=actor, object_type="dna.specimen", object_id=specimen.pk
    )
    from django.contrib.auth import get_user_model

    notify(
        recipients=get_user_model().objects.filter(role=Role.DNA_ANALYST, is_active=True),
        subject=_("A profile deletion was requested for specimen %(n)s") % {"n": specimen.number},
        link=reverse("dna:lab_specimen", args=[specimen.number]),
        kind="dna.deletion",
    )
    specimen.refresh_from_db()
    return specimen


@transaction.atomic
def delete_profile(*, actor, specimen: Specimen) -> None:
    """Truly delete a relative's profile (no copy is kept) and every undecided candidate it produced."""
    profile = Profile.objects.select_related("specimen").get(specimen=specimen)
    _deny_unless(policy_for(Profile).can(actor, "delete", profile))
    undecided = Candidate.objects.filter(_involving(specimen.pk)).exclude(status=Candidate.Status.CONFIRMED)
    dropped = undecided.count()
    undecided.delete()
    profile.delete()
    Specimen.objects.filter(pk=specimen.pk).update(profile_deleted_at=timezone.now())
    CustodyEvent.objects.create(
        specimen=specimen, kind=CustodyEvent.Kind.PROFILE_DELETED, unit=actor.unit, actor=actor
    )
    record_event(
        "dna.profile.delete",
        actor=actor,
        object_type="dna.specimen",
        object_id=specimen.pk,
        details={"candidates_deleted": dropped},
    )


def family_side_categories() -> tuple[str, ...]:
    return tuple(FAMILY_SIDE)


def _involving_reunion(specimen_id: int):
    from django.db.models import Q

    return (
        Q(candidate__family_specimen_id=specimen_id)
        | Q(candidate__partner_specimen_id=specimen_id)
        | Q(candidate__found_specimen_id=specimen_id)
    )


# --- Reference pedigrees (issue 12) ---------------------------------------------------------------------


@transaction.atomic
def register_pedigree(*, actor, text: str, missing: str, note: str = "", enqueue: bool = True):
    """Register a family reference as a pedigree and queue its search against the found side.

    ``text`` is a CSV ``id,father,mother,sex,specimen``: the specimen column holds the specimen number of a
    typed family-side member (a parent or relative with a profile), empty for an untyped member;
    ``missing`` is the member id of the missing child's place. The audit event names the pedigree and the
    counts only.
    """
    from fanguai.kinship.pedigree import PedigreeError, parse_pedigree

    from .models import FamilyPedigree, PedigreeMember

    _deny_unless(policy_for(FamilyPedigree).can(actor, "create"))
    try:
        pedigree = parse_pedigree(text)
    except PedigreeError as exc:
        raise ValidationFailed([RowError(0, "members", text) for text in error_texts(exc)]) from None
    rows = list(csv.DictReader(io.StringIO(text.lstrip("\ufeff"))))
    numbers = {}
    for row in rows:
        cleaned = {(k or "").strip().lower(): (v or "").strip() for k, v in row.items()}
        if cleaned.get("id") and cleaned.get("specimen"):
            numbers[cleaned["id"]] = cleaned["specimen"].upper()
    errors: list[RowError] = []
    missing = missing.strip()
    if missing not in pedigree:
        errors.append(RowError(0, "missing", _("The missing person must be a member of the pedigree.")))
    if missing in numbers:
        errors.append(RowError(0, "missing", _("The missing person's place cannot hold a specimen.")))
    specimens = {
        s.number: s
        for s in Specimen.objects.filter(number__in=numbers.values()).select_related("profile")
        if s.profile_deleted_at is None
    }
    for member_id, number in numbers.items():
        specimen = specimens.get(number)
        if specimen is None or not hasattr(specimen, "profile"):
            errors.append(RowError(0, member_id, _("No typed specimen %(number)s.") % {"number": number}))
        elif specimen.category not in FAMILY_SIDE:
            errors.append(RowError(0, member_id, _("Only family-side specimens can be pedigree members.")))
    if len(set(numbers.values())) != len(numbers):
        errors.append(RowError(0, "specimen", _("A specimen can be only one member.")))
    if not numbers:
        errors.append(RowError(0, "specimen", _("At least one member must be a typed specimen.")))
    if errors:
        raise ValidationFailed(errors)
    typed = [specimens[numbers[m]] for m in pedigree.members if m in numbers]
    record = FamilyPedigree.objects.create(
        missing_member=missing,
        anchor_specimen=typed[0],
        note=note[:200],
        created_by=actor if getattr(actor, "is_authenticated", False) else None,
    )
    PedigreeMember.objects.bulk_create(
        PedigreeMember(
            pedigree=record,
            member_id=member.id,
            father=member.father or "",
            mother=member.mother or "",
            sex="M" if member.sex == "male" else "F",
            specimen=specimens[numbers[member.id]] if member.id in numbers else None,
        )
        for member in pedigree.members.values()
    )
    record_event(
        "dna.pedigree.register",
        actor=actor,
        object_type="dna.familypedigree",
        object_id=record.pk,
        details={"members": len(pedigree), "typed": len(typed)},
    )
    _queue_run(actor, ComparisonRun.Kind.NEW_PROFILES, [typed[0].pk], enqueue=enqueue)
    return record
