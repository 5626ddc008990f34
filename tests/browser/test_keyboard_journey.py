"""A supporter completes the submission journey with the keyboard alone.

Sign in, start a case, fill in every part the review needs, save, and submit it
for review: focus moves only with Tab, links and buttons are pressed with Enter,
checkboxes with Space; text is typed. No mouse, no clicks, no script shortcuts.
"""

import pytest
from django.contrib.auth import get_user_model

from casebase.accounts.models import Membership
from casebase.submissions.models import Submission
from tests.conftest import PASSWORD
from tests.security.conftest import build_world

MAX_TABS = 400


def focused(page) -> dict:
    return page.evaluate(
        """() => { const e = document.activeElement; return {tag: e.tagName.toLowerCase(),
            name: e.getAttribute('name') || '', type: e.getAttribute('type') || '',
            text: (e.innerText || e.value || '').trim().slice(0, 80), id: e.id || ''}; }"""
    )


def tab_to(page, matches, what: str) -> dict:
    """Press Tab until the focused element matches; fail if it is not reachable."""
    for _ in range(MAX_TABS):
        page.keyboard.press("Tab")
        element = focused(page)
        if matches(element):
            return element
    raise AssertionError(f"could not reach {what} with Tab")


def press_and_wait(page, key):
    """Press a key that follows a link or sends a form, and wait for the next page."""
    with page.expect_navigation():
        page.keyboard.press(key)
    page.wait_for_load_state("load")


def by_name(name):
    return lambda e: e["name"] == name


def by_text(text):
    return lambda e: e["tag"] in ("a", "button") and text.lower() in e["text"].lower()


@pytest.mark.browser
def test_supporter_submits_a_case_with_the_keyboard_only(live_server, transactional_db, open_context):
    world = build_world()
    org = world.org_a
    user = get_user_model().objects.get(username="supporter_a")
    assert Membership.objects.filter(user=user, organization=org).exists()
    page = open_context().new_page()
    page.goto(live_server.url + "/accounts/login/?next=/submit/")

    tab_to(page, by_name("username"), "the username field")
    page.keyboard.type("supporter_a")
    tab_to(page, by_name("password"), "the password field")
    page.keyboard.type(PASSWORD)
    press_and_wait(page, "Enter")
    assert page.url.endswith("/submit/"), page.url

    tab_to(page, by_text("Start a new case study"), "the new-case link")
    press_and_wait(page, "Enter")
    assert page.url.endswith("/submit/new/"), page.url

    answers = {
        "title": " and the keyboard-only journey",  # after the prefilled "How Organization A "
        "framing_question": "Can a supporter submit without a mouse?",
        "takeaway_1": "Every control is reachable with Tab.",
        "takeaway_2": "Buttons answer Enter, checkboxes Space.",
        "takeaway_3": "Errors are announced next to their fields.",
        "summary": "A case written with the keyboard alone.",
    }
    for name, text in answers.items():
        tab_to(page, by_name(name), name)
        if name == "title":
            page.keyboard.press("End")
        page.keyboard.type(text)
    # Every section of the template.
    section_names = page.evaluate(
        "() => [...document.querySelectorAll('textarea[name^=section_]')].map(e => e.name)"
    )
    assert section_names
    for name in section_names:
        tab_to(page, by_name(name), name)
        page.keyboard.type(f"Our answer for {name}, typed.")
    # One recommendation the case applies: a select takes typed letters.
    element = tab_to(page, lambda e: e["name"].endswith("-recommendation"), "the recommendation select")
    key = world.recommendation.label if hasattr(world.recommendation, "label") else world.recommendation.key
    page.keyboard.press("ArrowDown")
    chosen = page.evaluate(f"() => document.querySelector('[name=\"{element['name']}\"]').value")
    assert chosen, f"no recommendation chosen ({key})"
    tab_to(page, lambda e: e["name"].endswith("-justification"), "the justification")
    page.keyboard.type("We label every synthetic clip.")
    # A stakeholder role: checkbox, toggled with Space.
    tab_to(page, lambda e: e["name"] == "roles" and e["type"] == "checkbox", "a role checkbox")
    page.keyboard.press("Space")

    tab_to(page, by_text("Save and submit for review"), "the submit button")
    press_and_wait(page, "Enter")

    submission = Submission.objects.get(organization=org, case__title__contains="keyboard-only journey")
    assert submission.status == "submitted", (submission.status, page.url, page.inner_text("main")[:1500])
