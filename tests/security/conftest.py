"""The world the security suites run in: the real data, the personas, and one draft each for A and B.

Loading the real Framework and cases takes seconds, and these suites make
hundreds of requests against the same records, so the world is built once for
this package inside a transaction that is rolled back when the package is done
(what Django's ``TestCase.setUpTestData`` does for a class). Each test still
runs in its own savepoint: whatever a test writes is undone before the next one.
Tests that need committed data (a live server) live outside this package.
"""

from datetime import timedelta
from types import SimpleNamespace

import pytest
from django.core.management import call_command
from django.utils import timezone

from casebase.cases.models import Application, CaseStudy
from casebase.framework.models import Edition
from casebase.organizations.models import Organization
from tests.conftest import client_for, make_reader, make_user, rolled_back
from tests.security.urlmap import PERSONAS


def _draft(organization, user, title):
    """A draft case of ``organization``, made the way a supporter makes one."""
    from casebase.submissions import services
    from casebase.submissions.content import empty_content

    content = empty_content(organization) | {"title": title, "summary": f"Summary of {title}."}
    return services.create_draft(organization=organization, content=content, by=user)


def build_world(*, load: bool = True) -> SimpleNamespace:
    """The personas, drafts and an invitation on the real data (loaded here unless already there)."""
    if load:
        call_command("load_casebase", verbosity=0, stdout=open("/dev/null", "w"))
    edition = Edition.objects.get(slug="2023")
    org_a = Organization.objects.create(slug="org-a", name="Organization A", kind="industry")
    org_b = Organization.objects.create(slug="org-b", name="Organization B", kind="media")
    users = {
        "anonymous": None,
        "supporter_a": make_user("supporter_a", org_a),
        "supporter_b": make_user("supporter_b", org_b),
        "editor": make_user("editor", is_staff=True),
        "admin": make_user("admin", is_staff=True, is_superuser=True),
        "reader": make_reader("reader"),
    }
    published = CaseStudy.objects.published().order_by("slug")
    applications = Application.objects.filter(case__in=published).select_related("case", "recommendation")
    w = SimpleNamespace(
        edition=edition,
        org_a=org_a,
        org_b=org_b,
        users=users,
        published_case=published.first(),
        application=applications.order_by("case__slug", "recommendation__key").first(),
        recommendation=edition.recommendations.order_by("key").first(),
        organization=published.first().organization,
        draft_a=_draft(org_a, users["supporter_a"], "Secret draft of organization A"),
        draft_b=_draft(org_b, users["supporter_b"], "Secret draft of organization B"),
    )
    from casebase.accounts.models import Invitation
    from casebase.accounts.services import token_digest

    w.invitation_token = "invitation-token-for-the-tests"
    Invitation.objects.create(
        email="invited@example.org",
        organization=org_a,
        token_digest=token_digest(w.invitation_token),
        invited_by=users["editor"],
        expires_at=timezone.now() + timedelta(days=7),
    )
    from casebase.accounts import following
    from casebase.accounts.models import Subscription
    from casebase.analysis.models import Analysis
    from casebase.analysis.views import CHARTS
    from casebase.corrections import services as corrections
    from casebase.corrections.pages import page_for

    page = page_for(w.published_case.get_absolute_url())
    w.suggestion = corrections.suggest(page=page, target=page.target("title"), problem="A reader says so.")
    w.subscription = Subscription.objects.create(user=users["reader"], query="role=builder", label="Builders")
    w.unsubscribe_token = following.unsubscribe_token(w.subscription)
    from casebase.cases.models import Collection, CollectionItem

    w.collection = Collection.objects.create(owner=users["reader"], name="Secret collection of the reader")
    CollectionItem.objects.create(
        collection=w.collection, case=w.published_case, note="Secret note of the reader"
    )
    w.public_collection = Collection.objects.create(
        owner=users["reader"], name="Public reading", is_public=True
    )
    w.analysis = Analysis.objects.order_by("slug").first()
    from casebase.analysis.models import CollectedAnalysis

    CollectedAnalysis.objects.create(
        collection=w.collection, analysis=w.analysis, note="Secret note of the reader on an analysis"
    )
    w.chart_slug = sorted(CHARTS)[0]
    # The yearly review: an open cycle, and a draft self-assessment of organization A's.
    from casebase.commitments import services as commitments

    w.cycle = commitments.open_cycle(
        title="Review of the tests",
        slug="review-of-the-tests",
        edition=edition,
        opens_on=timezone.localdate(),
        deadline=timezone.localdate() + timedelta(days=30),
        by=users["editor"],
    )
    w.assessment_a = commitments.start_assessment(
        cycle=w.cycle, organization=org_a, by=users["supporter_a"]
    ).assessment
    from casebase.editions import services as editions

    # A draft of the next edition: its pages are staff's, and every public page must not show it.
    w.draft_edition = editions.draft_next_edition(
        slug="2099-draft", title="Secret draft edition", by=users["editor"]
    )
    return w


@pytest.fixture(scope="package")
def site_world(real_world, django_db_blocker):
    real_world.open()
    with rolled_back(django_db_blocker), django_db_blocker.unblock():
        yield build_world(load=False)


@pytest.fixture
def world(site_world, db):
    """The module's world, with a fresh signed-in client per persona for this test."""
    site_world.clients = {persona: client_for(site_world.users[persona]) for persona in PERSONAS}
    return site_world
