"""Automatic comparison: the bridge between the database and the kinship engine.

The family side (parents, couples registered together, other relatives) is searched against the found side
(children of unknown origin, rescued persons, unidentified bodies) and the reverse. The engine's vectorised
search picks the top candidates (k per search) and every candidate beyond them whose LR reaches the lead
threshold, so that no lead is lost to k (the re-matching job outputs the same pairs); each kept candidate
is recomputed pairwise (`compute_lr`, bit-for-bit the same numbers) to store its per-locus table. A
candidate at or above the match threshold is a match (review queue); above the lead threshold and not
excluded, a lead; the best candidate of a search that is excluded is kept as an exclusion, so the
laboratory sees that the nearest reference was ruled out.
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
    SearchHit,
    SearchQuery,
    compute_lr,
    default_frequencies,
    load_frequencies,
    parse_frequencies,
    search,
)
from fanguai.kinship.conclusions import EXCLUDED, RELATIONSHIP_NOT_SUPPORTED, Thresholds
from fanguai.kinship.frequencies import DEFAULT_SAMPLE_SIZE
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
from .pedigree_messages import problem, problems_of

NOT_SUPPORTED = (EXCLUDED, RELATIONSHIP_NOT_SUPPORTED)


def active_settings() -> AnalysisSettings:
    current = AnalysisSettings.objects.filter(is_active=True).order_by("-id").first()
    if current is None:
        current = AnalysisSettings.objects.create(frequency_name="str-allele-frequencies-chinese.csv")
    return current


@lru_cache(maxsize=8)
def _model_for(
    settings_id: int | None,
    frequency_csv: str,
    sample_size: int,
    minimum_frequency: float | None,
    floor_listed: bool,
    mutation: str,
    rate: float,
    microvariant_rate: float,
    untyped_transmission: str,
    theta: float,
) -> KinshipModel:
    table_options = {
        "sample_size": sample_size,
        "minimum_frequency": minimum_frequency,
        "floor_listed": floor_listed,
    }
    if frequency_csv:
        table = parse_frequencies(frequency_csv, **table_options)
    elif sample_size == DEFAULT_SAMPLE_SIZE and minimum_frequency is None and not floor_listed:
        table = default_frequencies()
    else:
        table = load_frequencies(**table_options)
    stepwise = mutation == "stepwise"
    mutates = mutation != "none" and (rate > 0 or (stepwise and microvariant_rate > 0))
    model = (
        MutationModel.uniform(
            mutation,
            rate,
            microvariant_rate=microvariant_rate if stepwise else None,
            mutate_untyped=untyped_transmission != AnalysisSettings.UntypedTransmission.PLAIN,
        )
        if mutates
        else None
    )
    return KinshipModel(table, model, theta=theta)


def model_for(settings: AnalysisSettings) -> KinshipModel:
    """The kinship model of the analysis settings: the one place where settings become a `KinshipModel`
    (frequency table and its minimum, mutation model and convention, θ). Cached per settings."""
    return _model_for(
        settings.pk,
        settings.frequency_csv,
        settings.sample_size,
        settings.minimum_frequency,
        settings.floor_listed,
        settings.mutation,
        settings.mutation_rate,
        settings.microvariant_rate,
        settings.untyped_transmission,
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


# Names of the reference sets a search targets (also the sets of a re-matching job, `rematch`).
SINGLES, COUPLES, FOUND = "singles", "couples", "found"


def relatives_set(relation: str) -> str:
    return f"relatives:{relation}"


ReferenceRows = list[tuple[tuple[str, ...], list[dict]]]
"""Rows of one reference set in index order: the reference's id(s) and profile(s) (mother, father)."""


def reference_sets(sets: Sets) -> dict[str, ReferenceRows]:
    """Every non-empty reference set the searches target, by name (one source for the local indexes and
    for the re-matching job)."""
    members: dict[str, ReferenceRows] = {}
    if sets.singles:
        members[SINGLES] = [((str(i),), [sets.profiles[i]]) for i in sets.singles]
    if sets.couples:
        members[COUPLES] = [((str(m), str(f)), [sets.profiles[m], sets.profiles[f]]) for m, f in sets.couples]
    for relation, ids in sets.relatives.items():
        if ids:
            members[relatives_set(relation)] = [((str(i),), [sets.profiles[i]]) for i in ids]
    if sets.found:
        members[FOUND] = [((str(i),), [sets.profiles[i]]) for i in sets.found]
    return members


@dataclass
class Indexes:
    model: KinshipModel
    singles: ProfileIndex | None
    couples: CoupleIndex | None
    relatives: dict[str, ProfileIndex]
    found: ProfileIndex | None

    def target(self, name: str) -> ProfileIndex | CoupleIndex | None:
        """The index of a reference set named as `reference_sets` names it."""
        if name.startswith("relatives:"):
            return self.relatives.get(name.split(":", 1)[1])
        return {SINGLES: self.singles, COUPLES: self.couples, FOUND: self.found}.get(name)


