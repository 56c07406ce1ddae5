"""One settings module; everything that differs between a laptop and a city comes from the environment.

The embedded default (no variables set) runs on SQLite in ``FANGUAI_DATA_DIR`` with a secret key generated on
first use and kept there. Production sets ``DATABASE_URL``, ``SECRET_KEY``, ``ALLOWED_HOSTS`` and
``FANGUAI_PRODUCTION=1`` (see the README).
"""

import os
import secrets
from pathlib import Path

import dj_database_url


def env_bool(name: str, default: bool) -> bool:
    value = os.environ.get(name)
    if value is None or value == "":
        return default
    return value.strip().lower() in {"1", "true", "yes", "on"}


def env_list(name: str, default: str) -> list[str]:
    return [item.strip() for item in os.environ.get(name, default).split(",") if item.strip()]


PACKAGE_DIR = Path(__file__).resolve().parent
REPO_DIR = PACKAGE_DIR.parent.parent
DATA_DIR = Path(os.environ.get("FANGUAI_DATA_DIR", REPO_DIR / "var")).resolve()
DATA_DIR.mkdir(parents=True, exist_ok=True)
REFERENCE_DATA_DIR = Path(os.environ.get("FANGUAI_REFERENCE_DIR", REPO_DIR / "data"))

PRODUCTION = env_bool("FANGUAI_PRODUCTION", False)
DEBUG = env_bool("FANGUAI_DEBUG", False)


def _secret_key() -> str:
    if key := os.environ.get("SECRET_KEY"):
        return key
    if PRODUCTION:
        raise RuntimeError("SECRET_KEY must be set when FANGUAI_PRODUCTION=1")
    key_file = DATA_DIR / "secret_key"
    try:  # exclusive creation: processes starting together on a fresh folder share one key
        with open(key_file, "x") as handle:
            key_file.chmod(0o600)
            handle.write(secrets.token_urlsafe(64))
    except FileExistsError:
        pass
    return key_file.read_text().strip()


SECRET_KEY = _secret_key()
ALLOWED_HOSTS = env_list("ALLOWED_HOSTS", "127.0.0.1,localhost,testserver")
CSRF_TRUSTED_ORIGINS = env_list("CSRF_TRUSTED_ORIGINS", "")

INSTALLED_APPS = [
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "whitenoise.runserver_nostatic",
    "django.contrib.staticfiles",
    "django.contrib.humanize",
    "django.forms",
    "django_otp",
    "django_otp.plugins.otp_totp",
    "django_otp.plugins.otp_static",
    "axes",
    "django_htmx",
    "template_partials",
    "django_tasks",
    "django_tasks_db",
    "fanguai.core",
    "fanguai.org",
    "fanguai.accounts",
    "fanguai.audit",
    "fanguai.people",
    "fanguai.files",
    "fanguai.notifications",
    "fanguai.deadlines",
    "fanguai.plans",
    "fanguai.supervision",
    "fanguai.clues",
    "fanguai.dna",
    "fanguai.cases",
    "fanguai.missing",
    "fanguai.assistance",
    "fanguai.outreach",
    "fanguai.reports",
    "fanguai.api",
]

MIDDLEWARE = [
    "fanguai.core.middleware.RequestLimitsMiddleware",  # first: 413 and 429 before the body is read
    "django.middleware.security.SecurityMiddleware",
    "csp.middleware.CSPMiddleware",
    "django_permissions_policy.PermissionsPolicyMiddleware",
    "fanguai.core.headers.CacheControlMiddleware",  # above session, CSRF and locale: sees their cookies
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "fanguai.core.compression.TextGZipMiddleware",  # below WhiteNoise: static files come precompressed
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.locale.LocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django_otp.middleware.OTPMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "django_htmx.middleware.HtmxMiddleware",
    "fanguai.audit.middleware.AuditContextMiddleware",
    "fanguai.accounts.middleware.IdleTimeoutMiddleware",
    "fanguai.accounts.middleware.SecondFactorMiddleware",
    "axes.middleware.AxesMiddleware",
]

