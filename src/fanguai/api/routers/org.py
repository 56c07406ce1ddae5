from ninja import Router

from fanguai.org.models import Region, Unit

from ..schemas import MeOut, RegionOut, Text, UnitOut

router = Router(tags=["org"])


@router.get("/me", response=MeOut)
def me(request):
    return request.auth


@router.get("/regions", response=list[RegionOut])
def regions(request, level: Text = ""):
    qs = Region.objects.select_related("parent")
    return qs.filter(level=level) if level else qs


@router.get("/units", response=list[UnitOut])
def units(request, sector: Text = "", region: Text = ""):
    qs = Unit.objects.filter(is_active=True).select_related("region")
    if sector:
        qs = qs.filter(sector=sector)
    if region:
        qs = qs.filter(region__code=region)
    return qs
