"""Reads of stored files, always filtered by the StoredFile policy."""

from django.db import models
from django.http import Http404

from fanguai.core.policies import policy_for

from .models import StoredFile
from .policies import may_view_target, target_type_for


def visible_files(user) -> models.QuerySet[StoredFile]:
    return policy_for(StoredFile).visible(user, StoredFile.objects.all())


def files_for(user, obj: models.Model) -> models.QuerySet[StoredFile]:
    """The files attached to obj, or none when the user may not view obj."""
    if obj is None or obj.pk is None or not may_view_target(user, obj):
        return StoredFile.objects.none()
    return (
        StoredFile.objects.filter(target_type=target_type_for(obj), target_id=str(obj.pk))
        .select_related("uploaded_by")
        .order_by("-created_at")
    )


def loose_uploads(user) -> models.QuerySet[StoredFile]:
    """The user's own uploads that are not attached to anything yet."""
    if not getattr(user, "is_authenticated", False):
        return StoredFile.objects.none()
    return StoredFile.objects.filter(target_type__isnull=True, uploaded_by=user)


def stored_file(pk) -> StoredFile:
    """A file by id without any permission filter: the download view checks and audits the refusal itself."""
    try:
        return StoredFile.objects.select_related("target_type").get(pk=pk)
    except (StoredFile.DoesNotExist, ValueError) as exc:
        raise Http404 from exc
