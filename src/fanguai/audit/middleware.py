from .context import acting


def client_ip(request) -> str | None:
    # Behind a reverse proxy, set it to overwrite REMOTE_ADDR (gunicorn --forwarded-allow-ips); never trust
    # X-Forwarded-For from the client here.
    return request.META.get("REMOTE_ADDR") or None


class AuditContextMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        user = request.user if getattr(request, "user", None) and request.user.is_authenticated else None
        with acting(user=user, ip_address=client_ip(request)):
            return self.get_response(request)
