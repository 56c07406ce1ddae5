"""Who is acting and from where, for the audit trail: set per request by the middleware, per command by the
CLI, so that services do not have to pass the request around."""

from contextlib import contextmanager
from contextvars import ContextVar
from dataclasses import dataclass


@dataclass(frozen=True)
class AuditContext:
    user: object | None = None
    ip_address: str | None = None


_current: ContextVar[AuditContext] = ContextVar("audit_context", default=AuditContext())  # noqa: B039


def current() -> AuditContext:
    return _current.get()


@contextmanager
def acting(user=None, ip_address: str | None = None):
    token = _current.set(AuditContext(user=user, ip_address=ip_address))
    try:
        yield
    finally:
        _current.reset(token)
