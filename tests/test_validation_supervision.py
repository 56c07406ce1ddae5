"""Inspections (issue 14 item 1): the inspected unit lies in the inspected county, in the service and so in
the form (which runs the service's checks)."""

from datetime import timedelta

import pytest
from django.core.exceptions import ValidationError
from django.utils import timezone

from fanguai.org.models import Region, Unit
from fanguai.supervision import services
from fanguai.supervision.forms import InspectionForm
from fanguai.supervision.models import Inspection

pytestmark = pytest.mark.django_db


def fields(**overrides) -> dict:
    data = {
        "kind": Inspection.Kind.ROUTINE,
        "title": "半年督导",
        "target_unit": Unit.objects.get(code="341522-police"),
        "target_region": Region.objects.get(code="341522"),
        "institution": "",
        "scheduled_for": timezone.localdate() + timedelta(days=3),
        "team": "办公室",
        "scope": "快速查找与采血",
    }
    data.update(overrides)
    return data


def test_a_unit_outside_the_county_is_refused(office):
    with pytest.raises(ValidationError) as caught:
        services.schedule_inspection(actor=office, **fields(target_region=Region.objects.get(code="341502")))
    assert "target_region" in caught.value.message_dict
    assert not Inspection.objects.exists()


def test_the_form_shows_it_on_the_county():
    data = {k: (v.pk if hasattr(v, "pk") else v) for k, v in fields().items()}
    assert InspectionForm(data).is_valid()
    form = InspectionForm({**data, "target_region": Region.objects.get(code="341502").pk})
    assert not form.is_valid()
    assert "target_region" in form.errors


def test_a_unit_in_its_county_is_accepted(office):
    assert services.schedule_inspection(actor=office, **fields()).target_unit.code == "341522-police"
