"""Settings for madoguchi: everything comes from environment variables.

Every variable read here is documented in README.md ("Configuration"); a test fails
when one is not. Defaults are safe for a developer's laptop: SQLite under var/, DEBUG off.
"""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any

import dj_database_url
from django.core.exceptions import ImproperlyConfigured

BASE_DIR = Path(__file__).resolve().parent
PROJECT_DIR = BASE_DIR.parent


def envbool(name: str, default: str = "False") -> bool:
    return os.environ.get(name, default).strip().lower() in ("1", "true", "yes", "on")


def envint(name: str, default: str) -> int:
    return int(os.environ.get(name, default))


def envlist(name: str, default: str) -> list[str]:
    return [item.strip() for item in os.environ.get(name, default).split(",") if item.strip()]


def envsecret(name: str, default: str = "") -> str:
    """Return NAME, or the contents of the file named by NAME_FILE (for Docker/K8s secrets)."""
    path = os.environ.get(f"{name}_FILE")
    if path:
        return Path(path).read_text(encoding="utf-8").strip()
    return os.environ.get(name, default)


# DJANGO_DEBUG / DJANGO_SECRET_KEY are the names the deployment docs use; DEBUG / SECRET_KEY still work.
DEBUG = envbool("DJANGO_DEBUG", os.environ.get("DEBUG", "False"))
# An empty SECRET_KEY in production is reported by the check madoguchi.W001.
SECRET_KEY = envsecret("DJANGO_SECRET_KEY") or envsecret("SECRET_KEY") or "dev-only-insecure-key-change-me"
ALLOWED_HOSTS = envlist("ALLOWED_HOSTS", "127.0.0.1,localhost,[::1]")
CSRF_TRUSTED_ORIGINS = envlist("CSRF_TRUSTED_ORIGINS", "")
SITE_URL = os.environ.get("SITE_URL", "http://127.0.0.1:8000").rstrip("/")
VAR_DIR = Path(os.environ.get("VAR_DIR", str(PROJECT_DIR / "var")))

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "whitenoise.runserver_nostatic",
    "django.contrib.staticfiles",
    "django.contrib.humanize",
    "simple_history",
    "axes",
    "madoguchi.platform",
    "madoguchi.directory",
    "madoguchi.search",
    "madoguchi.cases",
    "madoguchi.matching",
    "madoguchi.events",
    "madoguchi.reports",
    "madoguchi.catalog",

    "madoguchi.staff",
    "madoguchi.interop",
    "madoguchi.api",
    "madoguchi.ops",
    # Only for its commands (`madoguchi bench`, `bench-matching`): start-up loads bench/apps.py, no more.
    "madoguchi.bench",
    # Only so /api/docs serves Swagger UI from our static files, not a CDN the CSP forbids.
    "ninja",
]

MIDDLEWARE = [
    # First: every log line of the request carries its id, a database outage answers 503, and
    # reads go to the replica only when nothing of this visitor's writes could be missing there.
    "madoguchi.ops.middleware.RequestIdMiddleware",
    "madoguchi.ops.middleware.DatabaseUnavailableMiddleware",
    "madoguchi.ops.middleware.ReplicaRoutingMiddleware",
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.locale.LocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    # Cache-Control: private, no-store on every personal page and download (issue 17, item 10).
    "madoguchi.lib.nostore.PersonalNoStoreMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "csp.middleware.CSPMiddleware",
    "simple_history.middleware.HistoryRequestMiddleware",
    # Last, as django-axes requires: it turns a locked-out login into the lockout page.
    "axes.middleware.AxesMiddleware",
]

ROOT_URLCONF = "madoguchi.urls"
WSGI_APPLICATION = "madoguchi.wsgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.template.context_processors.i18n",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
            ],
        },
    }
]

