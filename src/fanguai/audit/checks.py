"""`fanguai check`: in production the audit key must be present (the chain cannot be written or verified
without it)."""

import stat
from pathlib import Path

from django.conf import settings
from django.core.checks import Error, Tags, Warning, register

from .keys import key_problem


@register(Tags.security)
def audit_key_check(app_configs=None, **kwargs):
    problems = []
    if settings.PRODUCTION and (problem := key_problem()):
        problems.append(
            Error(
                problem,
                hint="Create it with `fanguai audit create-key` (or set FANGUAI_AUDIT_KEY) and keep a copy "
                "apart from the database and its backups.",
                id="fanguai.audit.E001",
            )
        )
    path = Path(settings.AUDIT_KEY_FILE)
    if not settings.AUDIT_KEY and path.exists() and stat.S_IMODE(path.stat().st_mode) & 0o077:
        problems.append(
            Warning(
                f"The audit key file {path} can be read by other users.",
                hint=f"chmod 600 {path}",
                id="fanguai.audit.W001",
            )
        )
    return problems
