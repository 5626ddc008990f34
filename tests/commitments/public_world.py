"""A small yearly review on the real data, for the public commitment pages, exports and API.

Two cycles against the 2023 edition; organization A moves from planned to practised on one
recommendation, B stays put; three more organizations hold assessments that are not public
(draft, submitted, changes requested) whose words must never appear anywhere public.
"""

import datetime
from types import SimpleNamespace

from django.utils import timezone

from casebase.cases.models import Application, CaseStudy
from casebase.commitments.models import ReportingCycle, SelfAssessment, Statement
from casebase.framework.models import Recommendation
from casebase.organizations.models import Organization

SECRET = "SECRET-WORDS-OF-A-{}-ASSESSMENT"
NOT_PUBLIC = [s for s in SelfAssessment.Status.values if s != SelfAssessment.Status.PUBLISHED]


def cycle(edition, year: int) -> ReportingCycle:
    return ReportingCycle.objects.create(
        slug=f"{year}-review",
        title=f"{year} review",
        edition=edition,
        opens_on=datetime.date(year, 1, 15),
        deadline=datetime.date(year, 3, 31),
    )


def assessment(cycle, organization, status=SelfAssessment.Status.PUBLISHED) -> SelfAssessment:
    published = status == SelfAssessment.Status.PUBLISHED
    return SelfAssessment.objects.create(
        cycle=cycle,
        organization=organization,
        status=status,
        published_at=timezone.now() if published else None,
    )


def state(assessment, rec, status, justification="", cases=(), **extra) -> Statement:
    statement = Statement.objects.create(
        assessment=assessment, recommendation=rec, status=status, justification=justification, **extra
    )
    statement.evidence_cases.set(cases)
    return statement


def build(edition, org_a, org_b) -> SimpleNamespace:
    rec = Recommendation.objects.filter(edition=edition).order_by("key").first()
    other = Recommendation.objects.filter(edition=edition).exclude(key=rec.key).order_by("key").first()
    published = list(CaseStudy.objects.published().order_by("slug")[:2])
    backing, unbacked = published
    # One case applies the recommendation with a confirmed coding; the other not at all.
    Application.objects.filter(case__in=published, recommendation__key=rec.key).delete()
    Application.objects.create(
        case=backing, recommendation=rec, voice="editors", status="implemented", grade="confirmed"
    )
    draft_case = CaseStudy.objects.create(organization=org_a, slug="a-draft-case", title="Unpublished case")
    w = SimpleNamespace(rec=rec, other=other, backing=backing, unbacked=unbacked, org_a=org_a, org_b=org_b)
    w.c2024, w.c2025 = cycle(edition, 2024), cycle(edition, 2025)
    a24, a25 = assessment(w.c2024, org_a), assessment(w.c2025, org_a)
    b24, b25 = assessment(w.c2024, org_b), assessment(w.c2025, org_b)
    w.a_planned = state(
        a24, rec, "planned", "We are building it.", [unbacked, draft_case],
        planned_measure="Label every generated video", planned_by=datetime.date(2024, 12, 31),
    )  # fmt: skip
    w.a_practised = state(a25, rec, "practised", "Every video is labelled.", [backing])
    w.a_other = state(a25, other, "declined", "Not for us.")
    w.b_partly = state(b24, rec, "partly", '=HYPERLINK("http://evil.example")', [unbacked])
    w.b_planned = state(
        b25,
        rec,
        "planned",
        "Next year.",
        planned_measure="Watermark audio",
        planned_by=datetime.date(2099, 1, 1),
    )
    state(b25, other, "", "An unanswered statement is no statement.")
    w.secrets = []
    for i, status in enumerate(NOT_PUBLIC):
        organization = Organization.objects.create(slug=f"hidden-{i}", name=f"Hidden {i}", kind="industry")
        hidden = assessment(w.c2025, organization, status)
        secret = SECRET.format(status.upper())
        state(hidden, rec, "practised", secret, [backing], planned_measure=secret)
        w.secrets.append(secret)
    return w
