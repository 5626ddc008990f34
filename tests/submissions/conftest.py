"""Workflow fixtures: template sections, recommendations and submissions in each state."""

import pytest
from django.test import Client

from casebase.cases.models import TemplateSection
from casebase.framework.models import Edition, Principle, Recommendation, Section, StakeholderRole
from casebase.submissions import services
from casebase.submissions.content import empty_content
from casebase.submissions.models import Status, Submission


def build_framework() -> list:
    """A small Framework: one edition, two recommendations, roles, principles and a 3-section template."""
    edition = Edition.objects.create(slug="2023", title="Framework 2023", is_current=True)
    section = Section.objects.create(edition=edition, key="builders", order=1, title="Builders")
    recs = [
        Recommendation.objects.create(
            edition=edition, section=section, key=f"builders-{n}", order=n, title=f"Recommendation {n}"
        )
        for n in (1, 2)
    ]
    StakeholderRole.objects.create(slug="builder", name="Builder", order=1)
    StakeholderRole.objects.create(slug="creator", name="Creator", order=2)
    Principle.objects.create(slug="consent", name="Consent", order=1)
    Principle.objects.create(slug="disclosure", name="Disclosure", order=2)
    for order, heading in enumerate(["Organizational background", "The scenario", "Lessons"], start=1):
        TemplateSection.objects.create(order=order, heading=heading, prompt=f"Prompt for {heading}.")
    return recs


@pytest.fixture
def framework(db):
    return build_framework()


def complete_content(organization, title=None):
    content = empty_content(organization)
    content["title"] = title or f"How {organization.name} labels synthetic audio"
    content["framing_question"] = "How should synthetic audio be disclosed?"
    content["summary"] = f"{organization.name} labels the synthetic audio it makes."
    content["takeaways"] = ["First takeaway.", "Second takeaway.", "Third takeaway."]
    for section in content["sections"]:
        section["response"] = f"Our answer about {section['heading'].lower()}."
    content["applications"] = [
        {"recommendation": "builders-1", "status": "implemented", "justification": "We label.", "excerpt": ""}
    ]
    content["roles"] = ["builder"]
    content["principles"] = ["disclosure"]
    content["tags"] = ["audio"]
    content["modalities"] = ["audio"]
    content["disclosure_types"] = ["direct"]
    return content


def publishable() -> dict:
    """What the editor gives with the publish action so a complete working copy may go out."""
    from casebase.cases.models import Cohort

    cohort, _ = Cohort.objects.get_or_create(slug="2024-test", defaults={"name": "Test cohort 2024"})
    return {"cohort": cohort, "no_official_page": True}


def publish_post() -> dict:
    """The publish form as an editor fills it for a complete working copy."""
    return {"cohort": str(publishable()["cohort"].pk), "no_official_page": "on", "message": ""}


PATHS = {
    Status.DRAFT: [],
    Status.SUBMITTED: ["submit"],
    Status.IN_REVIEW: ["submit", "claim"],
    Status.CHANGES_REQUESTED: ["submit", "claim", "request_changes"],
    Status.APPROVED: ["submit", "claim", "approve"],
    Status.PUBLISHED: ["submit", "claim", "approve", "publish"],
    Status.REJECTED: ["submit", "claim", "reject"],
    Status.WITHDRAWN: ["withdraw"],
}


def submission_in(status, *, organization, by, editor) -> Submission:
    """A complete submission of ``organization``, walked through the services to ``status``."""
    submission = services.create_draft(
        organization=organization, content=complete_content(organization), by=by
    )
    for step in PATHS[status]:
        if step == "submit":
            services.submit(submission=submission, by=by)
        elif step == "withdraw":
            services.withdraw(submission=submission, by=by)
        elif step == "claim":
            services.claim(submission=submission, by=editor)
        elif step == "request_changes":
            services.request_changes(submission=submission, by=editor, message="Please expand section 2.")
        elif step == "approve":
            services.approve(submission=submission, by=editor)
        elif step == "publish":
            services.publish(submission=submission, by=editor, **publishable())
        elif step == "reject":
            services.reject(submission=submission, by=editor, reason="Out of scope.")
    return Submission.objects.select_related("case").get(pk=submission.pk)


@pytest.fixture
def make_submission(framework, supporter_a, editor, org_a):
    """Build a submission of organization A and walk it through the services to ``status``."""

    def make(status=Status.DRAFT, organization=None, by=None):
        return submission_in(status, organization=organization or org_a, by=by or supporter_a, editor=editor)

    return make


@pytest.fixture
def fresh_client():
    return Client()
