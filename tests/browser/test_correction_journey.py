"""A reader's correction, end to end in Chromium: an anonymous visitor suggests a better summary
for a case; an editor finds it on the verification worklist beside that summary and accepts it;
the case page shows the new text and the public change log says what changed and who suggested it."""

import os

import pytest
from django.contrib.auth import get_user_model
from django.core import mail
from django.core.management import call_command
from playwright.sync_api import expect

from casebase.cases.models import CaseStudy
from casebase.corrections.models import Suggestion

NEW_SUMMARY = "Adobe attaches Content Credentials to images made with Firefly, and says so in the product."


@pytest.mark.browser
@pytest.mark.django_db(transaction=True)
def test_anonymous_suggestion_accepted_by_an_editor(live_server, page, open_context):
    with open(os.devnull, "w") as devnull:
        call_command("load_casebase", verbosity=0, stdout=devnull)
    editor = get_user_model().objects.create_user(
        "eli", "eli@pai.example", "x", first_name="Eli", is_staff=True
    )
    base = live_server.url
    case = CaseStudy.objects.get(slug="adobe")

    # --- An anonymous reader, from the case's summary. ------------------------------------------
    page.goto(base + case.get_absolute_url())
    summary = page.locator("section", has=page.get_by_role("heading", name="Summary", level=2))
    summary.get_by_role("link", name="Suggest a correction").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Suggest a correction")
    expect(page.get_by_label("Which fact is wrong")).to_have_value("summary")
    page.get_by_label("What is wrong, and what it should say").fill(f"It should read: {NEW_SUMMARY}")
    page.get_by_label("Where we can check it").fill("https://partnershiponai.org/adobe-framework-case-study/")
    page.get_by_label("Your email address").fill("rita@reader.example")
    page.get_by_label("Credit me in the public change log").check()
    page.get_by_label("The name to credit").fill("Rita Reader")
    page.get_by_role("button", name="Send the suggestion").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Thank you")
    suggestion = Suggestion.objects.get()
    assert (suggestion.target, suggestion.target_pk, suggestion.field) == ("case", case.pk, "summary")

    # --- The editor, on the verification worklist. ----------------------------------------------
    staff = open_context(user=editor, base_url=base).new_page()
    staff.goto(base + "/review/quality/?list=suggested")
    waiting = staff.locator("table.suggestions tbody tr")
    expect(waiting).to_have_count(1)
    expect(waiting).to_contain_text("Summary")
    expect(waiting).to_contain_text(case.title)
    # Beside the very fact: the worklist item for this case's summary carries the suggestion.
    item = staff.locator("ol.worklist > li")
    expect(item).to_have_count(1)
    expect(item).to_contain_text("Field to check: Summary")
    expect(item).to_contain_text(case.title)
    expect(item).to_contain_text("It should read:")
    item.get_by_role("link", name=f"Review no. {suggestion.pk}").click()
    new_value = staff.get_by_label("Summary: the new value")
    expect(new_value).to_have_value(case.summary)  # starts from what the page says now
    new_value.fill(NEW_SUMMARY)
    staff.get_by_label("Why (shown in the public change log)").fill("The case text on PAI's page says so.")
    mail.outbox.clear()
    staff.get_by_role("button", name="Accept and make the change").click()
    expect(staff.get_by_text("Accepted: the change is made")).to_be_visible()
    expect(staff.locator("table.suggestions")).to_have_count(0)

    # --- Everyone sees the change, and why. --------------------------------------------------------
    page.goto(base + case.get_absolute_url())
    expect(
        page.locator("#summary-heading + .prose, section:has(#summary-heading) .prose").first
    ).to_contain_text(NEW_SUMMARY)
    corrections = page.locator("ol[aria-labelledby=corrections-heading] li")
    expect(corrections).to_have_count(1)
    expect(corrections).to_contain_text("Suggested by Rita Reader")
    page.goto(base + "/changes/")
    entry = page.locator("ol.change-log li")
    expect(entry).to_have_count(1)
    expect(entry).to_contain_text("Summary on " + case.title)
    expect(entry).to_contain_text(NEW_SUMMARY)
    expect(entry).to_contain_text("The case text on PAI's page says so.")
    expect(entry).to_contain_text("Rita Reader")
    entry.get_by_role("link", name=case.title).click()
    expect(page).to_have_url(base + case.get_absolute_url())
    # The suggester is told, once.
    assert [m.to for m in mail.outbox] == [["rita@reader.example"]]
    assert NEW_SUMMARY in mail.outbox[0].body
    page.screenshot(path="/tmp/correction-journey-case.png", full_page=True)