# SQLite by default (works right after checkout); PostgreSQL with DATABASE_URL.
# SQLite gets the same OPTIONS however it is named (the default file or DATABASE_URL=sqlite:///...):
# IMMEDIATE takes the write lock at BEGIN, so two writers queue on busy_timeout instead of failing
# with "database is locked" mid-transaction; WAL lets readers go on while one writes.
SQLITE_OPTIONS = {
    "transaction_mode": "IMMEDIATE",
    "timeout": 20,
    "init_command": "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL;",
}
DATABASE_URL = os.environ.get("DATABASE_URL", "")
# One loose type for dj_database_url's config and ours for SQLite (whose NAME is a Path).
if DATABASE_URL:
    DATABASES: dict[str, Any] = {"default": dj_database_url.parse(DATABASE_URL, conn_max_age=envint("DB_CONN_MAX_AGE", "0"))}
else:
    # DB_CONN_MAX_AGE here too: opening SQLite costs each request its connect and PRAGMAs (bench http).
    DATABASES = {"default": {"ENGINE": "django.db.backends.sqlite3", "NAME": VAR_DIR / "madoguchi.sqlite3",
                             "CONN_MAX_AGE": envint("DB_CONN_MAX_AGE", "0")}}
# --- PostgreSQL connections and read replicas (issue 12) -----------------------------------
# A connect that hangs would hold a worker for minutes while PostgreSQL restarts: give up after
# DB_CONNECT_TIMEOUT seconds (the request answers 503), and check a kept connection before reuse.
if DATABASES["default"]["ENGINE"] == "django.db.backends.postgresql":
    DATABASES["default"].setdefault("OPTIONS", {})["connect_timeout"] = envint("DB_CONNECT_TIMEOUT", "5")
    DATABASES["default"]["CONN_HEALTH_CHECKS"] = True
# DATABASE_REPLICA_URL: a streaming replica for public read-only pages and search
# (madoguchi/ops/router.py decides per request); tests mirror the primary's test database there.
DATABASE_REPLICA_URL = os.environ.get("DATABASE_REPLICA_URL", "")
if DATABASE_REPLICA_URL:
    DATABASES["replica"] = dj_database_url.parse(DATABASE_REPLICA_URL, conn_max_age=envint("DB_CONN_MAX_AGE", "0"))
    DATABASES["replica"].setdefault("OPTIONS", {})["connect_timeout"] = envint("DB_CONNECT_TIMEOUT", "5")
    DATABASES["replica"]["CONN_HEALTH_CHECKS"] = True
    DATABASES["replica"]["TEST"] = {"MIRROR": "default"}
DATABASE_ROUTERS = ["madoguchi.ops.router.ReplicaRouter"]
# After a write, this visitor reads from the primary for this many seconds (longer than replica lag).
REPLICA_PIN_SECONDS = envint("REPLICA_PIN_SECONDS", "15")
# How long a replica found down (or up) is believed before it is tried again.
REPLICA_CHECK_SECONDS = envint("REPLICA_CHECK_SECONDS", "5")
# --- end of database block --------------------------------------------------------------------
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    DATABASES["default"]["OPTIONS"] = {**SQLITE_OPTIONS, **DATABASES["default"].get("OPTIONS", {})}
    VAR_DIR.mkdir(parents=True, exist_ok=True)

DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

PASSWORD_HASHERS = [
    "django.contrib.auth.hashers.Argon2PasswordHasher",
    "django.contrib.auth.hashers.PBKDF2PasswordHasher",
]
# Lockout first (django-axes), then object permissions (django-rules, cases/rules.py), then passwords.
AUTHENTICATION_BACKENDS = [
    "madoguchi.platform.auth.LoginLockoutBackend",
    "rules.permissions.ObjectPermissionBackend",
    "django.contrib.auth.backends.ModelBackend",
]
LOGIN_URL = "login"
LOGIN_REDIRECT_URL = "cases:list"
LOGOUT_REDIRECT_URL = "directory:home"
AXES_FAILURE_LIMIT = envint("AXES_FAILURE_LIMIT", "5")
AXES_COOLOFF_TIME = envint("AXES_COOLOFF_MINUTES", "30") / 60  # hours, as axes expects
# Lock the pair (user name, address): one attacker cannot lock a user out from everywhere. The
# address alone is capped by the handler across user names (platform/auth.py says why not here).
AXES_LOCKOUT_PARAMETERS = [["username", "ip_address"]]
AXES_HANDLER = "madoguchi.platform.auth.AddressCappedHandler"
AXES_ADDRESS_FAILURE_LIMIT = envint("AXES_ADDRESS_FAILURE_LIMIT", "20")
AXES_RESET_ON_SUCCESS = True
AXES_LOCKOUT_TEMPLATE = "registration/locked_out.html"
AXES_IPWARE_META_PRECEDENCE_ORDER = ["REMOTE_ADDR"]
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]

