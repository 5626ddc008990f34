"""Settings for the test suite: the site's own settings, with what tests need changed.

The site's settings module never asks whether it runs under a test. The suite
starts from the production defaults (DEBUG off) and changes here, in one
place, only what a test run needs: a throwaway secret key, SQLite allowed, no
HTTPS redirect, a fast password hasher, no connection pool, no page cache
(the page-cache tests turn it on themselves).
"""

import os

os.environ.setdefault("SECRET_KEY", "tests-only-secret-key-never-used-elsewhere-0123456789")
os.environ.setdefault("ALLOW_SQLITE", "1")
# The test client speaks plain HTTP to "testserver".
os.environ.setdefault("SECURE_SSL_REDIRECT", "0")
os.environ.setdefault("SECURE_COOKIES", "0")
os.environ.setdefault("SECURE_HSTS_SECONDS", "0")
os.environ.setdefault("PAGE_CACHE_SECONDS", "0")
# Fragments of published records are kept as in production (a test's cache starts empty).
os.environ.setdefault("FRAGMENT_CACHE_SECONDS", "600")
# Production requires the site's address; the test client's host is the natural one.
os.environ.setdefault("SITE_URL", "http://testserver")

from casebase.settings import *  # noqa: E402, F403
from casebase.settings import DATABASES  # noqa: E402

ALLOWED_HOSTS = ["testserver", "127.0.0.1", "localhost"]

# The test runner creates and drops databases freely; a connection pool only gets in the way.
for _alias, _config in DATABASES.items():
    _config.get("OPTIONS", {}).pop("pool", None)
if "replica" in DATABASES:
    # Tests read the replica from the test database itself: no database of its own.
    DATABASES["replica"]["TEST"] = {"MIRROR": "default"}

# Personas' passwords are hashed in nearly every test. PBKDF2 stays listed so any
# hash it made still verifies.
PASSWORD_HASHERS = [
    "django.contrib.auth.hashers.MD5PasswordHasher",
    "django.contrib.auth.hashers.PBKDF2PasswordHasher",
]

# Static files from the source folders; no manifest to build first.
STORAGES = STORAGES | {  # noqa: F405
    "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"}
}
WHITENOISE_USE_FINDERS = True
# Look static files up when asked for rather than listing them all when the middleware starts:
# every test client starts the middleware afresh, and listing every static file each time was
# about a fifteenth of the suite's time.
WHITENOISE_AUTOREFRESH = True
