"""The whole journey in headless Chromium, without JavaScript of our own:
a supporter drafts and submits; an editor requests changes; the supporter revises
and resubmits; the editor approves and publishes; a reader finds the case on
/cases/ and on the page of each recommendation it applies."""

import os
import re
from pathlib import Path

import pytest
from django.contrib.auth import get_user_model
from django.core.management import call_command
from playwright.sync_api import expect

from casebase.accounts.models import Membership
from casebase.cases.models import CaseStudy
from casebase.organizations.models import Organization
from casebase.submissions.models import Submission

SHOTS = Path("/tmp/shots")
PASSWORD = "journey-passphrase-2026"
TITLE = "How Witness trains journalists to label synthetic audio"
RECOMMENDATIONS = ["builders-2", "collective-1"]  # the two the supporter applies below


@pytest.mark.browser
@pytest.mark.django_db(transaction=True)
def test_supporter_to_editor_to_reader(live_server, page):
    with open(os.devnull, "w") as devnull:
        call_command("load_casebase", verbosity=0, stdout=devnull)
    SHOTS.mkdir(exist_ok=True)
    User = get_user_model()
    supporter = User.objects.create_user("nadia", "nadia@witness.example", PASSWORD, first_name="Nadia")
    Membership.objects.create(user=supporter, organization=Organization.objects.get(slug="witness"))
    User.objects.create_user("eli", "eli@pai.example", PASSWORD, first_name="Eli", is_staff=True)
    base = live_server.url

    def shot(name):
        page.screenshot(path=str(SHOTS / f"journey-{name}.png"), full_page=True)

    def sign_in(username, landing):
        page.goto(base + "/accounts/login/")
        page.get_by_label("Email address").fill(username)
        page.get_by_label("Password").fill(PASSWORD)
        page.get_by_role("button", name="Sign in").click()
        expect(page).to_have_url(base + landing)

    def sign_out():
        page.get_by_role("button", name="Sign out").click()
        expect(page.get_by_role("link", name="Sign in")).to_be_visible()

    # --- The supporter drafts. ---------------------------------------------------------
    sign_in("nadia", "/submit/")
    expect(page.get_by_role("heading", level=1)).to_have_text("WITNESS: case studies")
    page.get_by_role("link", name="Start a new case study").click()
    page.get_by_label("Title").fill(TITLE)
    page.get_by_label("Framing question").fill(
        "How can newsrooms disclose synthetic audio without losing trust?"
    )
    for n in (1, 2, 3):
        page.get_by_label(f"Takeaway {n}").fill(f"Takeaway number {n} about labelling audio.")
    page.get_by_label("Summary", exact=False).fill("WITNESS trains journalists to label synthetic audio.")
    headings = [
        "Organizational background",
        "The scenario",
        "How the Framework informed your approach",
        "Outcome and lessons",
        "Feedback on the Framework",
    ]
    for n, heading in enumerate(headings, start=1):
        page.get_by_label(f"{n}. {heading}").fill(
            f"Our response on {heading.lower()}.\n\nA second *paragraph*."
        )
    page.locator("#id_apps-0-recommendation").select_option("builders-2")
    page.locator("#id_apps-0-status").select_option("implemented")
    page.locator("#id_apps-0-justification").fill("We attach provenance to every synthetic clip.")
    page.get_by_label("Builder", exact=True).check()
    page.get_by_label("Disclosure", exact=True).check()
    page.get_by_label("Audio").check()
    page.get_by_label("Topic tags").fill("audio, newsrooms")
    shot("01-new-case-form")
    page.get_by_role("button", name="Save and add another recommendation").click()
    expect(page.get_by_text("Draft saved.")).to_be_visible()
    page.locator("#id_apps-1-recommendation").select_option("collective-1")
    page.locator("#id_apps-1-status").select_option("partial")
    page.locator("#id_apps-1-justification").fill("We worked with two other newsrooms.")
    page.get_by_role("button", name="Save and preview").click()
    expect(page.get_by_text("This is how readers will see the case")).to_be_visible()
    # The draft's title, flagged as the organization's claim not yet reviewed.
    expect(page.get_by_role("heading", level=1)).to_have_text(f"{TITLE} unverified")
    expect(page.locator(".case-body em").first).to_have_text("paragraph")
    shot("02-preview")
    page.get_by_role("link", name="Back to the case page").click()
    page.get_by_role("button", name="Submit for review").click()
    expect(page.get_by_text("Submitted for review.")).to_be_visible()
    shot("03-submitted")
    sign_out()

    # --- The editor requests changes. ----------------------------------------------------
    sign_in("eli", "/review/")
    shot("04-queue")
    page.get_by_role("link", name=TITLE).click()
    page.get_by_role("button", name="Claim").click()
    expect(page.get_by_text("You are reviewing it.")).to_be_visible()
    page.get_by_label("Comment", exact=True).fill("Internal: check the provenance claim.")
    page.get_by_label("PAI staff only (internal)").check()
    page.get_by_role("button", name="Post comment").click()
    page.get_by_label("What should change (the supporter reads this)").fill(
        "Please say in section 4 what changed for your audience."
    )
    page.get_by_role("button", name="Request changes").click()
    expect(page.get_by_text("Changes requested. The supporter has been notified.")).to_be_visible()
    shot("05-changes-requested")
    sign_out()

    # --- The supporter revises and resubmits. -------------------------------------------
    sign_in("nadia", "/submit/")
    waiting = page.get_by_role("region", name="Waiting for you")
    expect(waiting.get_by_role("link", name=TITLE)).to_be_visible()
    waiting.get_by_role("link", name=TITLE).click()
    expect(page.get_by_text("Please say in section 4 what changed for your audience.").first).to_be_visible()
    expect(page.get_by_text("Internal: check the provenance claim.")).to_have_count(0)
    shot("06-supporter-sees-request")
    page.get_by_role("link", name="Edit the case").click()
    page.get_by_label("4. Outcome and lessons").fill("Audiences trusted labelled clips more. We measured it.")
    page.get_by_role("button", name="Save and submit for review").click()
    expect(page.get_by_text("Submitted for review.")).to_be_visible()
    sign_out()

    # --- The editor approves and publishes. ------------------------------------------------
    sign_in("eli", "/review/")
    page.get_by_role("link", name=TITLE).click()
    page.get_by_role("link", name="Versions and differences").click()
    page.get_by_role("button", name="Show differences").click()
    expect(page.locator(".diff")).to_contain_text("Audiences trusted labelled clips more.")
    shot("07-diff")
    page.get_by_role("link", name="Back to the review of this case").click()
    page.get_by_role("button", name="Approve").click()
    expect(page.get_by_text("Approved. The supporter has been notified.")).to_be_visible()
    page.get_by_label("Cohort").select_option(index=1)
    page.get_by_label("PAI has no page for this case yet").check()
    page.get_by_label("Change note for readers (optional)").fill("First publication.")
    page.get_by_role("button", name="Publish").click()
    expect(page.get_by_text("Published. The case is on the public pages.")).to_be_visible()
    shot("08-published")
    sign_out()

    case = CaseStudy.objects.get(submission__in=Submission.objects.filter(content__title=TITLE))
    assert case.is_published and case.published_on is not None

    # --- A reader finds it. --------------------------------------------------------------
    page.goto(base + "/cases/")
    page.get_by_role("link", name=TITLE).first.click()
    expect(page).to_have_url(re.compile(rf"/cases/{case.slug}/$"))
    expect(page.get_by_role("heading", level=1)).to_have_text(TITLE)
    expect(page.get_by_text("Audiences trusted labelled clips more.")).to_be_visible()
    expect(page.get_by_text("Record last changed").first).to_be_visible()
    shot("09-public-case")
    for key in RECOMMENDATIONS:
        page.goto(f"{base}/recommendations/{key}/")
        link = page.get_by_role("link", name=TITLE)
        expect(link.first).to_be_visible()
        shot(f"10-recommendation-{key}")
