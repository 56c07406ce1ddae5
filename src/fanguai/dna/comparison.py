"""Automatic comparison: the bridge between the database and the kinship engine.

The family side (parents, couples registered together, other relatives) is searched against the found side
(children of unknown origin, rescued persons, unidentified bodies) and the reverse. The engine's vectorised
search picks the top candidates; each kept candidate is recomputed pairwise (`compute_lr`, bit-for-bit
the same numbers) to store its per-locus table. A candidate at or above the match threshold is a match
(review queue); above the lead threshold and not excluded, a lead; the best candidate of a search that is
excluded is kept as an exclusion, so the laboratory sees that the nearest reference was ruled out.
"""

from __future__ import annotations

import math
from collections.abc import Iterable
from dataclasses import dataclass, field
from functools import lru_cache

from django.db import transaction
from django.utils import timezone

from fanguai.kinship import (
    CoupleIndex,
    KinshipModel,
    MutationModel,
    ProfileIndex,
    SearchQuery,
    compute_lr,
    default_frequencies,
    parse_frequencies,
    search,
)
from fanguai.kinship.conclusions import EXCLUDED, RELATIONSHIP_NOT_SUPPORTED, Thresholds
from fanguai.kinship.pedigree import Member as PedigreeMemberSpec
from fanguai.kinship.pedigree import Pedigree as KinshipPedigree
from fanguai.kinship.pedigree import PedigreeError, pedigree_tables, result_from_tables, scan_scores

from .models import (
    FAMILY_SIDE,
    FOUND_SIDE,
    AnalysisSettings,
    Candidate,
    Category,
    FamilyPedigree,
    Profile,
    Specimen,
)

NOT_SUPPORTED = (EXCLUDED, RELATIONSHIP_NOT_SUPPORTED)


def active_settings() -> AnalysisSettings:
    current = AnalysisSettings.objects.filter(is_active=True).order_by("-id").first()
    if current is None:
        current = AnalysisSettings.objects.create(frequency_name="str-allele-frequencies-chinese.csv")
    return current


@lru_cache(maxsize=8)
def _model_for(
    settings_id: int, frequency_csv: str, sample_size: int, mutation: str, rate: float, theta: float
):
    if frequency_csv:
        table = parse_frequencies(frequency_csv, sample_size=sample_size)
    elif sample_size == 5000:
        table = default_frequencies()
    else:
        from fanguai.kinship import load_frequencies

        table = load_frequencies(sample_size=sample_size)
    model = MutationModel.uniform(mutation, rate) if mutation != "none" and rate > 0 else None
    return KinshipModel(table, model, theta=theta)


def model_for(settings: AnalysisSettings) -> KinshipModel:
    return _model_for(
        settings.pk,
        settings.frequency_csv,
        settings.sample_size,
        settings.mutation,
        settings.mutation_rate,
        settings.theta,
    )


def thresholds_for(settings: AnalysisSettings) -> Thresholds:
    return Thresholds(support=settings.match_threshold)


@dataclass
class Sets:
    """Every typed profile, split by side; built once per batch of searches."""

    profiles: dict[int, dict] = field(default_factory=dict)
    specimens: dict[int, Specimen] = field(default_factory=dict)
    singles: list[int] = field(default_factory=list)  # parents without a typed partner
    couples: list[tuple[int, int]] = field(default_factory=list)  # (mother, father)
    relatives: dict[str, list[int]] = field(default_factory=dict)  # relation -> specimen ids
    found: list[int] = field(default_factory=list)


def load_sets() -> Sets:
    sets = Sets()
    rows = Profile.objects.select_related("specimen").filter(specimen__profile_deleted_at__isnull=True)
    for profile in rows:
        sets.profiles[profile.specimen_id] = profile.as_profile()
        sets.specimens[profile.specimen_id] = profile.specimen
    seen_couples: set[int] = set()
    for specimen_id, specimen in sets.specimens.items():
        if specimen.category in FOUND_SIDE:
            sets.found.append(specimen_id)
        elif specimen.category == Category.RELATIVE:
            sets.relatives.setdefault(specimen.relation or "full-siblings", []).append(specimen_id)
        elif specimen.category == Category.PARENT:
            couple = couple_of(specimen, sets)
            if couple is None:
                sets.singles.append(specimen_id)
            elif specimen_id not in seen_couples:
                seen_couples.update(couple)
                sets.couples.append(couple)
    return sets


