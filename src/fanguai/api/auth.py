from ninja.security import HttpBearer, django_auth

from fanguai.accounts.services import authenticate_api_token


class BearerToken(HttpBearer):
    def authenticate(self, request, token: str):
        user = authenticate_api_token(token)
        if user is not None:
            request.user = user
        return user


class VerifiedSession:
    """A browser session counts only once the second factor is passed (where it is required)."""

    def __call__(self, request):
        from fanguai.accounts.selectors import needs_second_factor

        user = django_auth(request)
        if user and (user.is_verified() or not needs_second_factor(user)):
            return user
        return None


AUTH = [BearerToken(), VerifiedSession()]
