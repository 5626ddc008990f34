"""Generated cases on top of the real data, and the independent count of the records
(tests.independent), which shares no code with casebase.analysis or the filter engine."""

import random

import pytest

from casebase.cases.models import Application, CaseStudy, Cohort
from casebase.framework.models import Principle, Recommendation, StakeholderRole
from casebase.organizations.models import Organization
from tests.independent import Records

NOT_PUBLISHED = ["draft", "submitted", "in_review", "changes_requested", "approved", "withdrawn", "rejected"]


def make_cases(
    n: int, *, seed: int = 7, published_share: float = 0.6, prefix: str = "gen"
) -> list[CaseStudy]:
    """``n`` random cases, some unpublished, with tags and applications of every status."""
    rng = random.Random(seed)
    orgs = list(Organization.objects.all())
    cohorts = list(Cohort.objects.all()) + [None]
    roles = list(StakeholderRole.objects.all())
    principles = list(Principle.objects.all())
    recs = list(Recommendation.objects.all())
    statuses = ["implemented", "partial", "considered", "not_applicable"]
    made = []
    for i in range(n):
        status = "published" if rng.random() < published_share else rng.choice(NOT_PUBLISHED)
        cohort = rng.choice(cohorts)
        case = CaseStudy.objects.create(
            slug=f"{prefix}-{seed}-{i}",
            title=f"Generated case {prefix} {seed} {i}",
            organization=rng.choice(orgs),
            cohort=cohort,
            published_on=cohort.released_on if cohort else None,
            is_published=status == "published",
            summary="A generated case for counting tests.",
        )
        case.roles.set(rng.sample(roles, rng.randint(0, 3)))
        case.principles.set(rng.sample(principles, rng.randint(0, 3)))
        case.tags.set(rng.sample(["provenance", "labels", "consent forms", "watermark"], rng.randint(0, 2)))
        for rec in rng.sample(recs, rng.randint(0, 5)):
            Application.objects.create(case=case, recommendation=rec, status=rng.choice(statuses))
        made.append(case)
    return made


@pytest.fixture
def generated(casebase_data):
    return make_cases(30)


@pytest.fixture
def records():
    return Records
