"""Retention and export: a relative's profile is deleted on request once the case is closed, truly and
audited; the export is for the laboratory only and audited."""

import pytest
from django.core.exceptions import PermissionDenied

from fanguai.audit.models import AuditEvent
from fanguai.dna import selectors, services
from fanguai.dna.models import Candidate, Profile


def test_deletion_on_request_after_the_case_closes(typed_family, alice, analyst, bob, login):
    mother = typed_family["mother"]
    child = typed_family["child"]
    with pytest.raises(PermissionDenied):
        services.request_profile_deletion(actor=bob, specimen=mother)
    services.request_profile_deletion(actor=alice, specimen=mother)
    with pytest.raises(PermissionDenied):  # the case is still open
        services.delete_profile(actor=analyst, specimen=mother)
    with pytest.raises(PermissionDenied):  # found-side profiles are not deleted on a relative's request
        services.request_profile_deletion(actor=alice, specimen=child)
    services.close_case(actor=alice, specimen=mother)
    client = login(analyst)
    assert "delete-profile" in client.get(f"/dna/lab/specimens/{mother.number}/").content.decode()
    assert client.post(f"/dna/lab/specimens/{mother.number}/delete-profile/").status_code == 302
    assert not Profile.objects.filter(specimen=mother).exists()
    assert not Candidate.objects.filter(family_specimen=mother).exists()
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute("SELECT COUNT(*) FROM dna_profile WHERE specimen_id = %s", [mother.pk])
        assert cursor.fetchone()[0] == 0
    assert AuditEvent.objects.filter(action="dna.profile.delete", object_id=str(mother.pk)).exists()
    assert mother.custody.last().kind == "profile_deleted"


def test_export_only_for_the_laboratory_and_audited(typed_family, analyst, alice):
    text = selectors.export_profiles(analyst)
    assert text.startswith("sample,locus,allele1,allele2") and typed_family["mother"].number in text
    assert AuditEvent.objects.filter(action="dna.profile.export", actor_username="lab1").exists()
    assert selectors.export_profiles(alice).strip() == "sample,locus,allele1,allele2"
