"""Reads of cases, always through the Case policy. Viewing a case is audited (it names victims)."""

from dataclasses import dataclass

from django.db.models import Count, Q, QuerySet
from django.http import Http404

from fanguai.audit.services import record_event
from fanguai.core.policies import policy_for
from fanguai.org.models import Region

from .models import Case, Package


def visible_cases(user, *, status: str = "", kind: str = "", query: str = "") -> QuerySet[Case]:
    cases = policy_for(Case).visible(user, Case.objects.select_related("county", "owner_unit"))
    if status:
        cases = cases.filter(status=status)
    if kind:
        cases = cases.filter(kind=kind)
    if query:
        cases = cases.filter(Q(number=query.strip().upper()) | Q(title__icontains=query.strip()))
    return cases


def case_for_view(user, pk: int) -> Case:
    case = policy_for(Case).get_visible_or_404(user, pk=pk)
    record_event("case.view", actor=user, object_type="cases.case", object_id=case.pk)
    return case


def case_for_change(user, pk: int) -> Case:
    """The case, if visible (else 404); the caller checks the change permission (403)."""
    return policy_for(Case).get_visible_or_404(user, pk=pk)


def package_for_change(user, pk: int) -> Package:
    try:
        package = Package.objects.select_related("responsibility__case").get(pk=pk)
    except Package.DoesNotExist as exc:
        raise Http404 from exc
    if not policy_for(Case).can_view(user, package.responsibility.case):
        raise Http404
    return package


@dataclass(frozen=True)
class ClearanceRow:
    county_code: str
    county_name: str
    filed: int
    solved: int

    @property
    def rate(self) -> float | None:
        return self.solved / self.filed if self.filed else None

    @property
    def percent(self) -> str:
        return "—" if self.rate is None else f"{self.rate * 100:.1f}%"


def clearance_rates(user, year: int) -> list[ClearanceRow]:
    """发一破一: of the cases filed in the year, how many are solved, per county. County-level users see
    their county; city-level users every county plus the cases of city units. Counts only, no records."""
    if not policy_for(Case).can(user, "see_clearance"):
        return []
    counties = Region.objects.filter(level__in=[Region.Level.COUNTY, Region.Level.ZONE]).order_by("code")
    own_county = user.county
    if own_county is not None:
        counties = counties.filter(pk=own_county.pk)
    counts = {
        row["county"]: row
        for row in Case.objects.filter(filed_on__year=year)
        .values("county")
        .annotate(filed=Count("pk"), solved=Count("pk", filter=Q(solved_on__isnull=False)))
    }
    rows = []
    for county in counties:
        row = counts.get(county.pk, {"filed": 0, "solved": 0})
        rows.append(ClearanceRow(county.code, county.name, row["filed"], row["solved"]))
    if own_county is None and None in counts:
        row = counts[None]
        rows.append(ClearanceRow("", "", row["filed"], row["solved"]))
    return rows
