"""Small builders for case-study test data, shared by the page tests."""

import datetime

from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils.text import slugify
from taggit.models import Tag

from casebase.cases.models import Application, CaseStudy, Cohort, TaggedPrinciple, TaggedRole, TaggedTopic
from casebase.framework.models import Principle, Recommendation, StakeholderRole
from casebase.organizations.models import Organization


def make_case(
    organization,
    slug,
    *,
    title=None,
    summary="",
    body="",
    status=CaseStudy.Status.PUBLISHED,
    roles=(),
    principles=(),
    tags=(),
    recs=(),
    cohort=None,
    published_on=datetime.date(2025, 6, 1),
    **fields,
):
    """A case with tags and applications; ``recs`` is a list of (key, status) pairs."""
    case = CaseStudy.objects.create(
        organization=organization,
        slug=slug,
        title=title or f"Case {slug}",
        summary=summary,
        sections=[{"heading": "What happened", "prompt": "", "response": body}] if body else [],
        status=status,
        cohort=cohort,
        published_on=published_on,
        **fields,
    )
    case.roles.set(list(StakeholderRole.objects.filter(slug__in=roles)))
    case.principles.set(list(Principle.objects.filter(slug__in=principles)))
    case.tags.set(list(tags))
    for key, app_status in recs:
        Application.objects.create(
            case=case,
            recommendation=Recommendation.objects.filter(key=key).latest("edition__published_on"),
            status=app_status,
            justification=f"Why {slug} relates to {key}.",
            excerpt="A passage from the case.",
        )
    case.snapshot_tags()
    return case


def add_many_cases(n=40, organization_slug="adobe", prefix="bulk"):
    """n extra published cases spread over new and existing organizations, each with tags and applications.

    Written with bulk_create (a handful of queries, no history): these cases only
    have to exist for the query-count tests.
    """
    new_orgs = Organization.objects.bulk_create(
        [
            Organization(slug=f"{prefix}-org-{i}", name=f"{prefix} organization {i}", kind="industry")
            for i in range(3)
        ]
    )
    existing = Organization.objects.get(slug=organization_slug)
    cohort = Cohort.objects.order_by("released_on").last()
    roles = list(StakeholderRole.objects.all())
    principles = list(Principle.objects.all())
    recs = list(Recommendation.objects.all())
    statuses = [s for s, _ in Application.Status.choices]
    shared = [
        Tag.objects.get_or_create(name=name, defaults={"slug": slugify(name)})[0]
        for name in ("provenance", "labels")
    ]
    own = Tag.objects.bulk_create(
        [Tag(name=f"{prefix} topic {i}", slug=slugify(f"{prefix} topic {i}")) for i in range(n)]
    )
    cases = CaseStudy.objects.bulk_create(
        [
            CaseStudy(
                organization=existing if i % 2 else new_orgs[i % 3],
                slug=f"{prefix}-case-{i}",
                title=f"Bulk case number {i} about provenance",
                summary=f"A synthetic test case {i} about provenance and labels.",
                summary_html=f"<p>A synthetic test case {i} about provenance and labels.</p>",
                body_text=f"Body text {i} mentions watermarks.",
                search_text="provenance labels",
                status=CaseStudy.Status.PUBLISHED,
                cohort=cohort,
                published_on=datetime.date(2025, 1, 1) + datetime.timedelta(days=i),
            )
            for i in range(n)
        ]
    )
    TaggedRole.objects.bulk_create(
        TaggedRole(content_object=case, tag=roles[(i + k) % len(roles)])
        for i, case in enumerate(cases)
        for k in (0, 1)
    )
    TaggedPrinciple.objects.bulk_create(
        TaggedPrinciple(content_object=case, tag=principles[i % len(principles)])
        for i, case in enumerate(cases)
    )
    TaggedTopic.objects.bulk_create(
        TaggedTopic(content_object=case, tag=tag) for i, case in enumerate(cases) for tag in (own[i], *shared)
    )
    Application.objects.bulk_create(
        Application(
            case=case,
            recommendation=recs[(i + k) % len(recs)],
            status=statuses[i % 4] if k == 0 else "implemented",
            justification_html=f"<p>Why case {i} relates.</p>",
        )
        for i, case in enumerate(cases)
        for k in (0, 3)
    )
    return cases


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