LANGUAGE_CODE = "ja"
LANGUAGES = [("ja", "日本語"), ("en", "English")]
LOCALE_PATHS = [BASE_DIR / "locale"]
TIME_ZONE = "Asia/Tokyo"
USE_I18N = True
# Dates in each language's own format (templates say DATE_FORMAT, not "Y年n月j日").
FORMAT_MODULE_PATH = ["madoguchi.formats"]
USE_TZ = True

STATIC_URL = "/static/"
STATIC_ROOT = Path(os.environ.get("STATIC_ROOT", str(VAR_DIR / "static")))
STATICFILES_DIRS = [BASE_DIR / "static"]
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {"BACKEND": "whitenoise.storage.CompressedStaticFilesStorage"},
}
WHITENOISE_USE_FINDERS = True
# whitenoise warns at start-up when STATIC_ROOT is missing, before collectstatic has run.
STATIC_ROOT.mkdir(parents=True, exist_ok=True)
# URLs typed into forms without a scheme are taken as https (Django 6's default, adopted now).
FORMS_URLFIELD_ASSUME_HTTPS = True
# Uploaded case documents; never served directly, only through the case's access check.
MEDIA_ROOT = Path(os.environ.get("MEDIA_ROOT", str(VAR_DIR / "media")))
CASE_ATTACHMENT_MAX_BYTES = envint("CASE_ATTACHMENT_MAX_BYTES", str(10 * 1024 * 1024))
# A referral unanswered after this many business days (weekends and Japanese holidays skipped) is flagged.
REFERRAL_ANSWER_DAYS = envint("REFERRAL_ANSWER_DAYS", "3")
# Closed cases older than this may be anonymised (madoguchi anonymise-cases).
CASE_RETENTION_DAYS = envint("CASE_RETENTION_DAYS", str(5 * 365))
# Event registrations keep names and contacts this long after the event (anonymise-registrations).
REGISTRATION_RETENTION_DAYS = envint("REGISTRATION_RETENTION_DAYS", "365")
# The worker's prune job (platform/prune.py): sent, failed and cancelled mail goes after this many
# days; a rate-limit bucket untouched this long is full again (every policy refills within an
# hour), so deleting it changes nothing.
MAIL_RETENTION_DAYS = envint("MAIL_RETENTION_DAYS", "90")
RATELIMIT_RETENTION_DAYS = envint("RATELIMIT_RETENTION_DAYS", "2")
# Changes to the worker's schedule (platform/jobs.py), "job=when" separated by commas: when is
# HH:MM (daily), "mon HH:MM" (weekly), 300s / 5m / 1h (every), or off. Checked by madoguchi.E021.
WORKER_SCHEDULE = {name.strip(): when.strip()
                   for name, _sep, when in (item.partition("=") for item in envlist("WORKER_SCHEDULE", ""))}
# Documents changed since the main search index was built, beyond which a process merges them
# into a new main index in the background (search.live); each search scans this delta too.
SEARCH_DELTA_MERGE_AT = envint("SEARCH_DELTA_MERGE_AT", "500")

# A program not verified for this many days is flagged 要確認 (catalog).
PROGRAM_STALE_DAYS = envint("PROGRAM_STALE_DAYS", "180")
# Caps of madoguchi import-programs and its admin upload, checked before any row is read.
PROGRAM_IMPORT_MAX_BYTES = envint("PROGRAM_IMPORT_MAX_BYTES", str(100 * 1024 * 1024))
PROGRAM_IMPORT_MAX_ROWS = envint("PROGRAM_IMPORT_MAX_ROWS", "200000")
WHITENOISE_AUTOREFRESH = DEBUG