ROOT_URLCONF = "fanguai.urls"
WSGI_APPLICATION = "fanguai.wsgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [PACKAGE_DIR / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.template.context_processors.i18n",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "fanguai.core.context_processors.navigation",
            ],
        },
    }
]

# SQLite in WAL mode with IMMEDIATE transactions: writers queue instead of failing, which the audit chain
# (read the last hash, then append) relies on.
SQLITE_PATH = DATA_DIR / "fanguai.sqlite3"
DATABASES = {
    "default": dj_database_url.config(
        env="DATABASE_URL", default=f"sqlite:///{SQLITE_PATH}", conn_max_age=60, conn_health_checks=True
    )
}
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    DATABASES["default"]["CONN_MAX_AGE"] = 0
    DATABASES["default"]["OPTIONS"] = {
        "transaction_mode": "IMMEDIATE",
        "timeout": 20,
        "init_command": "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL; PRAGMA foreign_keys=ON;",
    }
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

AUTH_USER_MODEL = "accounts.User"
AUTHENTICATION_BACKENDS = [
    "axes.backends.AxesStandaloneBackend",
    # ModelBackend that loads the user with its unit and region (one query instead of three a page).
    "fanguai.accounts.backends.UserWithUnitBackend",
]
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator", "OPTIONS": {"min_length": 10}},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
    {"NAME": "fanguai.accounts.validators.CharacterClassValidator"},
]
PASSWORD_HASHERS = ["django.contrib.auth.hashers.PBKDF2PasswordHasher"]
LOGIN_URL = "accounts:login"
LOGIN_REDIRECT_URL = "core:home"
LOGOUT_REDIRECT_URL = "accounts:login"

# Two-factor login is required unless explicitly switched off (only `make run` does, for the demo).
REQUIRE_2FA = env_bool("FANGUAI_REQUIRE_2FA", True)
OTP_TOTP_ISSUER = "fanguai"

# Lockout after 5 failed attempts for 15 minutes, per user name and address.
AXES_FAILURE_LIMIT = 5
AXES_COOLOFF_TIME = 0.25  # hours
AXES_LOCKOUT_PARAMETERS = [["username", "ip_address"]]
AXES_RESET_ON_SUCCESS = True
AXES_LOCKOUT_TEMPLATE = "accounts/locked_out.html"
AXES_VERBOSE = False
AXES_CLIENT_IP_CALLABLE = "fanguai.core.net.client_ip"  # the client behind trusted proxies, see below

# Behind a reverse proxy: the client address comes from X-Forwarded-For only when the direct peer is a trusted
# proxy (fanguai.core.net.client_ip, used by the public rate limits, axes and the audit trail). Addresses or
# networks of the proxies, and/or the number of proxies in front; HTTPS is recognised from X-Forwarded-Proto
# only then (and only from those peers).
TRUSTED_PROXIES = env_list("FANGUAI_TRUSTED_PROXIES", "")
PROXY_HOPS = int(os.environ.get("FANGUAI_PROXY_HOPS") or 0)

# Idle timeout: the session expires after this many seconds without activity of the user's own. Requests
# a page makes by itself (the inbox badge's poll) do not count; accounts.middleware.IdleTimeoutMiddleware
# keeps the time of the last real activity and saves the session for it at most once a minute.
SESSION_COOKIE_AGE = int(os.environ.get("FANGUAI_IDLE_TIMEOUT", 30 * 60))
SESSION_SAVE_EVERY_REQUEST = False
SESSION_EXPIRE_AT_BROWSER_CLOSE = True
SESSION_COOKIE_HTTPONLY = True
SESSION_COOKIE_SAMESITE = "Lax"
# API bearer tokens expire after this many days unless issued with `fanguai users token --days N`.
API_TOKEN_DAYS = int(os.environ.get("FANGUAI_API_TOKEN_DAYS", 90))

LANGUAGE_CODE = "zh-hans"
LANGUAGES = [("zh-hans", "简体中文"), ("en", "English")]
LOCALE_PATHS = [PACKAGE_DIR / "locale"]
TIME_ZONE = "Asia/Shanghai"
USE_I18N = True
USE_TZ = True

