"""Security headers on real responses: every HTML page of the site, as someone allowed to see it."""

import re

import pytest
from django.test import Client, override_settings
from django.urls import reverse

from tests.conftest import client_for
from tests.security.test_authorization import url_for
from tests.security.urlmap import PERSONAS, REGISTRY, Outcome
from tests.security.xss import parse_html

HTML_PAGES = sorted(name for name, rule in REGISTRY.items() if rule.html)
# Sources a directive may list: our own origin, nonces, and images inlined as data: URLs.
ALLOWED_SOURCES = {"'self'", "'none'"}


def parse_csp(header: str) -> dict[str, list[str]]:
    directives = {}
    for part in header.split(";"):
        tokens = part.split()
        if tokens:
            directives[tokens[0].lower()] = tokens[1:]
    return directives


def check_csp(header: str) -> list[str]:
    problems = []
    csp = parse_csp(header)
    script = csp.get("script-src", csp.get("default-src", []))
    if "'unsafe-inline'" in script or "'unsafe-eval'" in script:
        problems.append(f"script-src allows unsafe code: {script}")
    if "'self'" not in script:
        problems.append(f"script-src does not allow our own scripts: {script}")
    if csp.get("frame-ancestors") != ["'none'"]:
        problems.append(f"frame-ancestors is {csp.get('frame-ancestors')}, not 'none'")
    if csp.get("object-src") != ["'none'"]:
        problems.append("object-src is not 'none'")
    for directive, sources in csp.items():
        for source in sources:
            if source in ALLOWED_SOURCES or source.startswith("'nonce-"):
                continue
            if source == "data:" and directive == "img-src":
                continue
            problems.append(f"{directive} allows {source}: only our own origin may serve content")
    return problems


def first_allowed_persona(rule):
    return next(p for p in PERSONAS if rule.expect[p] == Outcome.OK)


@pytest.mark.parametrize("name", HTML_PAGES)
def test_security_headers_on_every_page(name, world):
    rule = REGISTRY[name]
    if all(outcome != Outcome.OK for outcome in rule.expect.values()):
        pytest.skip("no persona may GET this page")
    response = world.clients[first_allowed_persona(rule)].get(url_for(name, rule, world))
    assert response.status_code == 200
    problems = check_csp(response.get("Content-Security-Policy", ""))
    expected = {
        "X-Content-Type-Options": "nosniff",
        "X-Frame-Options": "DENY",
        "Referrer-Policy": "strict-origin-when-cross-origin",
        "Cross-Origin-Opener-Policy": "same-origin",
    }
    for header, value in expected.items():
        if response.get(header) != value:
            problems.append(f"{header} is {response.get(header)!r}, expected {value!r}")
    if not re.fullmatch(r"[0-9a-f]{32}", response.get("X-Request-ID", "")):
        problems.append("no X-Request-ID")
    # Every script on the page carries this response's nonce, or is one of our own files.
    # (Django adds the nonce to the header only when the page used it.)
    found = re.search(r"'nonce-([^']+)'", response["Content-Security-Policy"])
    nonce = found.group(1) if found else None
    document = parse_html(response.content.decode())
    for script in document.iter("script"):
        src = script.get("src", "")
        if src:
            if not src.startswith("/") or src.startswith("//"):
                problems.append(f"script from another origin: {src}")
        elif nonce is None or script.get("nonce") != nonce:
            problems.append("inline script without this response's nonce")
    for element in document.iter():
        for attribute in ("src", "href"):
            value = element.get(attribute, "")
            if element.tag in ("script", "img", "link", "iframe") and re.match(r"(https?:)?//", value):
                problems.append(f"<{element.tag}> loads {value} from another origin")
    assert not problems, problems


PRODUCTION_LIKE = {
    "SECURE_SSL_REDIRECT": True,
    "SECURE_PROXY_SSL_HEADER": ("HTTP_X_FORWARDED_PROTO", "https"),
    "SESSION_COOKIE_SECURE": True,
    "CSRF_COOKIE_SECURE": True,
    "SECURE_HSTS_SECONDS": 31536000,
    "SECURE_HSTS_INCLUDE_SUBDOMAINS": True,
    "SECURE_HSTS_PRELOAD": True,
}


@override_settings(**PRODUCTION_LIKE)
def test_https_only_with_production_settings(world):
    """With the production settings the site redirects to HTTPS, sends HSTS and marks cookies Secure."""
    client = Client()
    plain = client.get("/cases/")
    assert plain.status_code == 301 and plain["Location"].startswith("https://")
    # Behind the load balancer, which terminates TLS and says so in X-Forwarded-Proto.
    secure = client.get("/cases/", headers={"X-Forwarded-Proto": "https"})
    assert secure.status_code == 200
    assert secure["Strict-Transport-Security"] == "max-age=31536000; includeSubDomains; preload"
    # The health check answers on plain HTTP: load balancers probe it directly.
    assert client.get("/healthz").status_code == 200

    from tests.conftest import PASSWORD

    login_page = client.get(reverse("accounts:login"), headers={"X-Forwarded-Proto": "https"})
    csrf = login_page.cookies["csrftoken"]
    assert csrf["secure"]
    response = client.post(
        reverse("accounts:login"),
        {"username": "supporter_a", "password": PASSWORD, "csrfmiddlewaretoken": csrf.value},
        headers={"X-Forwarded-Proto": "https", "Referer": "https://testserver/accounts/login/"},
    )
    assert response.status_code == 302, response.content[:500]
    session = response.cookies["sessionid"]
    assert session["secure"] and session["httponly"] and session["samesite"] == "Lax"


def test_signed_in_pages_are_not_cached_by_shared_caches(world):
    """Pages that show a supporter's own drafts must not be stored by proxies or CDNs."""
    response = client_for(world.users["supporter_a"]).get(reverse("submissions:dashboard"))
    assert response.status_code == 200
    cache_control = response.get("Cache-Control", "")
    vary = response.get("Vary", "")
    assert "private" in cache_control or "no-store" in cache_control or "Cookie" in vary, (
        cache_control,
        vary,
    )