SESSION_COOKIE_AGE = envint("SESSION_COOKIE_AGE", str(60 * 60 * 8))
SESSION_COOKIE_HTTPONLY = True
# --- Deployment behind TLS (issue 17, item 10) -------------------------------------------
# All off by default (a laptop serves plain http); production sets them, and then
# `madoguchi check --deploy --fail-level WARNING` passes. See README "Configuration".
SESSION_COOKIE_SECURE = envbool("SECURE_COOKIES", "False")
CSRF_COOKIE_SECURE = SESSION_COOKIE_SECURE
SECURE_HSTS_SECONDS = envint("SECURE_HSTS_SECONDS", "0")
SECURE_HSTS_INCLUDE_SUBDOMAINS = envbool("SECURE_HSTS_INCLUDE_SUBDOMAINS", "False")
SECURE_HSTS_PRELOAD = envbool("SECURE_HSTS_PRELOAD", "False")
SECURE_SSL_REDIRECT = envbool("SECURE_SSL_REDIRECT", "False")
# "HEADER,value", e.g. HTTP_X_FORWARDED_PROTO,https: trust the TLS proxy's word that a request came over https
# (only when the proxy always sets that header itself, or a client could claim https).
_proxy_header = envlist("SECURE_PROXY_SSL_HEADER", "")
if _proxy_header and (len(_proxy_header) != 2 or not _proxy_header[0].startswith("HTTP_")):
    raise ImproperlyConfigured("SECURE_PROXY_SSL_HEADER must be 'HTTP_HEADER_NAME,value', e.g. HTTP_X_FORWARDED_PROTO,https")
SECURE_PROXY_SSL_HEADER = (_proxy_header[0], _proxy_header[1]) if _proxy_header else None
# --- end of deployment block ---------------------------------------------------------------
# --- Production defaults (issue 12, item 1) -------------------------------------------------
# Setting DJANGO_SECRET_KEY (with DEBUG off) declares a real deployment: cookies are then secure,
# http is redirected to https and HSTS is sent unless a variable says otherwise, so
# `madoguchi check --deploy --fail-level WARNING` passes with just DJANGO_SECRET_KEY and
# ALLOWED_HOSTS. A laptop (`make run`, tests) sets neither and keeps plain http working.
# The load balancer's probes are exempt from the redirect (they speak http to the app server).
DEPLOYED = bool(envsecret("DJANGO_SECRET_KEY")) and not DEBUG
if DEPLOYED:
    SESSION_COOKIE_SECURE = envbool("SECURE_COOKIES", "True")
    CSRF_COOKIE_SECURE = SESSION_COOKIE_SECURE
    SECURE_SSL_REDIRECT = envbool("SECURE_SSL_REDIRECT", "True")
    SECURE_HSTS_SECONDS = envint("SECURE_HSTS_SECONDS", str(365 * 24 * 3600))
    SECURE_HSTS_INCLUDE_SUBDOMAINS = envbool("SECURE_HSTS_INCLUDE_SUBDOMAINS", "True")
    SECURE_HSTS_PRELOAD = envbool("SECURE_HSTS_PRELOAD", "True")
    # Serve the compressed files `collectstatic` wrote, not the source folders (no .gz there).
    WHITENOISE_USE_FINDERS = False
    # Links in mail go to the public https address: the first allowed host, unless SITE_URL says.
    if not os.environ.get("SITE_URL") and ALLOWED_HOSTS and not ALLOWED_HOSTS[0].startswith((".", "*")):
        SITE_URL = f"https://{ALLOWED_HOSTS[0]}"
# Behind the TLS proxy, gunicorn itself trusts X-Forwarded-Proto from FORWARDED_ALLOW_IPS only
# (docs/deploy.md), so Django needs no SECURE_PROXY_SSL_HEADER to know a request came over https.
SECURE_REDIRECT_EXEMPT = [r"^healthz$", r"^readyz$"]
# --- end of production defaults ---------------------------------------------------------------
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
X_FRAME_OPTIONS = "DENY"
DATA_UPLOAD_MAX_MEMORY_SIZE = envint("DATA_UPLOAD_MAX_MEMORY_SIZE", str(5 * 1024 * 1024))

