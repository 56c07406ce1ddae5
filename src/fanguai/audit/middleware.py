from fanguai.core.net import client_ip

from .context import acting

__all__ = ["AuditContextMiddleware", "client_ip"]  # client_ip: the address behind trusted proxies only


class AuditContextMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        user = request.user if getattr(request, "user", None) and request.user.is_authenticated else None
        with acting(user=user, ip_address=client_ip(request)):
            return self.get_response(request)
