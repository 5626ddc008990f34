"""Casebase settings: one module, driven by environment variables.

With nothing set the site runs on SQLite with a development secret key and
DEBUG on only if DEBUG=1. Production (DEBUG off) refuses to start without a
SECRET_KEY and a DATABASE_URL. The test suite's settings (tests/settings.py)
start from this module and override what tests need; nothing here asks
whether it runs under a test.
"""

import os
from pathlib import Path

import dj_database_url
from django.core.exceptions import ImproperlyConfigured
from django.utils.csp import CSP

BASE_DIR = Path(__file__).resolve().parent.parent


def env_bool(name: str, default: bool = False) -> bool:
    value = os.environ.get(name)
    if value is None:
        return default
    return value.strip().lower() in {"1", "true", "yes", "on"}


def env_list(name: str, default: str = "") -> list[str]:
    return [item.strip() for item in os.environ.get(name, default).split(",") if item.strip()]


DEBUG = env_bool("DEBUG")

SECRET_KEY = os.environ.get("SECRET_KEY", "")
if not SECRET_KEY:
    if DEBUG:
        SECRET_KEY = "insecure-development-key-never-use-in-production"
    else:
        raise ImproperlyConfigured("SECRET_KEY must be set when DEBUG is off.")

DATABASE_URL = os.environ.get("DATABASE_URL", "")
if not DATABASE_URL and not (DEBUG or env_bool("ALLOW_SQLITE")):
    raise ImproperlyConfigured(
        "DATABASE_URL must be set when DEBUG is off (set ALLOW_SQLITE=1 to serve from SQLite)."
    )

ALLOWED_HOSTS = env_list("ALLOWED_HOSTS", "127.0.0.1,localhost" if DEBUG else "")
CSRF_TRUSTED_ORIGINS = env_list("CSRF_TRUSTED_ORIGINS")
# The address emails, citations, feeds and the API put in front of a path. In development it
# may be left unset: links then follow the request's own host (casebase.core.siteurl). In
# production a link must not depend on a request's Host header, so it must be set.
SITE_URL = os.environ.get("SITE_URL", "").strip().rstrip("/")
if not SITE_URL and not DEBUG:
    raise ImproperlyConfigured(
        "SITE_URL must be set when DEBUG is off (the site's public address, e.g. https://casebase.example.org)."
    )

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "whitenoise.runserver_nostatic",
    "django.contrib.staticfiles",
    "django.contrib.humanize",
    "django.contrib.postgres",
    "taggit",
    "simple_history",
    "axes",
    "rest_framework",
    "drf_spectacular",
    "casebase.core",
    "casebase.framework",
    "casebase.organizations",
    "casebase.cases",
    "casebase.accounts",
    "casebase.submissions",
    "casebase.analysis",
    "casebase.corrections",
    "casebase.commitments",
    "casebase.api",
    "casebase.pages",
    "casebase.datasets",
    "casebase.quality",
    "casebase.editions",
]

MIDDLEWARE = [
    "casebase.core.middleware.RequestIdMiddleware",
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.middleware.gzip.GZipMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.common.CommonMiddleware",
    # In development, links read away from the page (emails, citations) follow the request's host.
    "casebase.core.siteurl.RequestOriginMiddleware",
    "django.middleware.http.ConditionalGetMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    # With DATABASE_REPLICA_URL: anonymous reads of public pages from the replica.
    "casebase.core.dbrouting.ReplicaReadsMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    # Anonymous readers' public pages, from the cache until content changes.
    "casebase.core.pagecache.PublicPageCacheMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "django.middleware.csp.ContentSecurityPolicyMiddleware",
    "simple_history.middleware.HistoryRequestMiddleware",
    "casebase.core.middleware.DatabaseUnavailableMiddleware",
    # axes must come last so it sees authentication failures.
    "axes.middleware.AxesMiddleware",
]

