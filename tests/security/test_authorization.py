"""Authorization, generated from the URL configuration: every URL, every persona.

Each named URL must have an entry in ``urlmap.REGISTRY``; a view added without
one fails ``test_every_url_has_a_permission_decision``. Each entry is then
requested as every persona and the answer compared with the table.
"""

import pytest
from django.apps import apps
from django.contrib import admin
from django.urls import reverse

from tests.security.urlmap import (
    ADMIN_INDEX,
    ADMIN_MODEL_PAGE,
    PERSONAS,
    REGISTRY,
    Outcome,
    outcome_of,
    site_routes,
)

SECRET_A = "Secret draft of organization A"
SECRET_B = "Secret draft of organization B"
SECRET_READER = ("Secret collection of the reader", "Secret note of the reader")


def url_for(name, rule, world):
    kwargs = rule.kwargs(world) if rule.kwargs else {}
    url = reverse(name, kwargs=kwargs)
    return f"{url}?{rule.query}" if rule.query else url


def test_every_url_has_a_permission_decision():
    routes = site_routes()
    unnamed = [r.route for r in routes if not r.name]
    assert not unnamed, f"URL patterns without a name cannot be given a permission decision: {unnamed}"
    names = {r.name for r in routes}
    missing = sorted(names - set(REGISTRY))
    assert not missing, (
        "These URLs have no entry in tests/security/urlmap.py REGISTRY. Decide who may see them "
        f"(and give sample arguments): {missing}"
    )
    stale = sorted(set(REGISTRY) - names)
    assert not stale, f"REGISTRY lists URLs that no longer exist: {stale}"
    # A name may have several routes (the API's ".json" variants): one without arguments is enough.
    argless = {r.name for r in routes if not r.converters}
    needs_args = sorted(
        {r.name for r in routes} - argless - {n for n, rule in REGISTRY.items() if rule.kwargs}
    )
    assert not needs_args, f"These URLs take arguments but their REGISTRY entry gives none: {needs_args}"


def history_rows() -> int:
    """Every save of a tracked model adds a history row: a cheap detector of any write."""
    return sum(m.objects.count() for m in apps.get_models() if m.__name__.startswith("Historical"))


def check_response_for_leaks(persona, response):
    """Nobody but A (and staff) reads A's draft; nobody but B (and staff) reads B's; nobody but
    the reader, staff included, reads the reader's private collection."""
    if response.status_code != 200:
        return []
    content = b"".join(response.streaming_content) if response.streaming else response.content
    body = content.decode(errors="replace")
    leaks = []
    if persona != "reader" and any(secret in body for secret in SECRET_READER):
        leaks.append(f"{persona} sees the reader's private collection")
    if persona in ("editor", "admin"):
        return leaks
    if persona != "supporter_a" and SECRET_A in body:
        leaks.append(f"{persona} sees organization A's draft")
    if persona != "supporter_b" and SECRET_B in body:
        leaks.append(f"{persona} sees organization B's draft")
    return leaks


@pytest.mark.parametrize("name", sorted(REGISTRY))
def test_access_matrix(name, world):
    rule = REGISTRY[name]
    url = url_for(name, rule, world)
    problems = []
    for persona in PERSONAS:
        response = world.clients[persona].get(url)
        got = outcome_of(response)
        if got != rule.expect[persona]:
            problems.append(f"{persona}: expected {rule.expect[persona]}, got {got} ({response.status_code})")
        problems += check_response_for_leaks(persona, response)
    if rule.post:
        # Refused personas first: an allowed persona's POST may move the record on.
        for persona in sorted(PERSONAS, key=lambda p: rule.post[p] is None):
            expected = rule.post[persona]
            before = history_rows()
            response = world.clients[persona].post(url, {})
            got = outcome_of(response)
            if got == Outcome.ERROR or (expected is not None and got != expected):
                problems.append(
                    f"{persona}: POST expected {expected or 'no 5xx'}, got {got} ({response.status_code})"
                )
            if expected in (Outcome.LOGIN, Outcome.DENIED) and history_rows() != before:
                problems.append(f"{persona}: a refused POST changed the database")
    assert not problems, f"{url}:\n  " + "\n  ".join(problems)


def admin_urls():
    urls = [("admin:index", {})]
    for model in sorted(admin.site._registry, key=lambda m: m._meta.label):
        meta = model._meta
        urls.append((f"admin:{meta.app_label}_{meta.model_name}_changelist", {}))
        urls.append((f"admin:{meta.app_label}_{meta.model_name}_add", {}))
    return urls


@pytest.mark.parametrize("name, kwargs", admin_urls(), ids=[u[0] for u in admin_urls()])
def test_admin_matrix(name, kwargs, world, rf):
    expect = ADMIN_INDEX if name == "admin:index" else ADMIN_MODEL_PAGE
    if name.endswith("_add"):
        # Read-only admins (sign-in records, say) refuse additions even to superusers.
        request = rf.get("/admin/")
        request.user = world.users["admin"]
        model_admin = next(
            ma
            for m, ma in admin.site._registry.items()
            if name.startswith(f"admin:{m._meta.app_label}_{m._meta.model_name}_")
        )
        if not model_admin.has_add_permission(request):
            expect = expect | {"admin": Outcome.DENIED}
    url = reverse(name, kwargs=kwargs)
    problems = []
    for persona in PERSONAS:
        got = outcome_of(world.clients[persona].get(url))
        if got != expect[persona]:
            problems.append(f"{persona}: expected {expect[persona]}, got {got}")
    assert not problems, f"{url}:\n  " + "\n  ".join(problems)


@pytest.mark.parametrize(
    "name, argument",
    [
        ("cases:detail", "slug"),
        ("api:case-detail", "slug"),
        ("analysis:cite_case", "slug"),
    ],
)
def test_unpublished_cases_are_not_public(name, argument, world):
    """A draft has a slug from its first save: its public addresses must not answer for it."""
    kwargs = {argument: world.draft_a.case.slug}
    if name == "analysis:cite_case":
        kwargs["ext"] = "bib"
    url = reverse(name, kwargs=kwargs)
    for persona in ("anonymous", "supporter_a", "supporter_b"):
        response = world.clients[persona].get(url)
        assert response.status_code == 404, (persona, url, response.status_code)
    # Staff may preview an unpublished case on its public page; nobody gets an error.
    for persona in ("editor", "admin"):
        assert world.clients[persona].get(url).status_code in (200, 404)
