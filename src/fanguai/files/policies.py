"""Who may see a stored file: whoever may view the object it is attached to (that object's own policy
decides), and, before it is attached, only the person who uploaded it."""

from collections import defaultdict

from django.contrib.contenttypes.models import ContentType
from django.db import models

from fanguai.core.policies import Policy, policy_for, register
from fanguai.core.policies import signed_in as _active

from .models import StoredFile


def may_view_target(user, target) -> bool:
    if target is None:
        return False
    try:
        policy = policy_for(target)
    except LookupError:
        return False  # an object type without a policy is shown to nobody
    return policy.can_view(user, target)


@register(StoredFile)
class StoredFilePolicy(Policy):
    def visible(self, user, queryset: models.QuerySet) -> models.QuerySet:
        """The files the user may see. Generic links cannot be joined in SQL, so for each type of owner
        object present we ask that type's policy which of the owners are visible."""
        if not _active(user):
            return queryset.none()
        allowed = models.Q(target_type__isnull=True, uploaded_by=user)
        ids_by_type: dict[int, set[str]] = defaultdict(set)
        for type_id, target_id in (
            queryset.filter(target_type__isnull=False).values_list("target_type_id", "target_id").distinct()
        ):
            ids_by_type[type_id].add(target_id)
        for type_id, target_ids in ids_by_type.items():
            model = ContentType.objects.get_for_id(type_id).model_class()
            if model is None:
                continue
            try:
                policy = policy_for(model)
            except LookupError:
                continue
            pk_field = model._meta.pk
            wanted = []
            for raw in target_ids:
                try:
                    wanted.append(pk_field.to_python(raw))
                except Exception:  # noqa: S112  a malformed id simply matches nothing
                    continue
            seen = policy.visible(user, model._default_manager.filter(pk__in=wanted)).values_list(
                "pk", flat=True
            )
            visible_ids = [str(pk) for pk in seen]
            if visible_ids:
                allowed |= models.Q(target_type_id=type_id, target_id__in=visible_ids)
        return queryset.filter(allowed)

    def can_view(self, user, obj: StoredFile) -> bool:
        if not _active(user):
            return False
        if not obj.is_attached:
            return obj.uploaded_by_id == user.pk
        return may_view_target(user, obj.target)

    def can_attach(self, user, obj: StoredFile) -> bool:
        """Only the uploader attaches a loose file, and only to an object they may view (checked in attach)."""
        return _active(user) and not obj.is_attached and obj.uploaded_by_id == user.pk

    def can_delete(self, user, obj: StoredFile) -> bool:
        """The uploader may withdraw their own upload while they can still see what it belongs to."""
        return _active(user) and obj.uploaded_by_id == user.pk and self.can_view(user, obj)


def target_type_for(obj: models.Model) -> ContentType:
    return ContentType.objects.get_for_model(obj, for_concrete_model=True)