def couple_of(specimen: Specimen, sets: Sets) -> tuple[int, int] | None:
    """(mother id, father id) when the specimen's registered partner is typed too."""
    partner_id = specimen.partner_id
    if partner_id is None or partner_id not in sets.profiles:
        return None
    partner = sets.specimens[partner_id]
    if specimen.sex == Specimen.Sex.MALE or partner.sex == Specimen.Sex.FEMALE:
        return (partner_id, specimen.pk)
    return (specimen.pk, partner_id)


@dataclass
class Indexes:
    model: KinshipModel
    singles: ProfileIndex | None
    couples: CoupleIndex | None
    relatives: dict[str, ProfileIndex]
    found: ProfileIndex | None


def build_indexes(sets: Sets, model: KinshipModel) -> Indexes:
    # One allele universe for every index, so that all numbers come from the same extended table.
    model = model.covering(list(sets.profiles.values()))

    def single(ids: list[int]) -> ProfileIndex | None:
        return ProfileIndex.build({str(i): sets.profiles[i] for i in ids}, model) if ids else None

    couples = (
        CoupleIndex.build(
            [(str(m), sets.profiles[m], str(f), sets.profiles[f]) for m, f in sets.couples], model
        )
        if sets.couples
        else None
    )
    return Indexes(
        model=model,
        singles=single(sets.singles),
        couples=couples,
        relatives={relation: single(ids) for relation, ids in sets.relatives.items() if ids},
        found=single(sets.found),
    )


@dataclass(frozen=True)
class Found:
    """One comparison to keep: family specimen (mother of a couple), partner (father) or None, found."""

    family: int
    partner: int | None
    found: int
    relationship: str
    rank: int


def queries_for(
    specimen_id: int, sets: Sets, indexes: Indexes, top: int, thresholds: Thresholds
) -> list[Found]:
    """Search one typed specimen against the opposite side."""
    specimen = sets.specimens[specimen_id]
    profile = sets.profiles[specimen_id]
    results: list[Found] = []
    if specimen.category in FOUND_SIDE:
        if indexes.singles is not None:
            for hit in search(
                indexes.singles, SearchQuery("parent", (profile,)), top=top, thresholds=thresholds
            ):
                results.append(Found(int(hit.reference), None, specimen_id, "parent-child", hit.rank))
        if indexes.couples is not None:
            for hit in search(
                indexes.couples, SearchQuery("couple", (profile,)), top=top, thresholds=thresholds
            ):
                mother, father = hit.reference
                results.append(Found(int(mother), int(father), specimen_id, "couple", hit.rank))
        for relation, index in indexes.relatives.items():
            for hit in search(index, SearchQuery(relation, (profile,)), top=top, thresholds=thresholds):
                results.append(Found(int(hit.reference), None, specimen_id, relation, hit.rank))
        return results
    if indexes.found is None:
        return results
    if specimen.category == Category.RELATIVE:
        relation = specimen.relation or "full-siblings"
        for hit in search(indexes.found, SearchQuery(relation, (profile,)), top=top, thresholds=thresholds):
            results.append(Found(specimen_id, None, int(hit.reference), relation, hit.rank))
        return results
    couple = couple_of(specimen, sets)
    if couple is not None:
        mother, father = couple
        query = SearchQuery("child", (sets.profiles[mother], sets.profiles[father]))
        for hit in search(indexes.found, query, top=top, thresholds=thresholds):
            results.append(Found(mother, father, int(hit.reference), "couple", hit.rank))
    else:
        for hit in search(indexes.found, SearchQuery("child", (profile,)), top=top, thresholds=thresholds):
            results.append(Found(specimen_id, None, int(hit.reference), "parent-child", hit.rank))
    return results


