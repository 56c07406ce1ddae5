"""Every read of the DNA database, already filtered by the policies. Reads of genotypes and of identities
are audited."""

import csv
import io
import json
from collections import Counter

from django.db.models import Count, Exists, OuterRef, Q, QuerySet
from django.db.models.functions import ExtractYear

from fanguai.audit.services import record_event
from fanguai.core.policies import policy_for
from fanguai.kinship import default_frequencies
from fanguai.people.models import Person
from fanguai.people.selectors import visible_people

from .models import (
    FAMILY_SIDE,
    AnalysisSettings,
    Candidate,
    Category,
    ComparisonRun,
    ImportBatch,
    Profile,
    Reunion,
    SamplingRequest,
    Specimen,
    SpecimenLink,
)
from .services import person_index


def visible_specimens(user, *, category: str = "", status: str = "", number: str = "") -> QuerySet[Specimen]:
    specimens = policy_for(Specimen).visible(
        user, Specimen.objects.select_related("county", "collecting_unit")
    )
    if category:
        specimens = specimens.filter(category=category)
    if status == "awaiting":
        specimens = specimens.filter(profile__isnull=True).exclude(status=Specimen.Status.DESTROYED)
    elif status:
        specimens = specimens.filter(status=status)
    if number:
        specimens = specimens.filter(number=number.strip().upper())
    return specimens


def lab_specimen(user, number: str) -> Specimen:
    """A specimen for the laboratory view (the caller has checked the analyst role)."""
    return policy_for(Specimen).get_visible_or_404(user, number=number)


def profile_for_view(user, specimen: Specimen) -> Profile | None:
    """The genotypes of a specimen for an analyst (None for anyone else, or when untyped); audited."""
    profile = policy_for(Profile).visible(user, Profile.objects.filter(specimen=specimen)).first()
    if profile is not None:
        record_event("dna.profile.view", actor=user, object_type="dna.specimen", object_id=specimen.pk)
    return profile


def profile_rows(profile: Profile) -> list[tuple[str, str, str]]:
    order = {locus: i for i, locus in enumerate(default_frequencies().loci)}
    genotypes = profile.as_profile()
    return [(locus, *genotypes[locus]) for locus in sorted(genotypes, key=lambda n: (order.get(n, 999), n))]


def case_samples(user, *, category: str = "") -> QuerySet[SpecimenLink]:
    """The collection records (with the person) a case officer may see."""
    links = policy_for(SpecimenLink).visible(
        user,
        SpecimenLink.objects.select_related("specimen", "collecting_unit", "county").order_by("-created_at"),
    )
    if category:
        links = links.filter(specimen__category=category)
    return links


def case_sample(user, pk: int) -> SpecimenLink:
    link = policy_for(SpecimenLink).get_visible_or_404(
        user, SpecimenLink.objects.select_related("specimen", "collecting_unit"), specimen_id=pk
    )
    record_event("dna.sample.view", actor=user, object_type="dna.specimen", object_id=pk)
    return link


def person_of(user, link: SpecimenLink) -> Person | None:
    """The donor of a sample, if the people policy lets the user see that person (None otherwise)."""
    return visible_people(user).filter(pk=link.person_id).first()


def persons_by_id(user, ids) -> dict[int, Person]:
    """The persons among `ids` that the people policy lets the user see, by id (the others are absent)."""
    return {person.pk: person for person in visible_people(user).filter(pk__in=list(ids))}


def samples_of_person(user, person: Person) -> QuerySet[SpecimenLink]:
    return case_samples(user).filter(person_index=person_index(person.pk))


def candidates(user, *, kind: str = "", status: str = "") -> QuerySet[Candidate]:
    rows = policy_for(Candidate).visible(
        user, Candidate.objects.select_related("family_specimen", "partner_specimen", "found_specimen")
    )
    if kind:
        rows = rows.filter(kind=kind)
    if status == "open":
        rows = rows.filter(status__in=[Candidate.Status.NEW, Candidate.Status.FIRST_REVIEWED])
    elif status:
        rows = rows.filter(status=status)
    return rows


def candidate_for_view(user, pk: int) -> Candidate:
    candidate = policy_for(Candidate).get_visible_or_404(
        user, Candidate.objects.select_related("family_specimen", "partner_specimen", "found_specimen"), pk=pk
    )
    record_event("dna.candidate.view", actor=user, object_type="dna.candidate", object_id=candidate.pk)
    return candidate


def reunions(user) -> QuerySet[Reunion]:
    return policy_for(Reunion).visible(
        user, Reunion.objects.select_related("candidate", "family_unit", "found_unit")
    )


def reunion_for_view(user, pk: int) -> Reunion:
    return policy_for(Reunion).get_visible_or_404(user, Reunion.objects.select_related("candidate"), pk=pk)


