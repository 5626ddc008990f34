"""Hostile input through every free-text field of every model the admin lets staff change.

Payloads go into each field (read from the admin's own form, inlines included,
so new fields are covered), are saved, and the admin page and the public page
that show them are parsed as a browser would: nothing may run script. The
supporter's form and the public pages are tests/security/test_hostile_input.py.
"""

import json
from types import SimpleNamespace

import pytest
from django.apps import apps
from django.contrib import admin
from django.db import models
from django.test import RequestFactory
from django.urls import reverse

from tests.security.forms import Form, read_form
from tests.security.test_hostile_input import check_page, send_form
from tests.security.xss import PAYLOADS

CHUNK = 4  # payloads per admin save: long text fields get all four, one-line fields one each
CHUNKS = [PAYLOADS[i : i + CHUNK] for i in range(0, len(PAYLOADS), CHUNK)]


def editable_admins():
    """Our models (and the topic tags they use) that the admin lets staff change."""
    request = RequestFactory().get("/admin/")
    request.user = SimpleNamespace(is_active=True, is_staff=True, is_superuser=True, has_perm=lambda *a: True)
    return sorted(
        m._meta.label
        for m, ma in admin.site._registry.items()
        if m.__module__.startswith(("casebase.", "taggit.")) and ma.has_change_permission(request)
    )


def free_text_fields(model) -> dict[str, str]:
    """Form field name -> "text", "long" or "json" for the model's free-text fields."""
    kinds = {}
    for field in model._meta.get_fields():
        if not getattr(field, "editable", False) or getattr(field, "choices", None):
            continue
        if isinstance(field, (models.SlugField, models.URLField, models.EmailField)):
            continue
        if isinstance(field, models.TextField):
            kinds[field.name] = "long"
        elif isinstance(field, models.CharField):
            kinds[field.name] = "text"
        elif isinstance(field, models.JSONField):
            kinds[field.name] = "json"
    return kinds


# Keys inside JSON whose values are validated choices, dates or addresses, not free text
# (a provenance's grade, voice, checked_on, source_url: tests/core/test_evidence.py refuses bad ones).
CONSTRAINED_KEYS = {"grade", "voice", "checked_on", "source_url"}


def fill_json(value: str, payload: str) -> str:
    """Every free-text string inside a JSON value replaced by the payload (sections, takeaways...)."""

    def fill(node, key=None):
        if isinstance(node, str):
            return node if key in CONSTRAINED_KEYS else payload
        if isinstance(node, list):
            return [fill(item) for item in node]
        if isinstance(node, dict):
            return {k: fill(item, k) for k, item in node.items()}
        return node

    try:
        return json.dumps(fill(json.loads(value or "null")))
    except ValueError:
        return value


def admin_overrides(form: Form, kinds: dict[str, str], chunk: list[str]) -> dict[str, str]:
    overrides = {}
    for i, (name, value) in enumerate(form.fields):
        # Inline forms are named prefix-N-field; match on the field's own name.
        kind = kinds.get(name.rsplit("-", 1)[-1]) if name in form.text_fields else None
        if kind == "long":
            overrides[name] = "\n\n".join(chunk)
        elif kind == "text":
            overrides[name] = chunk[i % len(chunk)]
        elif kind == "json":
            overrides[name] = fill_json(value, chunk[i % len(chunk)])
    return overrides


@pytest.mark.parametrize("label", editable_admins())
def test_payloads_through_the_admin(label, world):
    model = apps.get_model(label)
    obj = model._default_manager.order_by("pk").first()
    if obj is None:
        pytest.skip(f"no {label} in the real data to edit")
    client = world.clients["admin"]
    change_url = reverse(f"admin:{model._meta.app_label}_{model._meta.model_name}_change", args=[obj.pk])
    form = read_form(client.get(change_url).content.decode(), change_url)
    kinds = free_text_fields(model)
    for inline in admin.site._registry[model].inlines:
        kinds |= free_text_fields(inline.model)
    public_url = obj.get_absolute_url() if hasattr(obj, "get_absolute_url") else None
    problems, saved = [], set()
    for chunk in CHUNKS:
        overrides = admin_overrides(form, kinds, chunk)
        response, refused = send_form(client, change_url, form, overrides)
        if response.status_code != 302:
            problems += check_page(response, f"{label} admin form", ours=False)
            problems.append(f"{label}: not saved ({response.status_code}), refused {sorted(refused)}")
            continue
        saved |= set(overrides) - refused
        # The change page shows what was saved, and is the form the next chunk starts from.
        change_page = client.get(change_url)
        problems += check_page(change_page, f"{label} admin change page", ours=False)
        if public_url:
            for persona in ("anonymous", "admin"):
                page = world.clients[persona].get(public_url)
                if page.status_code == 200:
                    problems += check_page(page, f"{label} public page as {persona}")
        form = read_form(change_page.content.decode(), change_url)
    assert not problems, "\n".join(problems[:40])
    # Every free-text field took payloads at least once.
    never = sorted(name for name in admin_overrides(form, kinds, CHUNKS[0]) if name not in saved)
    assert not never, f"{label}: these fields refused every payload: {never}"