ROOT_URLCONF = "casebase.urls"
WSGI_APPLICATION = "casebase.wsgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.template.context_processors.csp",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "casebase.core.context_processors.site",
            ],
        },
    }
]


# Database: SQLite when nothing is set; PostgreSQL (with psycopg's pool) from DATABASE_URL.
def database_from_url(url: str) -> dict:
    """One DATABASES entry: PostgreSQL (or whatever the URL names) from a URL, SQLite without one."""
    config = (
        dj_database_url.parse(url)
        if url
        else {"ENGINE": "django.db.backends.sqlite3", "NAME": BASE_DIR / "db.sqlite3"}
    )
    if config["ENGINE"] == "django.db.backends.postgresql":
        from psycopg_pool import ConnectionPool

        config["CONN_MAX_AGE"] = 0  # the pool owns connection reuse
        config.setdefault("OPTIONS", {})["pool"] = {
            "min_size": int(os.environ.get("DB_POOL_MIN", "2")),
            "max_size": int(os.environ.get("DB_POOL_MAX", "10")),
            "timeout": float(os.environ.get("DB_POOL_TIMEOUT", "5")),
            # After a database restart the pooled connections are dead: test each one
            # as it is handed out, so requests get a fresh connection instead of an error.
            "check": ConnectionPool.check_connection,
        }
    else:
        config.setdefault("OPTIONS", {})["timeout"] = 20
    return config


DATABASES = {"default": database_from_url(DATABASE_URL)}
# Optional read replica (a streaming replica of the same PostgreSQL database): anonymous
# readers' GET and HEAD of public pages read from it, everything else uses the primary
# (casebase/core/dbrouting.py). Without DATABASE_REPLICA_URL there is no "replica" alias.
DATABASE_REPLICA_URL = os.environ.get("DATABASE_REPLICA_URL", "")
if DATABASE_REPLICA_URL:
    DATABASES["replica"] = database_from_url(DATABASE_REPLICA_URL)
DATABASE_ROUTERS = ["casebase.core.dbrouting.PrimaryReplicaRouter"]
# With the page cache on, anonymous reads stay on the primary this long after content
# changes, so no page rendered from a replica that has not caught up yet is cached.
DATABASE_REPLICA_CATCH_UP_SECONDS = float(os.environ.get("DATABASE_REPLICA_CATCH_UP_SECONDS", "5"))
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

# Whole-page cache for anonymous readers (casebase.core.pagecache), in seconds; 0 turns it off.
# Off in development, where a template change must show on the next reload.
PAGE_CACHE_SECONDS = int(os.environ.get("PAGE_CACHE_SECONDS", "0" if DEBUG else "600"))
# How long a rendered fragment of published records (a case card's byline, summary, tags) is
# kept per content version (casebase.core.templatetags.fragments): as the page cache unless set.
FRAGMENT_CACHE_SECONDS = int(os.environ.get("FRAGMENT_CACHE_SECONDS", str(PAGE_CACHE_SECONDS)))

REDIS_URL = os.environ.get("REDIS_URL", "")
if REDIS_URL:
    CACHES = {
        "default": {
            # Degrades to no cache while Redis is unreachable (casebase/core/cache.py).
            "BACKEND": "casebase.core.cache.ResilientRedisCache",
            "LOCATION": REDIS_URL,
            "KEY_PREFIX": "casebase",
            "OPTIONS": {"socket_connect_timeout": 0.5, "socket_timeout": 0.5},
        }
    }
    SESSION_ENGINE = "django.contrib.sessions.backends.cached_db"
else:
    # Room for a list page's card fragments (three a case) beside the pages and the facet index.
    CACHES = {
        "default": {
            "BACKEND": "django.core.cache.backends.locmem.LocMemCache",
            "OPTIONS": {"MAX_ENTRIES": 5000},
        }
    }

AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]
AUTHENTICATION_BACKENDS = [
    "axes.backends.AxesStandaloneBackend",
    "django.contrib.auth.backends.ModelBackend",
]
LOGIN_URL = "/accounts/login/"
# A form whose token no longer matches gets a page in the site's layout that keeps what was typed.
CSRF_FAILURE_VIEW = "casebase.accounts.views.csrf_failure"
LOGIN_REDIRECT_URL = "/"
LOGOUT_REDIRECT_URL = "/"

# Behind a load balancer every request arrives from the balancer's address. The number of
# proxies in front of gunicorn says which X-Forwarded-For entry is the client's own
# (casebase/core/clientip.py); 0, the default, trusts no forwarded header.
TRUSTED_PROXY_COUNT = int(os.environ.get("TRUSTED_PROXY_COUNT", "0"))

# django-axes: lock an account/address pair after a few failures, and an address alone after
# many (one password tried across many user names); see docs/deploy.md.
AXES_CLIENT_IP_CALLABLE = "casebase.core.clientip.client_ip"
AXES_HANDLER = "casebase.accounts.lockout.PairAndAddressLockout"
AXES_FAILURE_LIMIT = int(os.environ.get("AXES_FAILURE_LIMIT", "5"))
AXES_IP_FAILURE_LIMIT = int(os.environ.get("AXES_IP_FAILURE_LIMIT", "30"))
AXES_COOLOFF_TIME = 0.25  # hours
AXES_LOCKOUT_PARAMETERS = [["username", "ip_address"], "ip_address"]
# Guesses made during a lockout do not extend it: whoever shares an address with a guesser
# (the editor in the same office, or everyone if the proxy count is wrong) waits at most
# the cooling period.
AXES_RESET_COOL_OFF_ON_FAILURE_DURING_LOCKOUT = False
AXES_LOCKOUT_TEMPLATE = "accounts/locked_out.html"
AXES_RESET_ON_SUCCESS = True
AXES_ENABLED = env_bool("AXES_ENABLED", True)

LANGUAGE_CODE = "en-gb"
TIME_ZONE = "UTC"
USE_I18N = True
USE_TZ = True

STATIC_URL = "/static/"
STATIC_ROOT = BASE_DIR / "staticfiles"
STATICFILES_DIRS = [BASE_DIR / "static"]
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {
        "BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"
        if DEBUG
        else "whitenoise.storage.CompressedManifestStaticFilesStorage"
    },
}
WHITENOISE_MAX_AGE = 31536000
WHITENOISE_USE_FINDERS = DEBUG

# Email: MAILERS (Django 6.1). Console by default; SMTP when EMAIL_HOST is set.
DEFAULT_FROM_EMAIL = os.environ.get("DEFAULT_FROM_EMAIL", "Casebase <casebase@localhost>")
if os.environ.get("EMAIL_HOST"):
    MAILERS = {
        "default": {
            "BACKEND": "django.core.mail.backends.smtp.EmailBackend",
            "OPTIONS": {
                "host": os.environ["EMAIL_HOST"],
                "port": int(os.environ.get("EMAIL_PORT", "587")),
                "username": os.environ.get("EMAIL_HOST_USER", ""),
                "password": os.environ.get("EMAIL_HOST_PASSWORD", ""),
                "use_tls": env_bool("EMAIL_USE_TLS", True),
            },
        }
    }
else:
    MAILERS = {"default": {"BACKEND": "django.core.mail.backends.console.EmailBackend"}}

# Background work (notification email) goes through django.tasks.
TASKS = {
    "default": {
        "BACKEND": os.environ.get("TASKS_BACKEND", "django.tasks.backends.immediate.ImmediateBackend")
    }
}

