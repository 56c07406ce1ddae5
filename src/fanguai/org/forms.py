"""The one select of regions that every form uses: townships grouped by their district or county.

A flat list of 156 regions (the city's 146 townships among them) shows two 城关镇 and two 双河镇 that cannot
be told apart. Here each district, county or zone is an ``<optgroup>`` holding the county itself (where the
field accepts it) and its townships; a township whose name occurs more than once in the list also carries its
county in the option text, for screen readers and for the closed select, which shows no group. The city and
anything above come first, outside the groups. Rendered in Python (``fanguai.core.widgets.Select``): about
170 options."""

from collections import Counter

from django import forms
from django.forms.models import ModelChoiceIterator, ModelChoiceIteratorValue
from django.utils.translation import gettext

from fanguai.core.widgets import Select

from .models import Region

GROUP_LEVELS = (Region.Level.COUNTY, Region.Level.ZONE)


def township_label(name: str, county: str, duplicated: bool) -> str:
    """A township's option text: its name, with its county where another township has the same name."""
    if duplicated:
        return gettext("%(township)s (%(county)s)") % {"township": name, "county": county}
    return name


class GroupedRegionIterator(ModelChoiceIterator):
    def __iter__(self):
        if self.field.empty_label is not None:
            yield ("", self.field.empty_label)
        regions = list(self.queryset.select_related("parent").order_by("code"))
        names = Counter(r.name for r in regions if r.level == Region.Level.TOWNSHIP)
        top, groups, group_names = [], {}, {}
        for region in regions:
            if region.level in GROUP_LEVELS:
                key = region.pk
                group_names[key] = region.name
            elif region.level == Region.Level.TOWNSHIP and region.parent_id:
                key = region.parent_id
                group_names.setdefault(key, region.parent.name)
            else:
                top.append(self.choice(region))
                continue
            groups.setdefault(key, []).append(region)
        yield from top
        for key, members in groups.items():
            yield (
                group_names[key],
                [
                    (
                        ModelChoiceIteratorValue(self.field.prepare_value(r), r),
                        township_label(r.name, group_names[key], names[r.name] > 1),
                    )
                    if r.level == Region.Level.TOWNSHIP
                    else self.choice(r)
                    for r in members
                ],
            )


class RegionChoiceField(forms.ModelChoiceField):
    """A region (township, county or the city, as the queryset allows), grouped by county."""

    iterator = GroupedRegionIterator
    widget = Select

    def __init__(self, **kwargs):
        kwargs.setdefault("queryset", Region.objects.exclude(level=Region.Level.PROVINCE))
        super().__init__(**kwargs)

    def label_from_instance(self, obj: Region) -> str:
        return obj.name


class TownshipChoiceField(RegionChoiceField):
    def __init__(self, **kwargs):
        kwargs.setdefault("queryset", Region.objects.filter(level=Region.Level.TOWNSHIP))
        super().__init__(**kwargs)