def build_indexes(sets: Sets, model: KinshipModel) -> Indexes:
    # One allele universe for every index, so that all numbers come from the same extended table.
    model = model.covering(list(sets.profiles.values()))
    members = reference_sets(sets)

    def single(name: str) -> ProfileIndex | None:
        rows = members.get(name)
        return ProfileIndex.build({ids[0]: profiles[0] for ids, profiles in rows}, model) if rows else None

    couples = members.get(COUPLES)
    return Indexes(
        model=model,
        singles=single(SINGLES),
        couples=CoupleIndex.build([(ids[0], p[0], ids[1], p[1]) for ids, p in couples], model)
        if couples
        else None,
        relatives={name.split(":", 1)[1]: single(name) for name in members if name.startswith("relatives:")},
        found=single(FOUND),
    )


@dataclass(frozen=True)
class Found:
    """One comparison to keep: family specimen (mother of a couple), partner (father) or None, found."""

    family: int
    partner: int | None
    found: int
    relationship: str
    rank: int


@dataclass(frozen=True)
class Search:
    """One search a typed specimen makes against a reference set, and how its hits become `Found`s.

    ``role``: ``found`` (the specimen is on the found side; a reference is a single parent, a couple or a
    relative) or ``family`` (the specimen, or its couple, is the family side: ``family``/``partner``;
    a reference is a found person).
    """

    specimen: int
    target: str
    role: str
    relationship: str
    family: int | None = None
    partner: int | None = None
    query: SearchQuery | None = field(default=None, compare=False, repr=False)

    def found(self, reference: tuple[str, ...], rank: int) -> Found:
        """The comparison of a hit, ``reference`` being the reference's id(s) (mother, father)."""
        if self.role == "found":
            partner = int(reference[1]) if len(reference) > 1 else None
            return Found(int(reference[0]), partner, self.specimen, self.relationship, rank)
        return Found(self.family, self.partner, int(reference[0]), self.relationship, rank)  # type: ignore[arg-type]


def searches_for(specimen_id: int, sets: Sets) -> list[Search]:
    """Every search of one typed specimen against the opposite side (the reference sets of `reference_sets`
    that are not empty), in the order the local run makes them."""
    specimen = sets.specimens[specimen_id]
    profile = sets.profiles[specimen_id]
    searches: list[Search] = []
    if specimen.category in FOUND_SIDE:
        if sets.singles:
            searches.append(
                Search(specimen_id, SINGLES, "found", "parent-child", query=SearchQuery("parent", (profile,)))
            )
        if sets.couples:
            searches.append(
                Search(specimen_id, COUPLES, "found", "couple", query=SearchQuery("couple", (profile,)))
            )
        for relation, ids in sets.relatives.items():
            if ids:
                query = SearchQuery(relation, (profile,))
                searches.append(Search(specimen_id, relatives_set(relation), "found", relation, query=query))
        return searches
    if not sets.found:
        return searches
    if specimen.category == Category.RELATIVE:
        relation = specimen.relation or "full-siblings"
        query = SearchQuery(relation, (profile,))
        return [Search(specimen_id, FOUND, "family", relation, family=specimen_id, query=query)]
    couple = couple_of(specimen, sets)
    if couple is not None:
        mother, father = couple
        query = SearchQuery("child", (sets.profiles[mother], sets.profiles[father]))
        return [Search(specimen_id, FOUND, "family", "couple", family=mother, partner=father, query=query)]
    query = SearchQuery("child", (profile,))
    return [Search(specimen_id, FOUND, "family", "parent-child", family=specimen_id, query=query)]


def search_with_leads(
    index: ProfileIndex | CoupleIndex,
    query: SearchQuery,
    top: int,
    thresholds: Thresholds,
    lead_lr: float | None = None,
) -> list[SearchHit]:
    """The top ``top`` hits, and beyond them every hit whose LR is at or above ``lead_lr`` (the search is
    widened while its last hit still reaches it, as the re-matching job does), ranked as `search` ranks."""
    size = len(index)
    count = min(top, size)
    hits = search(index, query, top=count, thresholds=thresholds)
    if lead_lr is None:
        return hits
    while hits and len(hits) == count < size and hits[-1].total_lr >= lead_lr:
        count = min(size, count * 4)
        hits = search(index, query, top=count, thresholds=thresholds)
    return [hit for hit in hits if hit.rank <= top or hit.total_lr >= lead_lr]


def reference_ids(reference: str | tuple[str, ...]) -> tuple[str, ...]:
    return reference if isinstance(reference, tuple) else (reference,)


def queries_for(
    specimen_id: int,
    sets: Sets,
    indexes: Indexes,
    top: int,
    thresholds: Thresholds,
    lead_lr: float | None = None,
) -> list[Found]:
    """Search one typed specimen against the opposite side: the top ``top`` of each search and, with
    ``lead_lr``, every reference beyond them whose LR reaches it."""
    results: list[Found] = []
    for planned in searches_for(specimen_id, sets):
        index = indexes.target(planned.target)
        if index is None or planned.query is None:
            continue
        for hit in search_with_leads(index, planned.query, top, thresholds, lead_lr):
            results.append(planned.found(reference_ids(hit.reference), hit.rank))
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


