"""Every read of supervision, already filtered by the policies: a selector never returns a row the user may
not see."""

from datetime import UTC, datetime

from django.db.models import Case, Count, Exists, OuterRef, Q, QuerySet, Subquery, Value, When
from django.db.models.fields import CharField, DateTimeField
from django.db.models.functions import Coalesce
from django.utils import timezone

from fanguai.core.policies import policy_for
from fanguai.files.selectors import files_for
from fanguai.org.selectors import units_in_county

from .models import (
    Finding,
    Inspection,
    LiftRequest,
    Listing,
    ListingWarning,
    ProgressReport,
    Rectification,
    RectificationReport,
    TimelineEntry,
)

EPOCH = datetime(1970, 1, 1, tzinfo=UTC)
WARNING_LEVELS = ("yellow", "red", "none")


def with_warning_level(listings: QuerySet[Listing]) -> QuerySet[Listing]:
    """Annotate `warning_level` ("red", "yellow" or ""): the warning in force on an open listing. A red or
    yellow warning counts only for the current deadline; a progress report lifts an earlier yellow one."""
    last_report = Subquery(
        ProgressReport.objects.filter(listing=OuterRef("pk"), withdrawn_at__isnull=True)
        .order_by("-created_at")
        .values("created_at")[:1]
    )
    current = ListingWarning.objects.filter(listing=OuterRef("pk"), due_at=OuterRef("due_at"))
    red = Exists(current.filter(level=ListingWarning.Level.RED))
    yellow = Exists(
        current.filter(level=ListingWarning.Level.YELLOW, created_at__gt=OuterRef("last_report_at"))
    )
    return listings.annotate(
        last_report_at=Coalesce(last_report, Value(EPOCH), output_field=DateTimeField())
    ).annotate(
        warning_level=Case(
            When(status=Listing.Status.LIFTED, then=Value("")),
            When(red, then=Value("red")),
            When(yellow, then=Value("yellow")),
            default=Value(""),
            output_field=CharField(),
        )
    )


def _in_county(county_code: str, unit_prefix: str, region_field: str | None = None) -> Q:
    from fanguai.org.models import Region

    county = Region.objects.filter(code=county_code).first()
    if county is None:
        return Q(pk__in=[])
    condition = units_in_county(county, prefix=unit_prefix)
    if region_field:
        condition |= Q(**{region_field: county}) | Q(**{f"{region_field}__parent": county})
    return condition


def _number_lookup(query: str, prefix: str) -> Q:
    text = query.strip().upper()
    if text.startswith(prefix + "-"):
        text = text[len(prefix) + 1 :]
    return Q(pk=int(text)) if text.isdigit() else Q(pk__in=[])


def visible_listings(
    user, *, status: str = "", level: str = "", unit=None, county: str = "", query: str = "", kind: str = ""
) -> QuerySet[Listing]:
    rows = policy_for(Listing).visible(
        user, Listing.objects.select_related("responsible_unit", "region", "listed_by")
    )
    rows = with_warning_level(rows)
    if status == "open":
        rows = rows.exclude(status=Listing.Status.LIFTED)
    elif status:
        rows = rows.filter(status=status)
    if level:
        rows = rows.filter(warning_level="" if level == "none" else level)
    if kind:
        rows = rows.filter(kind=kind)
    if unit is not None:
        rows = rows.filter(responsible_unit=unit)
    if county:
        rows = rows.filter(_in_county(county, "responsible_unit__", "region"))
    if query:
        rows = rows.filter(
            Q(title__icontains=query)
            | Q(case_reference__icontains=query)
            | Q(problem__icontains=query)
            | _number_lookup(query, "GP")
        )
    return rows.order_by("status", "due_at", "id")


def listing_for_view(user, pk: int) -> Listing:
    return policy_for(Listing).get_visible_or_404(
        user, with_warning_level(Listing.objects.select_related("responsible_unit", "region")), pk=pk
    )


def listing_reports(user, listing: Listing) -> list[ProgressReport]:
    reports = list(
        policy_for(ProgressReport).visible(
            user,
            ProgressReport.objects.filter(listing=listing).select_related("listing", "unit", "created_by"),
        )
    )
    for report in reports:
        report.files = files_for(user, report)
        report.can_correct = policy_for(type(report)).can(user, "correct", report)
    return reports


def listing_warnings(user, listing: Listing) -> QuerySet[ListingWarning]:
    return policy_for(ListingWarning).visible(user, ListingWarning.objects.filter(listing=listing))


def lift_requests(user, listing: Listing) -> QuerySet[LiftRequest]:
    return policy_for(LiftRequest).visible(
        user, LiftRequest.objects.filter(listing=listing).select_related("requested_by", "decided_by")
    )


def timeline(user, **on) -> QuerySet[TimelineEntry]:
    """The steps of a listing, an inspection (with those of its rectifications the user may see) or a
    rectification, oldest first."""
    if "inspection" in on:
        condition = Q(inspection=on["inspection"]) | Q(rectification__inspection=on["inspection"])
    else:
        condition = Q(**on)
    return (
        policy_for(TimelineEntry)
        .visible(user, TimelineEntry.objects.filter(condition).select_related("actor", "actor_unit"))
        .order_by("created_at", "id")
    )


def _count_of(rows: QuerySet) -> Coalesce:
    counted = rows.order_by().values(rows.model._meta.get_field("inspection").attname)
    counted = counted.annotate(total=Count("pk")).values("total")
    return Coalesce(Subquery(counted), Value(0))


