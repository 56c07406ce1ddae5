"""The DNA database over the API. Specimens are listed by number (no identity); genotypes and candidates
only for the laboratory; the same policies as the pages decide every row."""

from datetime import date

from django.http import Http404
from ninja import Router, Schema
from ninja.pagination import paginate

from fanguai.audit.services import record_event
from fanguai.dna import selectors
from fanguai.dna.policies import can_see_statistics, is_analyst

from ..pagination import Pagination
from ..schemas import Code, Text

router = Router(tags=["dna"])


class SpecimenOut(Schema):
    number: str
    category: str
    sex: str
    status: str
    collected_on: date
    county_code: str | None
    retest_requested: bool

    @staticmethod
    def resolve_county_code(obj) -> str | None:
        return obj.county.code if obj.county_id else None


class LocusOut(Schema):
    locus: str
    allele1: str
    allele2: str


class ProfileOut(Schema):
    number: str
    kit: str
    version: int
    loci: list[LocusOut]


class CandidateOut(Schema):
    id: int
    family_specimen: str
    partner_specimen: str | None
    found_specimen: str
    relationship: str
    total_lr: float
    log10_lr: float | None
    inconsistent_loci: list[str]
    conclusion: str
    kind: str
    status: str

    @staticmethod
    def resolve_family_specimen(obj) -> str:
        return obj.family_specimen.number

    @staticmethod
    def resolve_partner_specimen(obj) -> str | None:
        return obj.partner_specimen.number if obj.partner_specimen_id else None

    @staticmethod
    def resolve_found_specimen(obj) -> str:
        return obj.found_specimen.number


class StatisticsOut(Schema):
    total: int
    awaiting_typing: int
    open_matches: int
    by_county: dict[str, dict[str, int]]
    by_year: dict[str, dict[str, int]]


@router.get("/specimens", response=list[SpecimenOut])
@paginate(Pagination)
def list_specimens(request, category: Text = "", status: Text = ""):
    """Specimens the caller may see, by number (the laboratory: all; case officers: their own)."""
    return selectors.visible_specimens(request.auth, category=category, status=status)


@router.get("/specimens/{number}/profile", response=ProfileOut)
def get_profile(request, number: Code):
    """The genotypes of one specimen: DNA analysts only (audited)."""
    if not is_analyst(request.auth):
        raise Http404
    specimen = selectors.lab_specimen(request.auth, number)
    profile = selectors.profile_for_view(request.auth, specimen)
    if profile is None:
        raise Http404
    return {
        "number": specimen.number,
        "kit": profile.kit,
        "version": profile.version,
        "loci": [
            {"locus": locus, "allele1": a, "allele2": b} for locus, a, b in selectors.profile_rows(profile)
        ],
    }


@router.get("/candidates", response=list[CandidateOut])
@paginate(Pagination)
def list_candidates(request, kind: Text = "", status: Text = ""):
    """Matches, leads and exclusions: DNA analysts only."""
    record_event("dna.candidate.list", actor=request.auth, object_type="dna.candidate", details={"api": True})
    return selectors.candidates(request.auth, kind=kind, status=status)


@router.get("/statistics", response=StatisticsOut)
def statistics(request):
    """Aggregates only: specimens by county and category, awaiting typing, matches and reunions per year."""
    if not can_see_statistics(request.auth):
        raise Http404
    stats = selectors.statistics()
    codes = [code for code, _label in stats["categories"]]
    return {
        "total": stats["total"],
        "awaiting_typing": stats["awaiting_typing"],
        "open_matches": stats["open_matches"],
        "by_county": {county: dict(zip(codes, counts, strict=True)) for county, counts in stats["counties"]},
        "by_year": {str(year): row for year, row in stats["years"]},
    }