STATIC_URL = "/static/"
STATIC_ROOT = DATA_DIR / "staticfiles"
STATICFILES_DIRS = [PACKAGE_DIR / "static"]
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {"BACKEND": "whitenoise.storage.CompressedManifestStaticFilesStorage"},
    # Uploads live outside the web root, encrypted with the key ring below (owner-only files), and are
    # only served by permission-checked views.
    "private": {
        "BACKEND": "fanguai.files.storage.EncryptedFileSystemStorage",
        "OPTIONS": {"location": str(DATA_DIR / "private"), "base_url": None},
    },
}
MEDIA_ROOT = DATA_DIR / "media"

# Application-level encryption keys: a file of Fernet keys (first line is the primary) or the environment.
ENCRYPTION_KEY_FILE = Path(os.environ.get("FANGUAI_KEY_FILE", DATA_DIR / "encryption.keys"))
ENCRYPTION_KEYS = env_list("FANGUAI_ENCRYPTION_KEYS", "")
BLIND_INDEX_KEY = os.environ.get("FANGUAI_INDEX_KEY", "")

# Uploads: allowed types and the size limit.
UPLOAD_MAX_BYTES = int(os.environ.get("FANGUAI_UPLOAD_MAX_BYTES", 10 * 1024 * 1024))
FILE_UPLOAD_MAX_MEMORY_SIZE = 2 * 1024 * 1024
# Request bodies are refused (413) from their Content-Length before anything is read
# (core.middleware.RequestLimitsMiddleware): a multipart form may carry the files of a public report
# (CLUES_MAX_ATTACHMENTS of them), any other body 2 MiB; the form fields of any request at most 2 MiB.
MAX_REQUEST_BYTES = int(os.environ.get("FANGUAI_MAX_REQUEST_BYTES", 2 * 1024 * 1024))
MAX_UPLOAD_REQUEST_BYTES = int(
    os.environ.get("FANGUAI_MAX_UPLOAD_REQUEST_BYTES")
    or UPLOAD_MAX_BYTES * max(1, int(os.environ.get("FANGUAI_CLUES_MAX_ATTACHMENTS") or 3)) + 1024 * 1024
)
DATA_UPLOAD_MAX_MEMORY_SIZE = MAX_REQUEST_BYTES
DATA_UPLOAD_MAX_NUMBER_FIELDS = 1000
DATA_UPLOAD_MAX_NUMBER_FILES = 20
# Pictures larger than this (width x height, all frames together) are refused before they are decoded.
MAX_IMAGE_PIXELS = int(os.environ.get("FANGUAI_MAX_IMAGE_PIXELS", 40_000_000))

# Audit events are kept at least 6 months (Cybersecurity Law art. 21).
AUDIT_RETENTION_DAYS = max(183, int(os.environ.get("FANGUAI_AUDIT_RETENTION_DAYS", 365)))
# The audit chain is keyed (HMAC-SHA256) with a key held apart from the database: FANGUAI_AUDIT_KEY, or
# the key file (created owner-only on first use outside production; production must provide one).
# Signed checkpoints of the chain's head are written to the checkpoint folder (see audit.checkpoints).
AUDIT_KEY = os.environ.get("FANGUAI_AUDIT_KEY", "")
AUDIT_KEY_FILE = Path(os.environ.get("FANGUAI_AUDIT_KEY_FILE", DATA_DIR / "audit.key"))
AUDIT_CHECKPOINT_DIR = Path(os.environ.get("FANGUAI_AUDIT_CHECKPOINT_DIR", DATA_DIR / "audit-checkpoints"))
AUDIT_CHECKPOINT_SECONDS = int(os.environ.get("FANGUAI_AUDIT_CHECKPOINT_SECONDS", 3600))

TASKS = {
    "default": {
        "BACKEND": os.environ.get("FANGUAI_TASK_BACKEND", "django_tasks_db.DatabaseBackend"),
        "QUEUES": ["default"],
    }
}
# How often the worker enqueues the periodic jobs (the deadline sweep), in seconds.
PERIODIC_INTERVAL = int(os.environ.get("FANGUAI_PERIODIC_INTERVAL", 60))