def visible_inspections(
    user, *, status: str = "", kind: str = "", county: str = "", query: str = ""
) -> QuerySet[Inspection]:
    rows = (
        policy_for(Inspection)
        .visible(user, Inspection.objects.select_related("target_unit", "target_region"))
        .annotate(
            # Counted per shown row (correlated subqueries) rather than by joining and grouping every
            # inspection's findings and rectifications before the page is cut.
            finding_count=_count_of(Finding.objects.filter(inspection=OuterRef("pk"))),
            open_rectifications=_count_of(
                Rectification.objects.filter(inspection=OuterRef("pk")).exclude(
                    status=Rectification.Status.CLOSED
                )
            ),
        )
    )
    if status:
        rows = rows.filter(status=status)
    if kind:
        rows = rows.filter(kind=kind)
    if county:
        rows = rows.filter(_in_county(county, "target_unit__", "target_region"))
    if query:
        rows = rows.filter(
            Q(title__icontains=query)
            | Q(institution__icontains=query)
            | Q(scope__icontains=query)
            | _number_lookup(query, "DC")
        )
    return rows.order_by("-scheduled_for", "-id")


def inspection_for_view(user, pk: int) -> Inspection:
    return policy_for(Inspection).get_visible_or_404(
        user, Inspection.objects.select_related("target_unit", "target_region"), pk=pk
    )


def inspection_findings(user, inspection: Inspection) -> list[Finding]:
    findings = list(policy_for(Finding).visible(user, inspection.findings.all()))
    rectifications = visible_rectifications(user).filter(inspection=inspection)
    by_finding: dict[int, list] = {}
    for rectification in rectifications:
        by_finding.setdefault(rectification.finding_id, []).append(rectification)
    for finding in findings:
        finding.visible_rectifications = by_finding.get(finding.pk, [])
    return findings


def visible_rectifications(user, *, status: str = "", unit=None, county: str = "") -> QuerySet[Rectification]:
    rows = policy_for(Rectification).visible(
        user, Rectification.objects.select_related("responsible_unit", "inspection", "finding")
    )
    if status == "late":
        rows = rows.filter(status=Rectification.Status.OPEN, due_at__lte=timezone.now())
    elif status:
        rows = rows.filter(status=status)
    if unit is not None:
        rows = rows.filter(responsible_unit=unit)
    if county:
        rows = rows.filter(_in_county(county, "responsible_unit__"))
    return rows.order_by("due_at", "id")


def rectification_for_view(user, pk: int) -> Rectification:
    return policy_for(Rectification).get_visible_or_404(
        user, Rectification.objects.select_related("responsible_unit", "inspection", "finding"), pk=pk
    )


def rectification_reports(user, rectification: Rectification) -> list[RectificationReport]:
    reports = list(
        policy_for(RectificationReport).visible(
            user, rectification.reports.select_related("unit", "created_by")
        )
    )
    for report in reports:
        report.files = files_for(user, report)
        report.can_correct = policy_for(type(report)).can(user, "correct", report)
    return reports


def listing_counts(user) -> dict[str, int]:
    """Open listings of the user's remit, by warning level and lift request (one query)."""
    rows = visible_listings(user, status="open").order_by()
    return rows.aggregate(
        open=Count("pk"),
        yellow=Count("pk", filter=Q(warning_level="yellow")),
        red=Count("pk", filter=Q(warning_level="red")),
        lift_requested=Count("pk", filter=Q(status=Listing.Status.LIFT_REQUESTED)),
    )


def rectification_counts(user) -> dict[str, int]:
    """Rectifications of the user's remit: open, late, reported, and all not closed (one query)."""
    rows = visible_rectifications(user).order_by()
    return rows.aggregate(
        open=Count("pk", filter=Q(status=Rectification.Status.OPEN)),
        late=Count("pk", filter=Q(status=Rectification.Status.OPEN, due_at__lte=timezone.now())),
        reported=Count("pk", filter=Q(status=Rectification.Status.REPORTED)),
        active=Count("pk", filter=~Q(status=Rectification.Status.CLOSED)),
    )


def overview(user) -> dict:
    """The office overview: counts, the listings under warning, the rectifications awaiting review, the
    coming inspections, and open listings per responsible unit."""
    listings = visible_listings(user, status="open")
    per_unit = (
        listings.order_by()
        .values("responsible_unit__name")
        .annotate(total=Count("pk"))
        .order_by("-total", "responsible_unit__name")
    )
    return {
        "listings": listing_counts(user),
        "rectifications": rectification_counts(user),
        "warned": listings.exclude(warning_level="")[:20],
        "lift_requested": listings.filter(status=Listing.Status.LIFT_REQUESTED)[:20],
        "to_review": visible_rectifications(user, status=Rectification.Status.REPORTED)[:20],
        "late_rectifications": visible_rectifications(user, status="late")[:20],
        "coming": visible_inspections(user, status=Inspection.Status.SCHEDULED).order_by("scheduled_for")[
            :10
        ],
        "per_unit": list(per_unit[:20]),
    }


def home_panel(user) -> dict | None:
    """The home-page panel: listings and rectifications of the user's remit that need attention."""
    from .policies import works_here

    if not works_here(user):
        return None
    listing_numbers = listing_counts(user)
    rectification_numbers = rectification_counts(user)
    if not listing_numbers["open"] and not rectification_numbers["active"]:
        return None
    urgent = []
    if listing_numbers["yellow"] or listing_numbers["red"]:  # none is under a warning: no query for them
        listings = visible_listings(user, status="open")
        urgent = list(listings.exclude(warning_level="").order_by("due_at")[:5])
    return {"listings": listing_numbers, "rectifications": rectification_numbers, "urgent": urgent}