def evaluate(found: Found, sets: Sets, model: KinshipModel, thresholds: Thresholds):
    family = sets.profiles[found.family]
    child = sets.profiles[found.found]
    if found.relationship == "couple":
        persons = [family, sets.profiles[found.partner], child]
    elif found.relationship == "parent-child":
        persons = [family, child]
    else:
        persons = [child, family]
    parent_sex = "female" if sets.specimens[found.family].sex == Specimen.Sex.FEMALE else "male"
    return compute_lr(found.relationship, persons, model=model, thresholds=thresholds, parent_sex=parent_sex)


def classify(result, rank: int, settings: AnalysisSettings) -> str | None:
    if result.total_lr >= settings.match_threshold:
        return Candidate.Kind.MATCH
    if result.total_lr >= settings.lead_threshold and result.conclusion not in NOT_SUPPORTED:
        return Candidate.Kind.LEAD
    if rank == 1 and result.conclusion in NOT_SUPPORTED:
        return Candidate.Kind.EXCLUDED
    return None


def result_values(result, kind: str, settings: AnalysisSettings) -> dict:
    """The stored numbers of a comparison result (shared by pairwise and pedigree candidates)."""
    return {
        "total_lr": result.total_lr,
        "log10_lr": None if math.isinf(result.log10_lr) else result.log10_lr,
        "loci": [
            {"locus": r.locus, "lr": r.lr, "typed": r.typed, "inconsistent": r.inconsistent}
            for r in result.loci
        ],
        "inconsistent_loci": list(result.inconsistent_loci),
        "conclusion": result.conclusion,
        "kind": kind,
        "analysis": settings,
    }


def store(found: Found, result, kind: str, settings: AnalysisSettings) -> Candidate:
    """Create or refresh the candidate. A decided candidate keeps its decision; its numbers are refreshed."""
    key = Candidate.key_for(found.family, found.partner, found.found)
    values = {
        "family_specimen_id": found.family,
        "partner_specimen_id": found.partner,
        "found_specimen_id": found.found,
        "relationship": found.relationship,
        **result_values(result, kind, settings),
    }
    candidate, _ = Candidate.objects.update_or_create(pair_key=key, defaults=values)
    return candidate


def compare(specimen_ids: Iterable[int], settings: AnalysisSettings, progress=None) -> list[Candidate]:
    """Search each typed specimen against the opposite side and keep what the thresholds say."""
    sets = load_sets()
    indexes = build_indexes(sets, model_for(settings))
    thresholds = thresholds_for(settings)
    wanted = [i for i in specimen_ids if i in sets.profiles]
    kept: dict[str, Candidate] = {}
    pedigrees = PedigreeSearch(sets, indexes, thresholds)
    for position, specimen_id in enumerate(wanted, start=1):
        with transaction.atomic():
            for found in queries_for(specimen_id, sets, indexes, settings.top, thresholds):
                result = evaluate(found, sets, indexes.model, thresholds)
                kind = classify(result, found.rank, settings)
                if kind is not None:
                    candidate = store(found, result, kind, settings)
                    kept[candidate.pair_key] = candidate
            for candidate in pedigrees.compare(specimen_id, settings):
                kept[candidate.pair_key] = candidate
        if progress is not None:
            progress(position, len(wanted))
    return list(kept.values())


def all_typed_specimen_ids() -> list[int]:
    return list(
        Profile.objects.filter(
            specimen__category__in=[*FAMILY_SIDE, *FOUND_SIDE], specimen__profile_deleted_at__isnull=True
        )
        .order_by("specimen_id")
        .values_list("specimen_id", flat=True)
    )


def drop_stale(settings: AnalysisSettings) -> int:
    """After a full re-run: undecided candidates that the new settings no longer find are removed."""
    stale = Candidate.objects.filter(status=Candidate.Status.NEW, reviews__isnull=True).exclude(
        analysis=settings
    )
    count = stale.count()
    stale.delete()
    return count


def finished_now():
    return timezone.now()


# --- Reference pedigrees (issue 12) --------------------------------------------------------------------


@dataclass
class PedigreeRef:
    """A registered pedigree with the typed members that have a profile (member id -> specimen id)."""

    pk: int
    pedigree: KinshipPedigree
    missing: str
    family: dict[str, int]
    anchor: int


