"""Profile import: the whole file is validated first (errors name row and field, nothing is written),
duplicates and conflicts are reported, the kit is recorded, genotypes are encrypted at rest and re-encrypted
by `fanguai keys rotate`."""

import json

import pytest
from django.db import connection

from fanguai.audit.models import AuditEvent
from fanguai.core import keys
from fanguai.core.errors import ValidationFailed
from fanguai.dna import services
from fanguai.dna.models import Candidate, ImportBatch, Profile, Specimen

from .conftest import csv_for


def _raw_genotypes(specimen) -> str:
    with connection.cursor() as cursor:
        cursor.execute("SELECT genotypes FROM dna_profile WHERE specimen_id = %s", [specimen.pk])
        return cursor.fetchone()[0]


def test_bad_rows_are_all_reported_and_nothing_is_written(family, analyst):
    good = csv_for(family, "mother")
    # (An OL call is a warning, not an error: see test_off_ladder_call_is_a_warning_and_the_rest_imports.)
    text = good + "DNAUNKNOWN001,D3S1358,15,16\n" + f"{family['father'].number},TH01,9.3,9/3\n"
    with pytest.raises(ValidationFailed) as caught:
        services.import_profiles(actor=analyst, text=text, kit="globalfiler")
    errors = caught.value.errors
    assert any(e.field == "allele2" or "allele" in e.field for e in errors)
    assert all(e.row > 1 for e in errors)
    assert not Profile.objects.exists() and not ImportBatch.objects.exists()
    lines = good.count("\n") + 1
    with pytest.raises(ValidationFailed) as caught:
        services.import_profiles(
            actor=analyst, text=good + "DNAUNKNOWN001,D3S1358,15,16\n", kit="globalfiler"
        )
    assert [(e.row, e.field) for e in caught.value.errors] == [(lines, "sample")]


def test_kit_is_checked_and_recorded(family, analyst):
    with pytest.raises(ValidationFailed) as caught:
        services.import_profiles(actor=analyst, text=csv_for(family, "mother"), kit="identifiler-plus")
    assert caught.value.errors[0].field == "locus"
    report = services.import_profiles(actor=analyst, text=csv_for(family, "mother"), kit="globalfiler")
    profile = Profile.objects.get(specimen=family["mother"])
    assert profile.kit == "globalfiler" and profile.loci_count == 21
    assert report.created == [family["mother"].number]
    assert Specimen.objects.get(pk=family["mother"].pk).status == Specimen.Status.TYPED


def test_genotypes_are_encrypted_at_rest_and_rotated(family, analyst):
    services.import_profiles(actor=analyst, text=csv_for(family, "mother"), kit="globalfiler")
    raw = _raw_genotypes(family["mother"])
    assert raw.startswith("gAAAA") and "D3S1358" not in raw
    keys.add_key(primary=True)
    keys.rotate_all()
    rotated = _raw_genotypes(family["mother"])
    assert rotated != raw
    profile = Profile.objects.get(specimen=family["mother"])
    assert json.loads(profile.genotypes)["D3S1358"] == list(
        family["profiles"][family["mother"].number]["D3S1358"]
    )


def test_duplicates_and_conflicts(family, analyst, rng):
    services.import_profiles(actor=analyst, text=csv_for(family, "mother"), kit="globalfiler")
    report = services.import_profiles(
        actor=analyst, text=csv_for(family, "mother", "father"), kit="globalfiler"
    )
    assert report.duplicates == [family["mother"].number] and report.created == [family["father"].number]
    changed = dict(family["profiles"])
    changed[family["mother"].number] = dict(changed[family["father"].number])
    from fanguai.dna.simulate import long_csv

    with pytest.raises(ValidationFailed) as caught:
        services.import_profiles(
            actor=analyst,
            text=long_csv({family["mother"].number: changed[family["mother"].number]}),
            kit="globalfiler",
        )
    assert "different profile" in caught.value.errors[0].message
    # A re-test allows the new profile, which replaces the old one (version 2).
    Specimen.objects.filter(pk=family["mother"].pk).update(retest_requested=True)
    report = services.import_profiles(
        actor=analyst,
        text=long_csv({family["mother"].number: changed[family["mother"].number]}),
        kit="globalfiler",
    )
    assert report.replaced == [family["mother"].number]
    assert any(family["father"].number in w for w in report.warnings)  # identical to the father's profile
    assert Profile.objects.get(specimen=family["mother"]).version == 2


