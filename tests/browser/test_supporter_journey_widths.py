"""A supporter's journey on a phone (390 px) and a desktop (1280 px).

Sign in with the email address, start a case, submit it with parts missing (the
summary of what is missing takes the focus, nothing typed is lost), fix it and
save twice and reload (still exactly one draft), preview it (unreviewed, not yet
published), and submit it. A double click on "Save draft" makes one draft, which
the supporter then discards. Every page is checked: no sideways scrolling, the
focused element never hidden under the sticky save bar (tabbing through the whole
form), and no axe-core violation of any impact.
"""

import os
from pathlib import Path

import pytest
from django.contrib.auth import get_user_model
from django.core.management import call_command
from playwright.sync_api import expect

from casebase.accounts.models import Membership
from casebase.organizations.models import Organization
from casebase.submissions.models import Status, Submission
from tests.browser.journey import WIDTHS, check_page, obscured_focus

SHOTS = Path("/tmp/shots14")
PASSWORD = "journey-passphrase-2026"
SECTIONS = [
    "Organizational background",
    "The scenario",
    "How the Framework informed your approach",
    "Outcome and lessons",
    "Feedback on the Framework",
]


def focused_class(page) -> str:
    return page.evaluate("() => document.activeElement.className || document.activeElement.tagName")


def tab_through_form(page) -> list[str]:
    """Tab from the top of the form to its save bar; the fields the bar hid on the way."""
    page.locator("#id_title").focus()
    hidden = []
    for _ in range(200):
        page.keyboard.press("Tab")
        if (name := obscured_focus(page)) is not None:
            hidden.append(name)
        if page.evaluate("() => !!document.activeElement.closest('.form-actions')"):
            return hidden
    raise AssertionError("Tab never reached the save bar")


@pytest.mark.browser
@pytest.mark.django_db(transaction=True)
def test_supporter_journey_on_a_phone_and_a_desktop(live_server, open_context):
    with open(os.devnull, "w") as devnull:
        call_command("load_casebase", verbosity=0, stdout=devnull)
    SHOTS.mkdir(exist_ok=True)
    organization = Organization.objects.get(slug="witness")
    base = live_server.url
    problems: list[str] = []

    for label, width in WIDTHS.items():
        email = f"nadia.{label}@witness.example"
        # Invited members' user names are their addresses.
        user = get_user_model().objects.create_user(email, email, PASSWORD, first_name="Nadia")
        Membership.objects.create(user=user, organization=organization)
        page = open_context(base_url=base, bypass_csp=True, width=width).new_page()
        page.set_default_timeout(15000)
        title = f"How WITNESS labels synthetic audio on a {label}"

        def visit(step, page=page, width=width):
            page.screenshot(path=str(SHOTS / f"supporter-{width}-{step}.png"), full_page=True)
            problems.extend(f"[{width}px {step}] {p}" for p in check_page(page))

        # --- Sign in with the email address. ------------------------------------------
        page.goto(base + "/accounts/login/?next=/submit/")
        visit("01-sign-in")
        page.get_by_label("Email address").fill(email)
        page.get_by_label("Password").fill(PASSWORD)
        page.get_by_role("button", name="Sign in").click()
        expect(page).to_have_url(base + "/submit/")
        visit("02-dashboard")

        # --- A new case, submitted with parts missing. ----------------------------------
        page.get_by_role("link", name="Start a new case study").click()
        expect(page).to_have_url(base + "/submit/new/")
        problems.extend(f"[{width}px new case] focus hidden at {name}" for name in tab_through_form(page))
        visit("03-new-case")
        typed = {
            "#id_title": title,
            "#id_framing_question": "How can newsrooms disclose synthetic audio?",
            "#id_takeaway_1": "Label every synthetic clip.",
            "#id_takeaway_2": "Tell the audience before they listen.",
        }
        for selector, text in typed.items():
            page.locator(selector).fill(text)
        page.get_by_label(f"1. {SECTIONS[0]}").fill("WITNESS helps people use video for human rights.")
        page.locator("#id_apps-0-recommendation").select_option("builders-2")
        page.locator("#id_apps-0-status").select_option("implemented")
        page.locator("#id_apps-0-justification").fill("We attach provenance to every synthetic clip.")
        page.get_by_label("Builder", exact=True).check()
        page.get_by_role("button", name="Save and submit for review").click()
        expect(
            page.get_by_role("heading", name="Your draft is saved, but it is not submitted yet")
        ).to_be_visible()
        submission = Submission.objects.get(organization=organization, content__title=title)
        assert page.url == f"{base}/submit/{submission.pk}/edit/?not_submitted=1"
        assert "error-summary" in focused_class(page)
        for selector, text in typed.items():  # nothing lost
            expect(page.locator(selector)).to_have_value(text)
        expect(page.get_by_label("Builder", exact=True)).to_be_checked()
        expect(page.locator("#id_apps-0-recommendation")).to_have_value("builders-2")
        visit("04-not-submitted")

        # --- Fix it, save twice, reload: still one draft. -------------------------------
        page.locator("#id_takeaway_3").fill("Keep the label with the clip.")
        for n, heading in enumerate(SECTIONS[1:], start=2):
            page.get_by_label(f"{n}. {heading}").fill(f"Our answer on {heading.lower()}.")
        page.get_by_role("button", name="Save draft").click()
        expect(page.get_by_text("Draft saved.")).to_be_visible()
        page.get_by_role("button", name="Save draft").click()
        expect(page.get_by_text("Draft saved.")).to_be_visible()
        page.reload()
        expect(page.locator("#id_takeaway_3")).to_have_value("Keep the label with the clip.")
        visit("05-saved")
        assert Submission.objects.filter(organization=organization, content__title=title).count() == 1

        # --- Preview: the draft as it stands. -------------------------------------------
        page.get_by_role("button", name="Save and preview").click()
        expect(page.get_by_text("This is how readers will see the case")).to_be_visible()
        expect(page.get_by_text("Not yet: this is a preview")).to_be_visible()
        expect(page.locator(".sources")).not_to_contain_text("Title: confirmed")
        visit("06-preview")

        # --- Submit. --------------------------------------------------------------------
        page.get_by_role("link", name="Back to the case page").click()
        page.get_by_role("button", name="Submit for review").click()
        expect(page.get_by_text("Submitted for review.")).to_be_visible()
        visit("07-submitted")
        assert Submission.objects.get(pk=submission.pk).status == Status.SUBMITTED

        # --- A double click on "Save draft" makes one draft, which can be discarded. ----
        page.goto(base + "/submit/new/")
        page.locator("#id_title").fill(f"{title}, clicked twice")
        page.get_by_role("button", name="Save draft").dblclick()
        expect(page.get_by_text("Draft saved.")).to_be_visible()
        twice = Submission.objects.filter(content__title=f"{title}, clicked twice")
        assert twice.count() == 1
        page.goto(base + f"/submit/{twice.get().pk}/")
        page.get_by_text("Discard this draft", exact=True).click()
        visit("08-discard")
        page.get_by_role("button", name="Yes, discard this draft").click()
        expect(page.get_by_text("Discarded the draft")).to_be_visible()
        assert not twice.exists()
        visit("09-dashboard-after-discard")

    assert not problems, "\n".join(problems)
