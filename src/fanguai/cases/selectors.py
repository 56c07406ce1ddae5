"""Reads of cases, always through the Case policy. Viewing a case is audited (it names victims)."""

from dataclasses import dataclass

from django.db.models import Count, Q, QuerySet
from django.http import Http404

from fanguai.accounts.models import User
from fanguai.audit.services import record_event
from fanguai.clues.models import Clue
from fanguai.core.policies import policy_for
from fanguai.org.models import Region, Unit
from fanguai.org.selectors import units_in_county

from .models import Case, ClueLink, Package
from .policies import RESPONSIBLE_ROLES, assigned_to


def visible_cases(
    user, *, status: str = "", kind: str = "", query: str = "", mine: bool = False
) -> QuerySet[Case]:
    """The cases the user may see; `mine`: only those whose chief or a package owner the user is."""
    cases = policy_for(Case).visible(user, Case.objects.select_related("county", "owner_unit"))
    if mine:
        cases = cases.filter(assigned_to(user))
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


def responsible_candidates(case: Case) -> QuerySet[User]:
    """Who may be named chief or package owner of the case: active investigators and leaders of the police
    units of the case's county (the handling unit among them) and of the city police."""
    units = Unit.objects.filter(is_active=True, sector=Unit.Sector.POLICE)
    where = Q(pk=case.owner_unit_id) | Q(region__level=Region.Level.CITY)
    if case.county_id:
        where |= units_in_county(case.county, prefix="")
    return (
        User.objects.filter(is_active=True, role__in=RESPONSIBLE_ROLES, unit__in=units.filter(where))
        .select_related("unit")
        .order_by("unit__code", "full_name", "username")
    )


def my_open_packages(user) -> QuerySet[Package]:
    """The packages the user owns that are not done, of cases still open."""
    cases = visible_cases(user).exclude(status=Case.Status.CLOSED)
    return (
        Package.objects.filter(owner_id=user.pk, responsibility__case__in=cases.values("pk"))
        .exclude(status=Package.Status.DONE)
        .select_related("responsibility__case")
        .order_by("responsibility__case__filed_on", "id")
    )


def clue_for_link(user, number: str) -> Clue | None:
    """The clue of that number, if the user may see it (the clues policy); None otherwise, so that a number
    the user may not see reads the same as one that does not exist."""
    number = (number or "").strip().upper()
    if not number:
        return None
    return (
        policy_for(Clue)
        .visible(user, Clue.objects.filter(number=number))
        .select_related("merged_into")
        .first()
    )


def case_for_link(user, number: str) -> Case | None:
    """The case of that number, if the user may see it (the cases policy); None otherwise, so that a number
    the user may not see reads the same as one that does not exist."""
    number = (number or "").strip().upper()
    if not number:
        return None
    return policy_for(Case).visible(user, Case.objects.filter(number=number)).first()


def clue_for_case(user, pk: int) -> Clue:
    """A clue to open a case from: visible to the user (else 404)."""
    return policy_for(Clue).get_visible_or_404(user, pk=pk)


def cases_linked_to_clue(user, clue: Clue) -> QuerySet[Case]:
    """The cases a clue is linked to, those the user may see only."""
    linked = ClueLink.objects.filter(clue=clue).values("case_id")
    return visible_cases(user).filter(pk__in=linked)


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
