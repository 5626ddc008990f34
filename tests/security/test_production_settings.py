"""Production settings, checked in a fresh interpreter with a production environment.

The test process itself runs with test settings, so each check starts
``manage.py`` in a subprocess whose environment is what an operator would set.
"""

import os
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]

PRODUCTION_ENV = {
    "SECRET_KEY": "k3J9-production-like-secret-key-with-plenty-of-entropy-0123456789abcdefXYZ",
    "DATABASE_URL": "postgres://casebase@127.0.0.1:5432/casebase",
    "ALLOWED_HOSTS": "casebase.example.org",
    "CSRF_TRUSTED_ORIGINS": "https://casebase.example.org",
    "SITE_URL": "https://casebase.example.org",
    "EMAIL_HOST": "smtp.example.org",
}


def manage(*args: str, env: dict[str, str]) -> subprocess.CompletedProcess:
    # Start from a clean environment: nothing from this test process (DEBUG, pytest) may leak in.
    base = {key: os.environ[key] for key in ("PATH", "HOME", "LANG") if key in os.environ}
    return subprocess.run(
        [sys.executable, "manage.py", *args],
        cwd=ROOT,
        env={**base, **env},
        capture_output=True,
        text=True,
        timeout=60,
    )


def test_check_deploy_passes_with_no_warnings():
    result = manage("check", "--deploy", "--fail-level", "WARNING", env=PRODUCTION_ENV)
    output = result.stdout + result.stderr
    assert result.returncode == 0, output
    assert "System check identified no issues (0 silenced)." in output


@pytest.mark.parametrize("missing", ["SECRET_KEY", "DATABASE_URL", "SITE_URL"])
def test_production_refuses_to_start_without(missing):
    env = {k: v for k, v in PRODUCTION_ENV.items() if k != missing}
    result = manage("check", env=env)
    assert result.returncode != 0
    assert "ImproperlyConfigured" in result.stderr
    assert f"{missing} must be set" in result.stderr


def test_production_settings_values():
    """The settings behind the headers: HTTPS only, long HSTS, secure cookies, no debug."""
    code = (
        "import django, json; from django.conf import settings as s; django.setup(); print(json.dumps({"
        "'DEBUG': s.DEBUG, 'SSL': s.SECURE_SSL_REDIRECT, 'HSTS': s.SECURE_HSTS_SECONDS,"
        "'HSTS_SUB': s.SECURE_HSTS_INCLUDE_SUBDOMAINS, 'SESSION_SECURE': s.SESSION_COOKIE_SECURE,"
        "'CSRF_SECURE': s.CSRF_COOKIE_SECURE, 'SESSION_HTTPONLY': s.SESSION_COOKIE_HTTPONLY,"
        "'NOSNIFF': s.SECURE_CONTENT_TYPE_NOSNIFF, 'REFERRER': s.SECURE_REFERRER_POLICY,"
        "'XFO': s.X_FRAME_OPTIONS, 'PROXY': s.SECURE_PROXY_SSL_HEADER}))"
    )
    base = {key: os.environ[key] for key in ("PATH", "HOME", "LANG") if key in os.environ}
    result = subprocess.run(
        [sys.executable, "-c", code],
        cwd=ROOT,
        env={**base, **PRODUCTION_ENV, "DJANGO_SETTINGS_MODULE": "casebase.settings"},
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert result.returncode == 0, result.stderr
    import json

    values = json.loads(result.stdout)
    assert values == {
        "DEBUG": False,
        "SSL": True,
        "HSTS": 31536000,
        "HSTS_SUB": True,
        "SESSION_SECURE": True,
        "CSRF_SECURE": True,
        "SESSION_HTTPONLY": True,
        "NOSNIFF": True,
        "REFERRER": "strict-origin-when-cross-origin",
        "XFO": "DENY",
        "PROXY": ["HTTP_X_FORWARDED_PROTO", "https"],
    }


def test_development_starts_without_a_site_url_and_follows_the_request():
    """With DEBUG on and no SITE_URL, settings start and leave the address to each request."""
    code = "import django; from django.conf import settings as s; django.setup(); print(repr(s.SITE_URL))"
    base = {key: os.environ[key] for key in ("PATH", "HOME", "LANG") if key in os.environ}
    result = subprocess.run(
        [sys.executable, "-c", code],
        cwd=ROOT,
        env={**base, "DEBUG": "1", "DJANGO_SETTINGS_MODULE": "casebase.settings"},
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip() == "''"
