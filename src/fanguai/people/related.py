"""Where one person appears across the modules (cases, missing-person reports, assistance…). Apps register
their models in AppConfig.ready; the person page lists only the records the user's policies let them see, so
the page never reveals that a record exists elsewhere (a DNA specimen, a clue's reporter are not registered:
their link to a person is itself protected)."""

from dataclasses import dataclass

from django.db import models

from fanguai.core.policies import policy_for


@dataclass(frozen=True)
class RelatedSource:
    model: type[models.Model]
    lookup: str  # the path from the model to the person, e.g. "person" or "parties__person"


@dataclass(frozen=True)
class RelatedRecord:
    kind: str
    label: str
    url: str


_sources: list[RelatedSource] = []


def add_related(model: type[models.Model], lookup: str = "person") -> None:
    _sources.append(RelatedSource(model, lookup))


def related_records(user, person) -> list[RelatedRecord]:
    records = []
    for source in _sources:
        rows = source.model._default_manager.filter(**{source.lookup: person}).distinct()
        for obj in policy_for(source.model).visible(user, rows)[:20]:
            records.append(
                RelatedRecord(str(source.model._meta.verbose_name), str(obj), obj.get_absolute_url())
            )
    return records