EMAIL_HOST = os.environ.get("EMAIL_HOST", "localhost")
EMAIL_PORT = int(os.environ.get("EMAIL_PORT", 25))
EMAIL_HOST_USER = os.environ.get("EMAIL_HOST_USER", "")
EMAIL_HOST_PASSWORD = os.environ.get("EMAIL_HOST_PASSWORD", "")
EMAIL_USE_TLS = env_bool("EMAIL_USE_TLS", False)
EMAIL_TIMEOUT = 10
DEFAULT_FROM_EMAIL = os.environ.get("DEFAULT_FROM_EMAIL", "fanguai@localhost")
EMAIL_BACKEND = os.environ.get(
    "EMAIL_BACKEND",
    "django.core.mail.backends.smtp.EmailBackend"
    if os.environ.get("EMAIL_HOST")
    else "django.core.mail.backends.console.EmailBackend",
)
WEBHOOK_TIMEOUT = 10

SITE_URL = os.environ.get("FANGUAI_SITE_URL", "http://127.0.0.1:8000")

SECURE_CONTENT_TYPE_NOSNIFF = True
X_FRAME_OPTIONS = "DENY"
SECURE_REFERRER_POLICY = "same-origin"
# Content-Security-Policy (django-csp): every asset comes from the platform itself; no inline script, event
# handler or style anywhere (behaviour lives in static/fanguai/*.js, styles in site.css; tests/test_headers.py
# scans the templates). data: images are Bootstrap's and Swagger UI's CSS icons.
CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
        "default-src": ["'self'"],
        "script-src": ["'self'"],
        "style-src": ["'self'"],
        "img-src": ["'self'", "data:"],
        "font-src": ["'self'"],
        "connect-src": ["'self'"],
        "frame-ancestors": ["'none'"],
        "form-action": ["'self'"],
        "base-uri": ["'none'"],
        "object-src": ["'none'"],
    }
}
# Permissions-Policy (django-permissions-policy): the platform uses none of these browser features.
PERMISSIONS_POLICY = {
    feature: []
    for feature in (
        "accelerometer", "autoplay", "camera", "display-capture", "encrypted-media", "geolocation", "gyroscope",
        "hid", "idle-detection", "magnetometer", "microphone", "midi", "payment", "screen-wake-lock", "serial",
        "usb", "xr-spatial-tracking",
    )
}  # fmt: skip
if PRODUCTION:
    SECURE_SSL_REDIRECT = env_bool("FANGUAI_SSL_REDIRECT", True)
    if TRUSTED_PROXIES or PROXY_HOPS:  # honoured from trusted peers only (core.middleware)
        SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
    SESSION_COOKIE_SECURE = True
    CSRF_COOKIE_SECURE = True
    SECURE_HSTS_SECONDS = int(os.environ.get("FANGUAI_HSTS_SECONDS", 31536000))
    SECURE_HSTS_INCLUDE_SUBDOMAINS = True
    SECURE_HSTS_PRELOAD = True

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "filters": {"redact": {"()": "fanguai.core.logging.RedactSensitiveFilter"}},
    "handlers": {"console": {"class": "logging.StreamHandler", "filters": ["redact"]}},
    "root": {"handlers": ["console"], "level": os.environ.get("FANGUAI_LOG_LEVEL", "INFO")},
    "loggers": {"django.db.backends": {"level": "WARNING"}, "axes": {"level": "WARNING"}},
}

NINJA_PAGINATION_PER_PAGE = 50

# Widgets get Bootstrap classes from the templates in templates/django/forms/widgets/; every control gets its
# label as accessible name (core/form_renderer.py).
FORM_RENDERER = "fanguai.core.form_renderer.Renderer"

# Yearly work plans: how often units report on their work items, and the reminder and resubmission periods.
PLAN_REPORT_CYCLE = os.environ.get("FANGUAI_PLAN_REPORT_CYCLE", "quarterly")
PLAN_REPORT_DUE_DAYS = int(os.environ.get("FANGUAI_PLAN_REPORT_DUE_DAYS", 10))
PLAN_REPORT_WARN_DAYS = int(os.environ.get("FANGUAI_PLAN_REPORT_WARN_DAYS", 7))
PLAN_RESUBMIT_DAYS = int(os.environ.get("FANGUAI_PLAN_RESUBMIT_DAYS", 14))
