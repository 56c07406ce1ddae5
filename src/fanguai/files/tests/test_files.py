"""Storing, attaching, listing, downloading and deleting private files, with the permission matrix."""

from datetime import timedelta
from pathlib import Path

import pytest
from django.contrib.contenttypes.models import ContentType
from django.core.exceptions import PermissionDenied
from django.core.files.storage import storages
from django.db import transaction
from django.test import Client
from django.utils import timezone

from fanguai.audit.models import AuditEvent
from fanguai.core.errors import ValidationFailed
from fanguai.deadlines.models import Deadline
from fanguai.files.forms import AttachmentForm
from fanguai.files.models import StoredFile
from fanguai.files.selectors import files_for, visible_files
from fanguai.files.services import attach, delete_file, store_upload

from .samples import image_bytes, pdf_bytes, upload

SECRET_NAME = "王秘密-身份证.jpg"


def private_files() -> list[Path]:
    root = Path(storages["private"].location)
    return [p for p in root.rglob("*") if p.is_file()] if root.exists() else []


@pytest.fixture
def owner(places):
    """An object with a policy to attach files to: a deadline of alice's unit (visible to her unit)."""
    return Deadline.objects.create(
        content_type=ContentType.objects.get_for_model(places["police_a"]),
        object_id=str(places["police_a"].pk),
        kind="test.owner",
        responsible_unit=places["police_a"],
        due_at=timezone.now() + timedelta(days=3),
    )


@pytest.fixture
def attached(alice, owner):
    return store_upload(actor=alice, upload=upload(SECRET_NAME, image_bytes("JPEG")), attach_to=owner)


@pytest.mark.django_db
def test_store_upload_keeps_a_random_name_on_disk_and_the_real_name_in_the_database(alice):
    data = pdf_bytes()
    stored = store_upload(actor=alice, upload=upload("../报告.pdf", data))
    [on_disk] = private_files()
    assert on_disk.read_bytes() != data  # encrypted at rest (see test_encryption)
    assert storages["private"].open(stored.storage_name).read() == data
    assert "报告" not in str(on_disk) and on_disk.suffix == ""
    assert on_disk.name == Path(stored.storage_name).name
    assert stored.original_name == "报告.pdf"
    assert stored.content_type == "application/pdf"
    assert stored.size == len(data)
    assert len(stored.sha256) == 64
    assert stored.owner_unit == alice.unit and stored.uploaded_by == alice
    assert not stored.is_attached
    event = AuditEvent.objects.get(action="file.upload", object_id=str(stored.pk))
    assert event.actor == alice and "报告" not in str(event.details)


@pytest.mark.django_db
def test_the_private_storage_is_outside_the_web_root():
    from fanguai import settings as live

    location = Path(live.STORAGES["private"]["OPTIONS"]["location"])
    assert live.STORAGES["private"]["OPTIONS"].get("base_url") in (None, "")
    assert not str(location).startswith(str(Path(live.STATIC_ROOT)))
    assert not str(location).startswith(str(Path(live.PACKAGE_DIR)))


@pytest.mark.django_db
def test_a_refused_upload_writes_nothing(alice, settings):
    settings.UPLOAD_MAX_BYTES = 100
    for bad in (upload("x.html", b"<html></html>"), upload("big.pdf", pdf_bytes() + b"%" * 500)):
        with pytest.raises(ValidationFailed):
            store_upload(actor=alice, upload=bad)
    assert StoredFile.objects.count() == 0
    assert private_files() == []
    assert not AuditEvent.objects.filter(action="file.upload").exists()


@pytest.mark.django_db
def test_the_stored_image_has_no_metadata(alice):
    stored = store_upload(actor=alice, upload=upload("p.jpg", image_bytes("JPEG")))
    data = storages["private"].open(stored.storage_name).read()
    assert b"SecretCam" not in data
    import hashlib

    assert hashlib.sha256(data).hexdigest() == stored.sha256


