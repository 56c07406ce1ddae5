"""The demo data of cases and missing-person work is created once and the second call changes nothing."""

import pytest

from fanguai.cases.demo import create_demo_cases
from fanguai.cases.models import Case
from fanguai.core.demo import create_demo_users
from fanguai.missing.demo import create_demo_missing
from fanguai.missing.models import Alert, MissingReport

pytestmark = pytest.mark.django_db


def test_demo_data_is_idempotent(client, valid_cap):
    create_demo_users()
    assert create_demo_cases() > 0
    assert create_demo_missing() > 0
    counts = (Case.objects.count(), MissingReport.objects.count(), Alert.objects.count())
    assert create_demo_cases() == 0 and create_demo_missing() == 0
    assert counts == (Case.objects.count(), MissingReport.objects.count(), Alert.objects.count())
    active = Alert.objects.get(status="active")
    assert "陈小雨" in client.get("/alerts/").content.decode()
    for message in active.messages.all():
        valid_cap(message.xml)
    assert Alert.objects.filter(status="found").count() == 1
