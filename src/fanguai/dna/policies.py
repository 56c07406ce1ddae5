"""Who sees what of the DNA database. The separation of identity and genotype is enforced here:

- DNA analysts (the laboratory) see specimens, profiles, candidates and the analysis settings, never a
  `SpecimenLink`, a `SamplingRequest` or a `Reunion` (which carry identities);
- case officers (police investigators: their unit and county, or the whole city for city-level units) see
  the specimens they collected, the links to persons, sampling requests and reunions, never a `Profile` or a
  `Candidate` (which carry genotypes or per-locus numbers);
- nobody else sees anything but the statistics.
"""

from django.db.models import Q

from fanguai.accounts.roles import Role
from fanguai.core.policies import Policy, register
from fanguai.core.policies import signed_in_with_unit as _active

from .models import (
    AnalysisSettings,
    Candidate,
    ComparisonRun,
    FamilyPedigree,
    ImportBatch,
    Profile,
    Reunion,
    SamplingRequest,
    Specimen,
    SpecimenLink,
)

STATISTICS_ROLES = (Role.DNA_ANALYST, Role.INVESTIGATOR, Role.OFFICE_STAFF, Role.LEADER)


def is_analyst(user) -> bool:
    return _active(user) and user.role == Role.DNA_ANALYST


def is_case_officer(user) -> bool:
    return _active(user) and user.role == Role.INVESTIGATOR


def case_scope(user, unit_field: str = "collecting_unit", county_field: str = "county") -> Q | None:
    """The rows of the case officer's unit and county (everything for a city-level investigator)."""
    if not is_case_officer(user):
        return None
    if user.is_city_level:
        return Q()
    return Q(**{unit_field: user.unit}) | Q(**{county_field: user.county})


class _LabOnly(Policy):
    def visible(self, user, queryset):
        return queryset if is_analyst(user) else queryset.none()


@register(Profile)
class ProfilePolicy(_LabOnly):
    def can_export(self, user) -> bool:
        return is_analyst(user)

    def can_delete(self, user, profile: Profile) -> bool:
        specimen = profile.specimen
        return (
            is_analyst(user)
            and specimen.is_family_side
            and specimen.case_closed_at is not None
            and specimen.deletion_requested_at is not None
        )


@register(Candidate)
class CandidatePolicy(_LabOnly):
    def can_review(self, user, candidate: Candidate) -> bool:
        return is_analyst(user) and candidate.is_open


@register(AnalysisSettings)
class AnalysisSettingsPolicy(_LabOnly):
    def can_change(self, user) -> bool:
        return is_analyst(user)


@register(ComparisonRun)
class ComparisonRunPolicy(_LabOnly):
    def can_start(self, user) -> bool:
        return is_analyst(user)


@register(FamilyPedigree)
class FamilyPedigreePolicy(_LabOnly):
    """Pedigrees name specimens and per-member structure: the laboratory only."""

    def can_create(self, user) -> bool:
        return is_analyst(user)


@register(ImportBatch)
class ImportBatchPolicy(_LabOnly):
    def can_create(self, user) -> bool:
        return is_analyst(user)


@register(Specimen)
class SpecimenPolicy(Policy):
    """The laboratory sees every specimen (by number); a case officer sees those of their unit and county."""

    def visible(self, user, queryset):
        if is_analyst(user):
            return queryset
        scope = case_scope(user)
        return queryset.filter(scope) if scope is not None else queryset.none()

    def can_collect(self, user) -> bool:
        return is_case_officer(user)

    def can_send(self, user, specimen: Specimen) -> bool:
        return is_case_officer(user) and self.can_view(user, specimen)

    def can_handle_in_lab(self, user, specimen: Specimen) -> bool:
        return is_analyst(user) and specimen.status != Specimen.Status.DESTROYED

    def can_request_deletion(self, user, specimen: Specimen) -> bool:
        return (
            is_case_officer(user)
            and specimen.is_family_side
            and specimen.deletion_requested_at is None
            and hasattr(specimen, "profile")
            and self.can_view(user, specimen)
        )

    def can_close_case(self, user, specimen: Specimen) -> bool:
        return is_case_officer(user) and specimen.case_closed_at is None and self.can_view(user, specimen)


@register(SpecimenLink)
class SpecimenLinkPolicy(Policy):
    def visible(self, user, queryset):
        scope = case_scope(user)
        return queryset.filter(scope) if scope is not None else queryset.none()


@register(Reunion)
class ReunionPolicy(Policy):
    def visible(self, user, queryset):
        if not is_case_officer(user):
            return queryset.none()
        if user.is_city_level:
            return queryset
        return queryset.filter(
            Q(family_unit=user.unit)
            | Q(found_unit=user.unit)
            | Q(family_county=user.county)
            | Q(found_county=user.county)
        )

    def can_reveal(self, user, reunion: Reunion) -> bool:
        return self.can_view(user, reunion)

    def can_record(self, user, reunion: Reunion) -> bool:
        return reunion.status == Reunion.Status.CONFIRMED and self.can_view(user, reunion)


@register(SamplingRequest)
class SamplingRequestPolicy(Policy):
    def visible(self, user, queryset):
        if not _active(user) or user.role == Role.DNA_ANALYST:
            return queryset.none()
        condition = Q(collecting_unit=user.unit) | Q(requesting_unit=user.unit)
        if is_case_officer(user):
            condition |= Q(collecting_unit__region__parent=user.county) | Q(
                collecting_unit__region=user.county
            )
            if user.is_city_level:
                condition = Q()
        return queryset.filter(condition)

    def can_create(self, user) -> bool:
        return _active(user) and user.role in (Role.INVESTIGATOR, Role.CASEWORKER, Role.OFFICE_STAFF)

    def can_collect(self, user, request: SamplingRequest) -> bool:
        return (
            is_case_officer(user)
            and request.status == SamplingRequest.Status.OPEN
            and self.can_view(user, request)
        )


def sampled_persons_scope(user) -> Q | None:
    """A person scope (people.policies.add_scope): the collecting unit's case officers see the persons of
    the sampling requests sent to their unit, so that they can take the sample."""
    if not is_case_officer(user):
        return None
    return Q(pk__any=SamplingRequest.objects.filter(collecting_unit=user.unit).values("person_id"))


def reunion_persons_scope(user) -> Q | None:
    """A person scope (people.policies.add_scope): a confirmed match releases the identities to the case
    officers of the two units that collected its samples (the family side and the found side)."""
    if not is_case_officer(user):
        return None
    reunions = Reunion.objects.filter(Q(family_unit=user.unit) | Q(found_unit=user.unit))
    return (
        Q(pk__any=reunions.values("found_person_id"))
        | Q(pk__any=reunions.values("family_person_id"))
        | Q(pk__any=reunions.filter(partner_person__isnull=False).values("partner_person_id"))
        | Q(pk__any=reunions.filter(missing_person__isnull=False).values("missing_person_id"))
    )


def can_see_statistics(user) -> bool:
    return _active(user) and user.role in STATISTICS_ROLES
