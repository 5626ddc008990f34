"""The editor's journey at a phone's width and a desktop's: sign in, the review queue, a
submitted case, an internal comment the supporter never sees, a publication refused with what
is missing, and from there to the verification worklist to confirm a fact.

Every page on the way passes check_page: no sideways scroll, focus never under a bar, and no
axe-core violation of any impact.
"""

import os

import pytest
from django.contrib.auth import get_user_model
from django.core.management import call_command
from playwright.sync_api import expect

from casebase.accounts.models import Membership
from casebase.cases.models import CaseStudy
from casebase.submissions import services
from casebase.submissions.models import Status, Submission
from tests.browser.journey import WIDTHS, check_page

PASSWORD = "editor-journey-passphrase-2026"
COMMENT = "Between us: the audience figures in section 4 need a source."


def _submitted_revision() -> tuple[Submission, object]:
    """A published case's revision, submitted by its organization without a summary.

    Set up through the services, then put in the queue directly: a case loaded from PAI's texts
    need not follow the current template to the letter, and the template is not under test here.
    """
    User = get_user_model()
    case = CaseStudy.objects.published().filter(summary__gt="").order_by("slug").first()
    supporter = User.objects.create_user("sam", "sam@member.example", PASSWORD, first_name="Sam")
    Membership.objects.create(user=supporter, organization=case.organization)
    User.objects.create_user(
        "eli", "eli@pai.example", PASSWORD, first_name="Eli", last_name="Editor", is_staff=True
    )
    revision = services.start_revision(case=case, by=supporter)
    Submission.objects.filter(pk=revision.pk).update(
        content=dict(revision.content, summary=""), status=Status.SUBMITTED
    )
    return Submission.objects.select_related("case").get(pk=revision.pk), supporter


@pytest.mark.browser
@pytest.mark.django_db(transaction=True)
@pytest.mark.parametrize("width", WIDTHS.values(), ids=WIDTHS.keys())
def test_editor_reviews_comments_is_refused_publication_and_verifies(live_server, open_context, width):
    with open(os.devnull, "w") as devnull:
        call_command("load_casebase", verbosity=0, stdout=devnull)
    submission, supporter = _submitted_revision()
    base = live_server.url
    problems: list[str] = []

    page = open_context(base_url=base, bypass_csp=True, width=width).new_page()
    page.set_default_timeout(15000)

    # --- Sign in: the editor lands on the review queue. -----------------------------------
    page.goto(base + "/accounts/login/")
    problems += check_page(page)
    page.locator("input[name=username]").fill("eli")
    page.locator("input[name=password]").fill(PASSWORD)
    page.locator("input[name=password]").press("Enter")
    expect(page).to_have_url(base + "/review/")
    expect(page.get_by_role("heading", level=1)).to_have_text("Review queue")
    problems += check_page(page)

    # --- A submitted case. -----------------------------------------------------------------
    page.get_by_role("link", name=submission.title, exact=True).click()
    expect(page.get_by_role("heading", level=1)).to_have_text(submission.title)
    problems += check_page(page)

    # --- A comment: internal unless chosen otherwise, and the choice comes first. ------------
    expect(page.get_by_label("PAI staff only (internal)")).to_be_checked()
    page.get_by_label("Comment", exact=True).fill(COMMENT)
    page.get_by_role("button", name="Post comment").click()
    expect(page.get_by_text("Comment posted.")).to_be_visible()
    expect(page.get_by_text(COMMENT)).to_be_visible()
    problems += check_page(page)
    supporter_page = open_context(user=supporter, base_url=base, width=width).new_page()
    supporter_page.goto(f"{base}/submit/{submission.pk}/")
    expect(supporter_page.get_by_role("heading", level=1)).to_be_visible()
    expect(supporter_page.get_by_text(COMMENT)).to_have_count(0)
    supporter_page.close()

    # --- Take it, approve it, and try to publish it: refused, with what is missing. ----------
    page.get_by_role("button", name="Claim", exact=True).click()
    expect(page.get_by_text("You are reviewing it.")).to_be_visible()
    page.get_by_role("button", name="Approve", exact=True).click()
    expect(page.get_by_text("Approved. The supporter has been notified.")).to_be_visible()
    expect(page.get_by_text("What a published case must have")).to_be_visible()
    page.get_by_role("button", name="Publish", exact=True).click()
    refusal = page.locator("#publish-refused")
    expect(refusal).to_contain_text("Not published. Still missing: a summary")
    problems += check_page(page)
    assert not CaseStudy.objects.get(pk=submission.case_id).summary == ""  # the live case is untouched
    assert Submission.objects.get(pk=submission.pk).status == Status.APPROVED

    # --- The case page leads to its facts on the worklist; confirm one. ----------------------
    page.get_by_role("link", name="Check this case's facts on the verification worklist").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Data quality")
    expect(page.get_by_text("Only the facts of")).to_be_visible()
    problems += check_page(page)
    first = page.locator("ol.worklist > li").first
    expect(first).to_contain_text("Field to check:")
    source = first.get_by_label("Checked against")
    if not source.input_value():
        source.fill("https://partnershiponai.org/case-studies/")
    first.get_by_role("button", name="Record the check").click()
    expect(page.locator(".messages")).to_contain_text("against https://")
    problems += check_page(page)
    # Every case's worklist, from the header, as staff reach it from any page.
    page.get_by_role("link", name="Data quality").click()
    expect(page.get_by_role("heading", name="Worklists")).to_be_visible()
    problems += check_page(page)

    assert problems == [], "\n".join(problems)
