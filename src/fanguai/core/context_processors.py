from django.conf import settings

from .registry import menu_for


def navigation(request):
    user = getattr(request, "user", None)
    items = menu_for(user) if user is not None and user.is_authenticated else []
    return {"nav_items": items, "require_2fa": settings.REQUIRE_2FA}