# Security headers. The CSP uses per-request nonces: no inline script without one.
SECURE_CSP = {
    "default-src": [CSP.SELF],
    "script-src": [CSP.SELF, CSP.NONCE],
    "style-src": [CSP.SELF],
    "img-src": [CSP.SELF, "data:"],
    "font-src": [CSP.SELF],
    "connect-src": [CSP.SELF],
    "object-src": [CSP.NONE],
    "base-uri": [CSP.SELF],
    "form-action": [CSP.SELF],
    "frame-ancestors": [CSP.NONE],
}
X_FRAME_OPTIONS = "DENY"
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "strict-origin-when-cross-origin"
SECURE_CROSS_ORIGIN_OPENER_POLICY = "same-origin"
SESSION_COOKIE_HTTPONLY = True
if not DEBUG:
    SECURE_SSL_REDIRECT = env_bool("SECURE_SSL_REDIRECT", True)
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
    SESSION_COOKIE_SECURE = env_bool("SECURE_COOKIES", True)
    CSRF_COOKIE_SECURE = env_bool("SECURE_COOKIES", True)
    SECURE_HSTS_SECONDS = int(os.environ.get("SECURE_HSTS_SECONDS", "31536000"))
    SECURE_HSTS_INCLUDE_SUBDOMAINS = True
    SECURE_HSTS_PRELOAD = True
SECURE_REDIRECT_EXEMPT = [r"^healthz$"]
# Request size limits: a form body over 2.5 MB is refused with a 400 before any
# view sees it; form fields carry their own max_length for a clear message below that.
DATA_UPLOAD_MAX_MEMORY_SIZE = int(os.environ.get("DATA_UPLOAD_MAX_MEMORY_SIZE", 2_621_440))
DATA_UPLOAD_MAX_NUMBER_FIELDS = 2000

REST_FRAMEWORK = {
    "DEFAULT_SCHEMA_CLASS": "drf_spectacular.openapi.AutoSchema",
    "DEFAULT_PERMISSION_CLASSES": ["rest_framework.permissions.AllowAny"],
    "DEFAULT_AUTHENTICATION_CLASSES": [],
    "DEFAULT_RENDERER_CLASSES": ["rest_framework.renderers.JSONRenderer"],
    "DEFAULT_PAGINATION_CLASS": "rest_framework.pagination.PageNumberPagination",
    "PAGE_SIZE": 50,
    "DEFAULT_THROTTLE_CLASSES": ["rest_framework.throttling.AnonRateThrottle"],
    "DEFAULT_THROTTLE_RATES": {"anon": os.environ.get("API_ANON_RATE", "600/minute")},
    # The same trusted proxies as the lockout (without it DRF would believe any X-Forwarded-For).
    "NUM_PROXIES": TRUSTED_PROXY_COUNT,
    "UNAUTHENTICATED_USER": None,
}
SPECTACULAR_SETTINGS = {
    "TITLE": "Casebase API",
    "DESCRIPTION": "Read-only access to the Responsible Practices for Synthetic Media Framework and its published case studies.",
    "VERSION": "1.0.0",
    "SERVE_INCLUDE_SCHEMA": False,
    # One name for each evidence vocabulary used by many fields.
    "ENUM_NAME_OVERRIDES": {
        "GradeEnum": "casebase.core.evidence.Grade",
        "VoiceEnum": "casebase.core.evidence.Voice",
        "PrecisionEnum": "casebase.core.dates.Precision",
    },
}

TAGGIT_CASE_INSENSITIVE = True

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "filters": {"request_id": {"()": "casebase.core.logging.RequestIdFilter"}},
    # One JSON object per line, each with the request id (tracebacks included in the line).
    "formatters": {"structured": {"()": "casebase.core.logging.JsonFormatter"}},
    "handlers": {
        "console": {
            "class": "logging.StreamHandler",
            "formatter": "structured",
            "filters": ["request_id"],
        }
    },
    "root": {"handlers": ["console"], "level": os.environ.get("LOG_LEVEL", "INFO")},
    "loggers": {"django.db.backends": {"level": "INFO"}, "axes": {"level": "WARNING"}},
}