@pytest.mark.django_db
def test_attaching_to_an_object_the_uploader_cannot_see_is_refused(charlie, owner):
    with pytest.raises(PermissionDenied):
        store_upload(actor=charlie, upload=upload("a.pdf", pdf_bytes()), attach_to=owner)
    loose = store_upload(actor=charlie, upload=upload("a.pdf", pdf_bytes()))
    with pytest.raises(PermissionDenied):
        attach(loose, owner, actor=charlie)
    assert StoredFile.objects.filter(target_id=str(owner.pk)).count() == 0


@pytest.mark.django_db
def test_attach_moves_visibility_from_the_uploader_to_the_owner_policy(alice, dave, charlie, owner):
    loose = store_upload(actor=alice, upload=upload("a.pdf", pdf_bytes()))
    assert list(visible_files(alice)) == [loose]
    assert list(visible_files(dave)) == []
    attach(loose, owner, actor=alice)
    assert list(files_for(dave, owner)) == [loose]
    assert list(visible_files(dave)) == [loose]
    assert list(files_for(charlie, owner)) == []
    assert list(visible_files(charlie)) == []
    assert AuditEvent.objects.filter(action="file.attach", object_id=str(loose.pk)).exists()


@pytest.mark.django_db
def test_public_intake_without_an_actor_can_attach(owner):
    stored = store_upload(actor=None, upload=upload("tip.png", image_bytes("PNG")), attach_to=owner)
    assert stored.uploaded_by is None and stored.owner_unit is None
    assert stored.target == owner


@pytest.mark.django_db
def test_download_sends_an_attachment_and_is_audited(alice, attached, login):
    response = login(alice).get(f"/files/{attached.pk}/")
    assert response.status_code == 200
    body = b"".join(response.streaming_content)
    assert body == storages["private"].open(attached.storage_name).read()
    assert response["Content-Disposition"].startswith("attachment;")
    assert "filename*=utf-8''" in response["Content-Disposition"]
    assert response["X-Content-Type-Options"] == "nosniff"
    assert response["Content-Type"] == "image/jpeg"
    assert "no-store" in response["Cache-Control"]
    event = AuditEvent.objects.get(action="file.download", object_id=str(attached.pk))
    assert event.actor == alice and event.outcome == "success"


@pytest.mark.django_db
def test_download_permission_matrix(alice, bob, charlie, dave, office, attached):
    # Whoever may view the owning object may download: its unit (alice, dave) and the city office.
    allowed = {"alice": alice, "dave": dave, "office": office}
    refused = {"bob": bob, "charlie": charlie}
    url = f"/files/{attached.pk}/"
    for user in allowed.values():
        client = Client()
        client.force_login(user)
        assert client.get(url).status_code == 200
    for user in refused.values():
        client = Client()
        client.force_login(user)
        response = client.get(url)
        assert response.status_code == 404
        assert SECRET_NAME.encode() not in response.content
        assert AuditEvent.objects.filter(
            action="file.download", object_id=str(attached.pk), outcome="denied", actor=user
        ).exists()
    anonymous = Client().get(url)
    assert anonymous.status_code == 302 and "/accounts/login/" in anonymous["Location"]


@pytest.mark.django_db
def test_a_loose_upload_is_downloadable_by_its_uploader_only(alice, dave, login):
    stored = store_upload(actor=alice, upload=upload("a.pdf", pdf_bytes()))
    assert login(alice).get(f"/files/{stored.pk}/").status_code == 200
    assert login(dave).get(f"/files/{stored.pk}/").status_code == 404


@pytest.mark.django_db
def test_unknown_or_malformed_ids_are_not_found(alice, login):
    client = login(alice)
    assert client.get("/files/00000000-0000-0000-0000-000000000000/").status_code == 404
    assert client.get("/files/not-a-uuid/").status_code == 404


@pytest.mark.django_db
def test_a_missing_blob_is_not_found(alice, attached, login):
    storages["private"].delete(attached.storage_name)
    assert login(alice).get(f"/files/{attached.pk}/").status_code == 404


