"""seed_synthetic: deterministic, realistic synthetic data kept apart from the real records."""

import io
import statistics

import pytest
from django.core.management import call_command

from casebase.cases.models import Application, CaseStudy, TemplateSection
from casebase.framework.models import Edition
from casebase.organizations.models import Organization
from casebase.submissions.models import Status, Submission

pytestmark = pytest.mark.django_db


def seed(**options) -> str:
    out = io.StringIO()
    call_command("seed_synthetic", stdout=out, **options)
    return out.getvalue()


def synthetic_cases():
    return CaseStudy.objects.filter(slug__startswith="synthetic-")


def fingerprint() -> list[tuple]:
    """Everything that makes the data what it is, in a stable order (ids excluded)."""
    rows = []
    for case in synthetic_cases().select_related("organization", "cohort").order_by("slug"):
        rows.append(
            (
                case.slug,
                case.title,
                case.organization.slug,
                case.cohort.slug if case.cohort else None,
                case.published_on,
                case.is_published,
                getattr(getattr(case, "submission", None), "status", None),
                case.completeness,
                case.summary,
                case.sections,
                case.body_html,
                case.takeaways,
                sorted(case.roles.names()),
                sorted(case.principles.names()),
                sorted(case.tags.names()),
                sorted(
                    (a.recommendation.key, a.status, a.justification, a.excerpt, a.voice, a.grade)
                    for a in case.applications.select_related("recommendation")
                ),
            )
        )
    return rows


def test_creates_the_requested_counts_including_drafts():
    output = seed(cases=40, seed=3, unpublished=0.25)

    assert synthetic_cases().count() == 40
    assert synthetic_cases().published().count() == 30
    unpublished = synthetic_cases().filter(is_published=False)
    assert unpublished.count() == 10
    # Their workflow state lives on their working copies: drafts among them.
    assert Submission.objects.filter(case__in=unpublished).count() == 10
    assert Submission.objects.filter(case__in=unpublished, status=Status.DRAFT).exists()
    assert Organization.objects.filter(slug__startswith="synthetic-").count() == 5
    assert Application.objects.filter(case__in=synthetic_cases()).count() >= 40
    summary = output.strip().splitlines()[-1]
    assert summary.startswith("seed_synthetic: seed=3 cases=40 published=30 unpublished=10")


def test_same_seed_gives_the_same_data_and_another_seed_does_not():
    seed(cases=25, seed=11)
    first = fingerprint()
    seed(cases=25, seed=11)  # replaces the synthetic data it made before
    assert synthetic_cases().count() == 25
    assert fingerprint() == first

    seed(cases=25, seed=12)
    assert fingerprint() != first


def test_records_have_the_shape_of_real_cases():
    seed(cases=60, seed=5)
    edition = Edition.objects.current()
    headings = list(TemplateSection.objects.order_by("order").values_list("heading", flat=True))

    cases = list(synthetic_cases().select_related("organization", "cohort", "edition"))
    complete = [c for c in cases if c.completeness == CaseStudy.Completeness.COMPLETE]
    assert complete, "some cases are complete"
    for case in cases:
        assert case.edition == edition
        assert "(synthetic" in case.organization.name
        assert [s["heading"] for s in case.sections] == headings[: len(case.sections)]
        assert all(s["prompt"] and s["response"] for s in case.sections)
        assert case.summary_html.startswith("<p>")
        if case.sections:
            assert "<h2>1. " in case.body_html
            assert case.body_text
        if case.is_published:
            assert case.cohort is not None and case.published_on is not None
        else:
            assert case.published_on is None
        # Tags through taggit's managers, and the snapshot history relies on.
        assert case.tag_snapshot == {
            "roles": sorted(case.roles.slugs()),
            "principles": sorted(case.principles.slugs()),
            "tags": sorted(case.tags.names()),
        }
        assert case.tag_snapshot["roles"] and case.tag_snapshot["principles"]

    # Bodies of realistic length: a complete case runs to several hundred words.
    words = [sum(len(s["response"].split()) for s in c.sections) for c in complete]
    assert statistics.mean(words) > 500

    apps = Application.objects.filter(case__in=synthetic_cases()).select_related("recommendation")
    for app in apps:
        assert app.recommendation.edition_id == edition.pk
        assert app.justification and app.justification_html.startswith("<p>")
    assert {a.status for a in apps} >= {"implemented", "partial"}


def test_search_finds_synthetic_cases_as_it_finds_saved_ones():
    from casebase.cases.signals import refresh_search_text

    seed(cases=12, seed=8)
    case = synthetic_cases().select_related("organization").order_by("slug").first()
    seeded = case.search_text
    refresh_search_text([case.pk])  # what saving and tagging would have stored
    case.refresh_from_db()
    assert sorted(seeded.splitlines()) == sorted(case.search_text.splitlines())

    # On PostgreSQL the trigger filled the search vector at insert time.
    word = case.organization.name.split()[0]
    assert case in CaseStudy.objects.search(word)


def test_real_records_are_left_alone(casebase_data):
    real_cases = set(CaseStudy.objects.values_list("slug", flat=True))
    real_orgs = Organization.objects.count()

    seed(cases=10, seed=1)
    assert CaseStudy.objects.count() == len(real_cases) + 10

    output = seed(cases=0, clear=True)
    assert "removed 10 synthetic cases" in output
    assert set(CaseStudy.objects.values_list("slug", flat=True)) == real_cases
    assert Organization.objects.count() == real_orgs
