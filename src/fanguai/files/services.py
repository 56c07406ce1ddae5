"""Every write on stored files. Each runs in one transaction and writes one audit event; the event names the
file by its id and never carries the file name (it may contain a person's name)."""

import hashlib
import logging
import uuid
from datetime import timedelta

from django.core.exceptions import PermissionDenied
from django.core.files.base import ContentFile
from django.core.files.storage import Storage, storages
from django.core.files.uploadedfile import UploadedFile
from django.db import models, transaction
from django.utils import timezone

from fanguai.audit.services import record_event
from fanguai.core.policies import policy_for

from .inspection import inspect_upload
from .models import StoredFile
from .policies import may_view_target, target_type_for

logger = logging.getLogger(__name__)
OBJECT_TYPE = "files.storedfile"


def private_storage() -> Storage:
    return storages["private"]


def _is_user(actor) -> bool:
    return bool(actor is not None and getattr(actor, "is_authenticated", False))


def _random_storage_name() -> str:
    """A random name with no extension and nothing from the upload, spread over 256 folders."""
    token = uuid.uuid4().hex
    return f"{token[:2]}/{token}"


def store_upload(*, actor, upload: UploadedFile, attach_to: models.Model | None = None) -> StoredFile:
    """Validate and store one upload, optionally attaching it to an object.

    Raises ValidationFailed (wrong type, too large, empty, unreadable image) before anything is written.
    A signed-in actor must be able to view `attach_to`; actor None is for public intake forms, whose view
    has already decided what the file belongs to.
    """
    inspected = inspect_upload(upload)
    if attach_to is not None and _is_user(actor) and not may_view_target(actor, attach_to):
        raise PermissionDenied
    storage = private_storage()
    name = storage.save(_random_storage_name(), ContentFile(inspected.data))
    try:
        with transaction.atomic():
            stored = StoredFile(
                owner_unit=getattr(actor, "unit", None) if _is_user(actor) else None,
                uploaded_by=actor if _is_user(actor) else None,
                original_name=inspected.name,
                content_type=inspected.content_type,
                size=len(inspected.data),
                sha256=hashlib.sha256(inspected.data).hexdigest(),
                storage_name=name,
            )
            if attach_to is not None:
                stored.target_type = target_type_for(attach_to)
                stored.target_id = str(attach_to.pk)
            stored.save()
            details = {"content_type": stored.content_type, "size": stored.size, "sha256": stored.sha256}
            if attach_to is not None:
                details["attached_to"] = f"{attach_to._meta.label_lower}:{attach_to.pk}"
            record_event(
                "file.upload",
                actor=actor if _is_user(actor) else None,
                object_type=OBJECT_TYPE,
                object_id=stored.pk,
                details=details,
            )
    except BaseException:
        storage.delete(name)  # no row, no file: a failed upload leaves nothing behind
        raise
    return stored


@transaction.atomic
def attach(file: StoredFile, obj: models.Model, *, actor=None) -> StoredFile:
    """Attach a loose upload to the object it belongs to. From then on the object's policy decides who
    sees it. A signed-in actor must be the uploader and able to view the object."""
    file = StoredFile.objects.select_for_update().get(pk=file.pk)
    if _is_user(actor) and not (
        policy_for(StoredFile).can(actor, "attach", file) and may_view_target(actor, obj)
    ):
        raise PermissionDenied
    if file.is_attached:
        raise ValueError("the file is already attached")
    file.target_type = target_type_for(obj)
    file.target_id = str(obj.pk)
    file.save(update_fields=["target_type", "target_id"])
    record_event(
        "file.attach",
        actor=actor,
        object_type=OBJECT_TYPE,
        object_id=file.pk,
        changed_fields=["target"],
        details={"attached_to": f"{obj._meta.label_lower}:{obj.pk}"},
    )
    return file


def delete_file(*, actor, file: StoredFile) -> None:
    """Remove an upload and its bytes. Only the uploader may, while they can still see it."""
    if not policy_for(StoredFile).can(actor, "delete", file):
        record_event("file.delete", actor=actor, object_type=OBJECT_TYPE, object_id=file.pk, outcome="denied")
        raise PermissionDenied
    name = file.storage_name
    with transaction.atomic():
        StoredFile.objects.filter(pk=file.pk).delete()
        record_event(
            "file.delete",
            actor=actor,
            object_type=OBJECT_TYPE,
            object_id=file.pk,
            details={"sha256": file.sha256},
        )
        transaction.on_commit(lambda: _delete_blob(name))


def _delete_blob(name: str) -> None:
    try:
        private_storage().delete(name)
    except OSError:
        logger.exception("could not delete a stored file's bytes")


def record_download(*, actor, file: StoredFile, allowed: bool) -> None:
    """Every download, and every refused one, is on the audit trail."""
    record_event(
        "file.download",
        actor=actor,
        object_type=OBJECT_TYPE,
        object_id=file.pk,
        outcome="success" if allowed else "denied",
    )


def purge_orphan_blobs(*, older_than: timedelta = timedelta(days=1)) -> int:
    """Delete bytes on disk that no row points to. They are left when a caller's transaction rolls back
    after store_upload saved the bytes; the age margin keeps uploads still in flight."""
    storage = private_storage()
    cutoff = timezone.now() - older_than
    deleted = 0
    try:
        folders, _ = storage.listdir("")
    except FileNotFoundError:
        return 0
    for folder in folders:
        names = [f"{folder}/{name}" for name in storage.listdir(folder)[1]]
        known = set(StoredFile.objects.filter(storage_name__in=names).values_list("storage_name", flat=True))
        for name in names:
            if name not in known and storage.get_modified_time(name) < cutoff:
                storage.delete(name)
                deleted += 1
    if deleted:
        record_event("file.purge_orphans", object_type=OBJECT_TYPE, details={"deleted": deleted})
    return deleted
