"""Pages stay the same size and run the same queries as the case bank grows (no timings here)."""

import io

import pytest
from django.core.management import call_command
from django.db import connection
from django.db.models import Count
from django.test.utils import CaptureQueriesContext

from casebase.cases.models import CaseStudy
from casebase.framework.models import Edition
from casebase.organizations.models import Organization

pytestmark = pytest.mark.django_db


def seed(n: int) -> None:
    call_command("seed_synthetic", cases=n, seed=2, organizations=5, stdout=io.StringIO())


def busiest_recommendation() -> str:
    edition = Edition.objects.current()
    return edition.recommendations.annotate(n=Count("applications")).order_by("-n", "key").first().key


def busiest_organization() -> Organization:
    return (
        Organization.objects.filter(slug__startswith="synthetic-")
        .annotate(n=Count("cases"))
        .order_by("-n", "slug")
        .first()
    )


def pages() -> dict[str, str]:
    case = CaseStudy.objects.published().filter(slug__startswith="synthetic-").order_by("slug").first()
    return {
        "home": "/",
        "framework": "/framework/",
        "recommendation": f"/recommendations/{busiest_recommendation()}/",
        "cases": "/cases/",
        "cases, two filters": "/cases/?role=creator&principle=consent",
        "cases, search": "/cases/?q=watermark",
        "case": f"/cases/{case.slug}/",
        "organizations": "/organizations/",
        "organization": f"/organizations/{busiest_organization().slug}/",
        # Data out: each row's facts and their provenance come with the page of rows.
        "cases as CSV": "/cases/?format=csv",
        "cases as JSON": "/cases/?format=json",
        "API cases": "/api/cases/",
        "API recommendations": "/api/recommendations/",
        "matrix CSV": "/analysis/matrix.csv",
        "feed": "/feeds/cases/",
    }


def measure(client) -> dict[str, int]:
    out = {}
    for name, path in pages().items():
        warm = client.get(path)  # warm per-process caches (content types, templates)
        if warm.streaming:
            b"".join(warm.streaming_content)
        with CaptureQueriesContext(connection) as queries:
            response = client.get(path)
            if response.streaming:
                b"".join(response.streaming_content)
        assert response.status_code == 200, path
        out[name] = len(queries)
    return out


def test_queries_do_not_grow_with_the_case_bank(anon_client):
    seed(30)
    small = measure(anon_client)
    seed(160)
    large = measure(anon_client)
    assert large == small


def test_long_lists_are_cut_with_a_link_to_the_rest(anon_client):
    seed(160)
    key = busiest_recommendation()
    text = anon_client.get(f"/recommendations/{key}/").text
    assert "Showing 20 of" in text
    assert f"/cases/?rec={key}" in text

    org = busiest_organization()
    assert org.cases.published().count() > 24
    text = anon_client.get(f"/organizations/{org.slug}/").text
    assert text.count('class="card') <= 24 + 1
    assert f"Browse all {org.cases.published().count()} in the case list" in text