def keep(
    found: Found, sets: Sets, model: KinshipModel, thresholds: Thresholds, settings: AnalysisSettings
) -> Candidate | None:
    """Evaluate one comparison pairwise and store it when the thresholds keep it (both engines)."""
    result = evaluate(found, sets, model, thresholds)
    kind = classify(result, found.rank, settings)
    return None if kind is None else store(found, result, kind, settings)


def compare(specimen_ids: Iterable[int], settings: AnalysisSettings, progress=None) -> list[Candidate]:
    """Search each typed specimen against the opposite side and keep what the thresholds say."""
    sets = load_sets()
    indexes = build_indexes(sets, model_for(settings))
    thresholds = thresholds_for(settings)
    wanted = [i for i in specimen_ids if i in sets.profiles]
    kept: dict[str, Candidate] = {}
    pedigrees = PedigreeSearch(sets, indexes.model, indexes.found, thresholds)
    for position, specimen_id in enumerate(wanted, start=1):
        with transaction.atomic():
            searched = queries_for(
                specimen_id, sets, indexes, settings.top, thresholds, settings.lead_threshold
            )
            for found in searched:
                candidate = keep(found, sets, indexes.model, thresholds, settings)
                if candidate is not None:
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
    flagged: bool = False  # the last search could not use it (`FamilyPedigree.search_skipped_at`)


def note_skipped(pedigree_id: int, problems: list[dict]) -> None:
    """Record why a pedigree could not be searched, so that the laboratory sees it (pedigree pages)."""
    FamilyPedigree.objects.filter(pk=pedigree_id).update(
        search_problems=problems, search_skipped_at=timezone.now()
    )


def _clear_skipped(pedigree_id: int) -> None:
    FamilyPedigree.objects.filter(pk=pedigree_id).update(search_problems=[], search_skipped_at=None)


def load_pedigrees(sets: Sets) -> list[PedigreeRef]:
    """The registered pedigrees that can be searched; the others are recorded as skipped, with why."""
    refs: list[PedigreeRef] = []
    for row in FamilyPedigree.objects.prefetch_related("members").order_by("id"):
        members = list(row.members.all())
        family = {m.member_id: m.specimen_id for m in members if m.specimen_id in sets.profiles}
        family.pop(row.missing_member, None)
        if not family:  # e.g. every typed member's profile was deleted
            note_skipped(
                row.pk,
                [problem("no_typed_member", "no typed member in the pedigree besides the missing person")],
            )
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
        except PedigreeError as error:
            note_skipped(row.pk, problems_of(error))
            continue
        flagged = row.search_skipped_at is not None
        refs.append(
            PedigreeRef(row.pk, pedigree, row.missing_member, family, row.anchor_specimen_id, flagged)
        )
    return refs


class PedigreeSearch:
    """Every registered pedigree searched like a couple: its per-locus tables over the genotype codes of
    the missing child's place are computed once per batch and gathered for each found-side profile.

    ``found`` is the index of the found side built with ``model`` (the covering model of the batch). A
    pedigree the engine cannot compute (`PedigreeError`) is not searched and is recorded as skipped on its
    row, with the reasons, for the pedigree pages; a later successful search clears it.
    """

    def __init__(self, sets: Sets, model: KinshipModel, found: ProfileIndex | None, thresholds: Thresholds):
        self.sets, self.model, self.found, self.thresholds = sets, model, found, thresholds
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
                    ref.pedigree, self.family(ref), ref.missing, self.model, self.found.loci
                )
            except PedigreeError as error:  # e.g. θ > 0 with too many untyped founders
                self._tables[ref.pk] = None
                note_skipped(ref.pk, problems_of(error))
                ref.flagged = True
            else:
                if ref.flagged:
                    _clear_skipped(ref.pk)
                    ref.flagged = False
        return self._tables[ref.pk]

    def compare(self, specimen_id: int, settings: AnalysisSettings) -> list[Candidate]:
        """A found-side specimen against every pedigree, or a pedigree member's pedigrees against the
        found side: the top ``settings.top`` by LR and every other one that reaches the lead threshold;
        returns the stored candidates."""
        index = self.found
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
            for rank, (score, ref) in enumerate(scored, start=1):
                if _selected(rank, score, settings):
                    kept += self._keep(ref, specimen_id, rank, settings)
            return kept
        for ref in self.refs:
            if specimen_id not in ref.family.values():
                continue
            tables = self.tables(ref)
            if tables is None:
                continue
            scores = scan_scores(tables, index)
            order = sorted(range(len(index)), key=lambda i: (-scores[i], i))
            for rank, row in enumerate(order, start=1):
                if not _selected(rank, float(scores[row]), settings):
                    break
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


LEAD_SCORE_SLACK = 1e-9
"""log10 slack when a scan score is compared with the lead threshold (the stored LR decides the kind)."""


def _selected(rank: int, log10_score: float, settings: AnalysisSettings) -> bool:
    """A pedigree scan hit is evaluated when it is in the top k or its score reaches the lead threshold."""
    return rank <= settings.top or log10_score >= math.log10(settings.lead_threshold) - LEAD_SCORE_SLACK


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