# Content Security Policy: nothing inline, nothing from elsewhere. htmx is vendored.
from csp.constants import NONE, SELF  # noqa: E402  (here, next to the one setting that uses it)

CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
        "default-src": [SELF],
        "script-src": [SELF],
        "style-src": [SELF],
        "img-src": [SELF, "data:"],
        "font-src": [SELF],
        "connect-src": [SELF],
        "object-src": [NONE],
        "base-uri": [SELF],
        "frame-ancestors": [NONE],
        "form-action": [SELF],
    }
}

# Mail: EMAIL_URL when given (madoguchi/lib/email_url.py); else the separate EMAIL_* variables
# when EMAIL_BACKEND or EMAIL_HOST is set (deployments configured before EMAIL_URL); else, off a
# deployment, every mail is written as a file under var/mail/, so `make run` needs no mail server.
EMAIL_BACKEND = os.environ.get("EMAIL_BACKEND", "")
EMAIL_HOST = os.environ.get("EMAIL_HOST", "")
EMAIL_PORT = envint("EMAIL_PORT", "25")
EMAIL_HOST_USER = os.environ.get("EMAIL_HOST_USER", "")
EMAIL_HOST_PASSWORD = envsecret("EMAIL_HOST_PASSWORD")
EMAIL_USE_TLS = envbool("EMAIL_USE_TLS", "False")
EMAIL_USE_SSL = False
# Seconds before the worker gives up on a hung SMTP server and retries the email later.
EMAIL_TIMEOUT = envint("EMAIL_TIMEOUT", "30")
EMAIL_FILE_PATH = os.environ.get("EMAIL_FILE_PATH", str(VAR_DIR / "mail"))
EMAIL_URL = envsecret("EMAIL_URL")
if EMAIL_URL:
    from madoguchi.lib.email_url import parse_email_url

    globals().update(parse_email_url(EMAIL_URL))
elif not EMAIL_BACKEND:
    # A deployment (DJANGO_SECRET_KEY set) with no mail setting hands mail to the host's own MTA
    # on 127.0.0.1:25, as Django does by default; only a laptop writes files nobody reads.
    EMAIL_BACKEND = (
        "django.core.mail.backends.smtp.EmailBackend" if EMAIL_HOST or DEPLOYED
        else "django.core.mail.backends.filebased.EmailBackend"
    )
EMAIL_HOST = EMAIL_HOST or "127.0.0.1"
DEFAULT_FROM_EMAIL = os.environ.get("DEFAULT_FROM_EMAIL", "madoguchi@localhost")

# The plan text the loader reads (a copy kept in the project, see interop/data/).
PLAN_FILE = Path(os.environ.get("PLAN_FILE", str(BASE_DIR / "interop" / "data" / "plan_miyagi_2005.txt")))

# One JSON object per line with the request's id (madoguchi/ops/logs.py); LOG_FORMAT=text for people.
LOG_FORMAT = os.environ.get("LOG_FORMAT", "json")
LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "filters": {"request_id": {"()": "madoguchi.ops.logs.RequestIdFilter"}},
    "formatters": {
        "json": {"()": "madoguchi.ops.logs.JsonFormatter"},
        "text": {"format": "%(asctime)s %(levelname)s %(name)s [%(request_id)s] %(message)s"},
    },
    "handlers": {
        "console": {
            "class": "logging.StreamHandler",
            "filters": ["request_id"],
            "formatter": "json" if LOG_FORMAT == "json" else "text",
        }
    },
    "root": {"handlers": ["console"], "level": os.environ.get("LOG_LEVEL", "WARNING")},
    # One line per request (method, path, status, milliseconds) at INFO, written whatever LOG_LEVEL;
    # REQUEST_LOG_LEVEL=WARNING silences them.
    "loggers": {"madoguchi.request": {"level": os.environ.get("REQUEST_LOG_LEVEL", "INFO")}},
}