@pytest.mark.django_db(transaction=False)
def test_delete_by_the_uploader_removes_row_and_bytes(
    alice, attached, login, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        response = login(alice).post(f"/files/{attached.pk}/delete/", {"next": "/deadlines/"})
    assert response.status_code == 302 and response["Location"] == "/deadlines/"
    assert not StoredFile.objects.filter(pk=attached.pk).exists()
    assert private_files() == []
    assert AuditEvent.objects.filter(
        action="file.delete", object_id=str(attached.pk), outcome="success"
    ).exists()


@pytest.mark.django_db
def test_delete_is_refused_to_others(alice, dave, charlie, attached, login):
    assert login(dave).post(f"/files/{attached.pk}/delete/").status_code == 403
    assert login(charlie).post(f"/files/{attached.pk}/delete/").status_code == 404
    assert Client().post(f"/files/{attached.pk}/delete/").status_code == 302
    assert login(alice).get(f"/files/{attached.pk}/delete/").status_code == 405
    assert StoredFile.objects.filter(pk=attached.pk).exists()
    with pytest.raises(PermissionDenied):
        delete_file(actor=dave, file=attached)


@pytest.mark.django_db
def test_delete_ignores_an_outside_next_address(alice, attached, login):
    response = login(alice).post(f"/files/{attached.pk}/delete/", {"next": "https://evil.example/"})
    assert response["Location"] == "/"


@pytest.mark.django_db
def test_the_attachment_form_reports_type_errors_on_the_field():
    form = AttachmentForm(files={"file": upload("x.html", b"<html></html>")})
    assert not form.is_valid()
    assert "not accepted" in form.errors["file"][0]
    form = AttachmentForm(files={"file": upload("ok.pdf", pdf_bytes())})
    assert form.is_valid()
    assert form.cleaned_data["file"].read() == pdf_bytes()


@pytest.mark.django_db
def test_the_attachments_partial_lists_files_with_download_links(alice, charlie, attached, owner, rf):
    from django.template import Context, Template

    template = Template('{% load files %}{% attachments obj "/upload/here/" %}')
    request = rf.get("/somewhere/")
    request.user = alice
    html = template.render(Context({"request": request, "obj": owner}))
    assert f"/files/{attached.pk}/" in html
    assert SECRET_NAME in html
    assert 'action="/upload/here/"' in html and 'enctype="multipart/form-data"' in html
    request.user = charlie
    html = template.render(Context({"request": request, "obj": owner}))
    assert SECRET_NAME not in html and str(attached.pk) not in html


@pytest.mark.django_db
def test_handle_attachment_upload_helper(alice, owner, rf):
    from django.contrib.messages.storage.fallback import FallbackStorage

    from fanguai.files.views import handle_attachment_upload

    def post(file):
        request = rf.post("/x/", {"file": file})
        request.user = alice
        request.session = {}
        request._messages = FallbackStorage(request)
        return handle_attachment_upload(request, owner), [str(m) for m in request._messages]

    stored, notes = post(upload("ok.pdf", pdf_bytes()))
    assert stored is not None and stored.target == owner and notes == ["The file was attached."]
    stored, notes = post(upload("bad.html", b"<html></html>"))
    assert stored is None and "not accepted" in notes[0]


@pytest.mark.django_db
def test_orphaned_bytes_are_purged_but_fresh_and_known_ones_kept(alice):
    import os
    import time

    from fanguai.files.tasks import purge_orphan_files

    kept = store_upload(actor=alice, upload=upload("kept.pdf", pdf_bytes()))
    with pytest.raises(RuntimeError), transaction.atomic():
        store_upload(actor=alice, upload=upload("rolled-back.pdf", pdf_bytes()))
        raise RuntimeError
    assert len(private_files()) == 2
    assert purge_orphan_files.enqueue().return_value == {"deleted": 0}  # too fresh to judge
    old = time.time() - 2 * 86400
    for path in private_files():
        os.utime(path, (old, old))
    assert purge_orphan_files.enqueue().return_value == {"deleted": 1}
    assert [p.name for p in private_files()] == [Path(kept.storage_name).name]
    assert AuditEvent.objects.filter(action="file.purge_orphans").exists()
