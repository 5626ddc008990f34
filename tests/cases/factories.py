"""Small builders for case-study test data, shared by the page tests."""

import datetime

from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils.text import slugify
from taggit.models import Tag

from casebase.cases import writing
from casebase.cases.models import Application, CaseStudy, Cohort
from casebase.framework.models import Principle, Recommendation, StakeholderRole
from casebase.organizations.models import Organization


def make_case(
    organization,
    slug,
    *,
    title=None,
    summary="",
    body="",
    published=True,
    roles=(),
    principles=(),
    tags=(),
    recs=(),
    cohort=None,
    published_on=datetime.date(2025, 6, 1),
    **fields,
):
    """A case with tags and applications, written by the case writer; ``recs`` is a list
    of (key, status) pairs."""
    return writing.save_case(
        CaseStudy(slug=slug),
        fields={
            "organization": organization,
            "title": title or f"Case {slug}",
            "summary": summary,
            "sections": [{"heading": "What happened", "prompt": "", "response": body}] if body else [],
            "is_published": published,
            "cohort": cohort,
            "published_on": published_on,
            **fields,
        },
        roles=roles,
        principles=principles,
        tags=tags,
        applications=[
            writing.ApplicationData(
                Recommendation.objects.filter(key=key).latest("edition__published_on"),
                {
                    "status": app_status,
                    "justification": f"Why {slug} relates to {key}.",
                    "excerpt": "A passage from the case.",
                },
            )
            for key, app_status in recs
        ],
    )


def add_many_cases(n=40, organization_slug="adobe", prefix="bulk"):
    """n extra published cases spread over new and existing organizations, each with tags and applications.

    Written by the case writer's bulk path (a handful of queries, no history):
    these cases only have to exist for the query-count tests.
    """
    new_orgs = Organization.objects.bulk_create(
        [
            Organization(slug=f"{prefix}-org-{i}", name=f"{prefix} organization {i}", kind="industry")
            for i in range(3)
        ]
    )
    existing = Organization.objects.get(slug=organization_slug)
    cohort = Cohort.objects.order_by("released_on").last()
    roles = list(StakeholderRole.objects.values_list("slug", flat=True))
    principles = list(Principle.objects.values_list("slug", flat=True))
    recs = list(Recommendation.objects.all())
    statuses = [s for s, _ in Application.Status.choices]
    for name in ("provenance", "labels", *(f"{prefix} topic {i}" for i in range(n))):
        Tag.objects.get_or_create(name=name, defaults={"slug": slugify(name)})
    items = []
    for i in range(n):
        case = CaseStudy(
            organization=existing if i % 2 else new_orgs[i % 3],
            slug=f"{prefix}-case-{i}",
            title=f"Bulk case number {i} about provenance",
            summary=f"A synthetic test case {i} about provenance and labels.",
            sections=[{"heading": "Body", "prompt": "", "response": f"Body text {i} mentions watermarks."}],
            is_published=True,
            cohort=cohort,
            published_on=datetime.date(2025, 1, 1) + datetime.timedelta(days=i),
        )
        case.render_derived()
        applications = [
            writing.ApplicationData(
                recs[(i + k) % len(recs)],
                {
                    "status": statuses[i % 4] if k == 0 else "implemented",
                    "justification": f"Why case {i} relates.",
                },
            )
            for k in (0, 3)
        ]
        items.append(
            writing.BulkCase(
                case,
                roles=[roles[(i + k) % len(roles)] for k in (0, 1)],
                principles=[principles[i % len(principles)]],
                tags=[f"{prefix} topic {i}", "provenance", "labels"],
                applications=applications,
            )
        )
    writing.insert_cases(items)
    return [item.case for item in items]


def count_queries(client, url, expected_status=200):
    """Queries run by one GET of ``url`` (after a warm-up request fills per-process caches)."""
    client.get(url)
    with CaptureQueriesContext(connection) as context:
        response = client.get(url)
    assert response.status_code == expected_status, (url, response.status_code)
    return len(context)


def assert_bounded_queries(client, url, grow, expected_status=200):
    """The page runs the same number of queries before and after ``grow()`` adds many cases."""
    few = count_queries(client, url, expected_status)
    grow()
    many = count_queries(client, url, expected_status)
    assert few == many, f"{url}: {few} queries with few cases, {many} with many"
    return few
