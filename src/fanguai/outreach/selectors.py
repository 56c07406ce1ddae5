from django.db.models import Count, QuerySet, Sum

from fanguai.core.policies import policy_for

from .models import Activity


def visible_activities(
    user,
    *,
    kind: str = "",
    year: int | None = None,
    county: str = "",
    campaign_day: str = "",
    status: str = "",
    query: str = "",
) -> QuerySet[Activity]:
    rows = policy_for(Activity).visible(user, Activity.objects.select_related("unit", "county", "region"))
    if kind:
        rows = rows.filter(kind=kind)
    if year:
        rows = rows.filter(held_on__year=year)
    if county:
        rows = rows.filter(county__code=county)
    if campaign_day:
        rows = rows.filter(campaign_day=campaign_day)
    if status:
        rows = rows.filter(status=status)
    if query:
        rows = rows.filter(title__icontains=query)
    return rows


def totals(rows: QuerySet[Activity]) -> dict:
    return rows.aggregate(count=Count("id"), people=Sum("people_reached"), materials=Sum("materials"))
