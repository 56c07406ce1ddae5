"""The authentication backend: Django's ModelBackend, but the signed-in user of each request is loaded with
its unit and the unit's region in the same query. Every policy reads them (``user.unit``, ``user.county``),
which cost two further queries on every page."""

from django.contrib.auth.backends import ModelBackend


class UserWithUnitBackend(ModelBackend):
    def get_user(self, user_id):
        from django.contrib.auth import get_user_model

        user_model = get_user_model()
        try:
            user = user_model._default_manager.select_related("unit__region").get(pk=user_id)
        except user_model.DoesNotExist:
            return None
        return user if self.user_can_authenticate(user) else None
