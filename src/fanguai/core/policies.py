"""One permission policy per model, used both to filter lists and to check one object (Wagtail's
permission policies, Open Zaak's filter_for_authorizations). A selector passes every queryset through
`visible`, so a view that forgets a check still cannot show a row the user may not see."""

from django.db import models
from django.db.models import Q
from django.http import Http404

_registry: dict[type[models.Model], "Policy"] = {}


def signed_in(user) -> bool:
    """An authenticated, active account: the first condition of every policy."""
    return bool(getattr(user, "is_authenticated", False) and getattr(user, "is_active", False))


def signed_in_with_unit(user) -> bool:
    return signed_in(user) and user.unit_id is not None


def unit_scope(user, unit_field: str, *, city_roles, county_roles) -> Q | None:
    """The rows whose `unit_field` is a unit the user answers for: None for nothing, Q() for every row.
    City-level users of `city_roles` see every unit; users of `county_roles` every unit of their county;
    everyone else (never the administrators) their own unit."""
    from fanguai.accounts.roles import ADMIN_ROLES
    from fanguai.org.selectors import units_in_county

    if not signed_in_with_unit(user) or user.role in ADMIN_ROLES:
        return None
    if user.role in city_roles and user.is_city_level:
        return Q()
    own = Q(**{f"{unit_field}_id": user.unit_id})
    if user.role in county_roles and user.county is not None:
        from fanguai.org.models import Unit

        # One IN over the units (own unit or in the county) rather than an OR across joined tables, which
        # made PostgreSQL read every row of the list's table.
        units = Unit.objects.filter(Q(pk=user.unit_id) | units_in_county(user.county, prefix="")).values("pk")
        return Q(**{f"{unit_field}_id__in": units})
    return own


class Policy:
    """Subclasses define `visible` (the rows a user may see) and `can_<action>` methods."""

    model: type[models.Model]

    def visible(self, user, queryset: models.QuerySet) -> models.QuerySet:
        return queryset.none()

    def can_view(self, user, obj: models.Model) -> bool:
        if not signed_in(user):
            return False
        return self.visible(user, type(obj)._default_manager.filter(pk=obj.pk)).exists()

    def can(self, user, action: str, obj: models.Model | None = None) -> bool:
        if not signed_in(user):
            return False
        check = getattr(self, f"can_{action}", None)
        if check is None:
            raise AttributeError(f"{type(self).__name__} has no action {action!r}")
        return check(user) if obj is None else check(user, obj)

    def get_visible_or_404(self, user, queryset: models.QuerySet | None = None, **lookup) -> models.Model:
        queryset = queryset if queryset is not None else self.model._default_manager.all()
        if not getattr(user, "is_authenticated", False):
            raise Http404
        try:
            return self.visible(user, queryset).get(**lookup)
        except (self.model.DoesNotExist, ValueError) as exc:
            raise Http404 from exc


def register(model: type[models.Model]):
    def decorator(policy_class: type[Policy]) -> type[Policy]:
        policy_class.model = model
        _registry[model] = policy_class()
        return policy_class

    return decorator


def policy_for(model_or_obj) -> Policy:
    model = model_or_obj if isinstance(model_or_obj, type) else type(model_or_obj)
    model = model._meta.concrete_model
    try:
        return _registry[model]
    except KeyError as exc:
        raise LookupError(f"no policy registered for {model.__name__}") from exc