def sampling_queue(user, *, status: str = SamplingRequest.Status.OPEN) -> QuerySet[SamplingRequest]:
    """The sampling requests the user may see; `person_visible` says whether the people policy lets the user
    see the person to be sampled (a request of the county may concern a person the user may not see)."""
    rows = (
        policy_for(SamplingRequest)
        .visible(user, SamplingRequest.objects.select_related("person", "requesting_unit", "collecting_unit"))
        .annotate(person_visible=Exists(visible_people(user).filter(pk=OuterRef("person_id"))))
    )
    return rows.filter(status=status) if status else rows


def runs(user) -> QuerySet[ComparisonRun]:
    return policy_for(ComparisonRun).visible(user, ComparisonRun.objects.select_related("analysis"))


def batches(user) -> QuerySet[ImportBatch]:
    return policy_for(ImportBatch).visible(user, ImportBatch.objects.all())


def settings_history(user) -> QuerySet[AnalysisSettings]:
    return policy_for(AnalysisSettings).visible(user, AnalysisSettings.objects.all())


def export_profiles(user) -> str:
    """Every profile in the long CSV format, for the laboratory only; audited."""
    rows = policy_for(Profile).visible(
        user, Profile.objects.select_related("specimen").order_by("specimen__number")
    )
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow(["sample", "locus", "allele1", "allele2"])
    count = 0
    for profile in rows:
        count += 1
        for locus, pair in json.loads(profile.genotypes).items():
            writer.writerow([profile.specimen.number, locus, pair[0], pair[1]])
    record_event("dna.profile.export", actor=user, object_type="dna.profile", details={"profiles": count})
    return out.getvalue()


def statistics() -> dict:
    """Aggregates only (no identity, no genotype): samples by category and county, awaiting typing,
    matches and reunions per year."""
    by_category_county = (
        Specimen.objects.values("category", "county__name")
        .annotate(n=Count("id"))
        .order_by("county__name", "category")
    )
    table: dict[str, Counter] = {}
    for row in by_category_county:
        table.setdefault(row["county__name"] or "—", Counter())[row["category"]] = row["n"]
    awaiting = (
        Specimen.objects.filter(profile__isnull=True, profile_deleted_at__isnull=True)
        .exclude(status=Specimen.Status.DESTROYED)
        .count()
    )
    matches = (
        Candidate.objects.filter(status=Candidate.Status.CONFIRMED, decided_at__isnull=False)
        .annotate(year=ExtractYear("decided_at"))
        .values("year")
        .annotate(n=Count("id"))
    )
    reunited = (
        Reunion.objects.filter(status=Reunion.Status.REUNITED, reunited_on__isnull=False)
        .annotate(year=ExtractYear("reunited_on"))
        .values("year")
        .annotate(n=Count("id"))
    )
    years: dict[int, dict] = {}
    for row in matches:
        years.setdefault(row["year"], {"matches": 0, "reunions": 0})["matches"] = row["n"]
    for row in reunited:
        years.setdefault(row["year"], {"matches": 0, "reunions": 0})["reunions"] = row["n"]
    return {
        "categories": Category.choices,
        "counties": [
            (county, [counts.get(c, 0) for c, _ in Category.choices]) for county, counts in table.items()
        ],
        "awaiting_typing": awaiting,
        "open_matches": Candidate.objects.filter(
            kind=Candidate.Kind.MATCH, status__in=[Candidate.Status.NEW, Candidate.Status.FIRST_REVIEWED]
        ).count(),
        "years": sorted(years.items(), reverse=True),
        "total": Specimen.objects.count(),
        "family_side": Specimen.objects.filter(category__in=FAMILY_SIDE).count(),
    }


def lab_queue_counts(user) -> dict:
    open_filter = Q(status__in=[Candidate.Status.NEW, Candidate.Status.FIRST_REVIEWED])
    rows = candidates(user)
    return {
        "matches": rows.filter(open_filter, kind=Candidate.Kind.MATCH).count(),
        "second": rows.filter(status=Candidate.Status.FIRST_REVIEWED).exclude(reviews__reviewer=user).count(),
        "leads": rows.filter(kind=Candidate.Kind.LEAD, status=Candidate.Status.NEW).count(),
        "awaiting": visible_specimens(user, status="awaiting").count(),
        "deletions": visible_specimens(user)
        .filter(deletion_requested_at__isnull=False, profile_deleted_at__isnull=True)
        .count(),
    }


def pedigrees(user):
    """Registered family pedigrees the user may see (the laboratory)."""
    from .models import FamilyPedigree

    return policy_for(FamilyPedigree).visible(
        user, FamilyPedigree.objects.select_related("anchor_specimen").prefetch_related("members")
    )


def pedigree_for_view(user, pk: int):
    """One pedigree with its members' specimen numbers; audited (it tells who is typed in a family)."""
    from .models import FamilyPedigree

    pedigree = policy_for(FamilyPedigree).get_visible_or_404(user, pk=pk)
    record_event("dna.pedigree.view", actor=user, object_type="dna.familypedigree", object_id=pedigree.pk)
    return pedigree
