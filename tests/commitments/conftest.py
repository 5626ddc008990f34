"""A small world for the yearly review: a Framework whose recommendations concern roles, two
supporters with published cases each, and an open cycle."""

import datetime

import pytest

from casebase.cases.models import CaseStudy
from casebase.commitments import services
from casebase.commitments.models import ReportingCycle
from casebase.framework.models import Edition, Recommendation, Section, StakeholderRole
from tests.submissions.conftest import build_framework


def build_review_world(org_a, org_b, editor):
    """Builders-1 and -2 concern builders, creators-1 creators; A is a builder, B has no roles."""
    build_framework()
    edition = Edition.objects.get(slug="2023")
    builder = StakeholderRole.objects.get(slug="builder")
    creator = StakeholderRole.objects.get(slug="creator")
    creators = Section.objects.create(edition=edition, key="creators", order=2, title="Creators")
    Recommendation.objects.create(
        edition=edition, section=creators, key="creators-1", order=1, title="Disclose to audiences",
        text="Creators should *disclose* synthetic media.",
    )  # fmt: skip
    for rec in Recommendation.objects.filter(key__startswith="builders"):
        rec.roles.add(builder)
    Recommendation.objects.get(key="creators-1").roles.add(creator)
    org_a.roles.add(builder)
    cases = {}
    for org in (org_a, org_b):
        cases[org.slug] = CaseStudy.objects.create(
            organization=org,
            slug=f"{org.slug}-case",
            title=f"How {org.name} labels",
            is_published=True,
            published_on=datetime.date(2024, 3, 1),
        )
    CaseStudy.objects.create(organization=org_a, slug="org-a-unpublished", title="A's unpublished case")
    cycle = services.open_cycle(
        title="2025 review",
        slug="2025-review",
        edition=edition,
        opens_on=datetime.date(2025, 1, 1),
        deadline=datetime.date(2025, 3, 31),
        by=editor,
    )
    return cycle, cases


@pytest.fixture
def review_world(db, org_a, org_b, editor):
    cycle, cases = build_review_world(org_a, org_b, editor)
    return cycle, cases


@pytest.fixture
def cycle(review_world) -> ReportingCycle:
    return review_world[0]


@pytest.fixture
def cases(review_world) -> dict:
    return review_world[1]