def test_import_is_audited_without_genotypes(family, analyst):
    services.import_profiles(actor=analyst, text=csv_for(family, "mother"), kit="globalfiler")
    event = AuditEvent.objects.get(action="dna.import")
    text = json.dumps(event.details)
    assert "D3S1358" not in text and event.details["created"] == 1


def test_import_page(family, analyst, login, django_capture_on_commit_callbacks):
    from django.core.files.uploadedfile import SimpleUploadedFile

    client = login(analyst)
    bad = SimpleUploadedFile("bad.csv", b"sample,locus,allele1,allele2\nNOPE,D3S1358,15,16\n")
    response = client.post("/dna/lab/import/", {"file": bad, "kit": "globalfiler"}, follow=True)
    assert "Row 2, sample column: " in response.content.decode()
    upload = SimpleUploadedFile("lab.csv", csv_for(family, "mother", "father", "child").encode())
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post("/dna/lab/import/", {"file": upload, "kit": "globalfiler"})
    assert response.status_code == 200
    assert Profile.objects.count() == 3
    assert Candidate.objects.filter(kind="match").count() == 1


def test_off_ladder_call_is_a_warning_and_the_rest_imports(family, analyst):
    lines = csv_for(family, "mother").splitlines()
    number = family["mother"].number
    row = next(i for i, line in enumerate(lines, start=1) if line.startswith(f"{number},TH01,"))
    lines[row - 1] = f"{number},TH01,OL,9"
    report = services.import_profiles(actor=analyst, text="\n".join(lines) + "\n", kit="globalfiler")
    assert report.created == [number]
    assert report.warnings == [
        f"Row {row}: Off-ladder call (OL) for sample {number} at TH01: the locus is left untyped for this sample."
    ]
    genotypes = json.loads(Profile.objects.get(specimen=family["mother"]).genotypes)
    assert "TH01" not in genotypes and len(genotypes) == 20


def test_r_written_genemapper_table_imports(family, analyst):
    number = family["mother"].number
    rows = ['"","Sample.Name","Marker","Allele.1","Allele.2"']
    for i, (locus, (a, b)) in enumerate(sorted(family["profiles"][number].items()), start=1):
        second = "NA" if a == b else f'"{b}"'
        rows.append(f'"{i}","{number}","{locus}","{a}",{second}')
    report = services.import_profiles(actor=analyst, text="\n".join(rows) + "\n", kit="globalfiler")
    assert report.created == [number]
    stored = json.loads(Profile.objects.get(specimen=family["mother"]).genotypes)
    assert {locus: tuple(pair) for locus, pair in stored.items()} == dict(family["profiles"][number])


def test_import_errors_come_from_codes_and_name_the_row(family, analyst):
    text = "sample,locus,allele1,allele2\nX1,vWA,14,15,16\n"
    with pytest.raises(ValidationFailed) as caught:
        services.import_profiles(actor=analyst, text=text, kit="globalfiler")
    (error,) = caught.value.errors
    assert (error.row, error.message) == (2, "Value 16 in column 5, which the header does not name.")
    with pytest.raises(ValidationFailed) as caught:
        services.decode_upload("sample,locus,allele1,allele2\n样本,vWA,14,15\n".encode("gbk"))
    assert caught.value.errors[0].row == 2


def test_import_page_names_the_row_of_a_non_utf8_file(analyst, login):
    from django.core.files.uploadedfile import SimpleUploadedFile

    client = login(analyst)
    data = "sample,locus,allele1,allele2\nA,vWA,14,15\n样本,vWA,14,15\n".encode("gbk")
    response = client.post(
        "/dna/lab/import/", {"file": SimpleUploadedFile("gbk.csv", data), "kit": "globalfiler"}, follow=True
    )
    assert "Row 3, file: " in response.content.decode()