def load_pedigrees(sets: Sets) -> list[PedigreeRef]:
    refs: list[PedigreeRef] = []
    for row in FamilyPedigree.objects.prefetch_related("members").order_by("id"):
        members = list(row.members.all())
        family = {m.member_id: m.specimen_id for m in members if m.specimen_id in sets.profiles}
        family.pop(row.missing_member, None)
        if not family:
            continue
        try:
            pedigree = KinshipPedigree(
                [
                    PedigreeMemberSpec(
                        m.member_id, m.father or None, m.mother or None, "male" if m.sex == "M" else "female"
                    )
                    for m in members
                ]
            )
        except PedigreeError:
            continue
        refs.append(PedigreeRef(row.pk, pedigree, row.missing_member, family, row.anchor_specimen_id))
    return refs


class PedigreeSearch:
    """Every registered pedigree searched like a couple: its per-locus tables over the genotype codes of
    the missing child's place are computed once per batch and gathered for each found-side profile."""

    def __init__(self, sets: Sets, indexes: Indexes, thresholds: Thresholds):
        self.sets, self.indexes, self.thresholds = sets, indexes, thresholds
        self._refs: list[PedigreeRef] | None = None
        self._tables: dict[int, object] = {}

    @property
    def refs(self) -> list[PedigreeRef]:
        if self._refs is None:
            self._refs = load_pedigrees(self.sets)
        return self._refs

    def family(self, ref: PedigreeRef) -> dict:
        return {member: self.sets.profiles[specimen] for member, specimen in ref.family.items()}

    def tables(self, ref: PedigreeRef):
        if ref.pk not in self._tables:
            try:
                self._tables[ref.pk] = pedigree_tables(
                    ref.pedigree, self.family(ref), ref.missing, self.indexes.model, self.indexes.found.loci
                )
            except PedigreeError:  # e.g. θ > 0 with too many untyped founders: not searched
                self._tables[ref.pk] = None
        return self._tables[ref.pk]

    def compare(self, specimen_id: int, settings: AnalysisSettings) -> list[Candidate]:
        """A found-side specimen against every pedigree, or a pedigree member's pedigrees against the
        found side (top ``settings.top`` by LR); returns the stored candidates."""
        index = self.indexes.found
        if index is None or not self.refs:
            return []
        specimen = self.sets.specimens[specimen_id]
        kept: list[Candidate] = []
        if specimen.category in FOUND_SIDE:
            row = index.ids.index(str(specimen_id))
            scored = []
            for ref in self.refs:
                tables = self.tables(ref)
                if tables is not None:
                    scored.append((float(scan_scores(tables, index)[row]), ref))
            scored.sort(key=lambda item: -item[0])
            for rank, (_score, ref) in enumerate(scored[: settings.top], start=1):
                kept += self._keep(ref, specimen_id, rank, settings)
            return kept
        for ref in self.refs:
            if specimen_id not in ref.family.values():
                continue
            tables = self.tables(ref)
            if tables is None:
                continue
            scores = scan_scores(tables, index)
            order = sorted(range(len(index)), key=lambda i: (-scores[i], i))[: settings.top]
            for rank, row in enumerate(order, start=1):
                kept += self._keep(ref, int(index.ids[row]), rank, settings)
        return kept

    def _keep(
        self, ref: PedigreeRef, found_id: int, rank: int, settings: AnalysisSettings
    ) -> list[Candidate]:
        result = result_from_tables(
            self.tables(ref), self.family(ref), self.sets.profiles[found_id], thresholds=self.thresholds
        )
        kind = classify(result, rank, settings)
        if kind is None:
            return []
        return [store_pedigree(ref, found_id, result, kind, settings)]


def store_pedigree(
    ref: PedigreeRef, found_id: int, result, kind: str, settings: AnalysisSettings
) -> Candidate:
    """Create or refresh a pedigree candidate (family specimen: the pedigree's first typed member)."""
    values = {
        "family_specimen_id": ref.anchor,
        "partner_specimen_id": None,
        "found_specimen_id": found_id,
        "pedigree_id": ref.pk,
        "relationship": "pedigree",
        **result_values(result, kind, settings),
    }
    candidate, _ = Candidate.objects.update_or_create(
        pair_key=Candidate.pedigree_key_for(ref.pk, found_id), defaults=values
    )
    return candidate
