"""A reader who takes part, end to end in Chromium: signs up and confirms the address from the
email, follows a filtered /cases/ view by email, keeps three cases with notes in a collection,
makes it public and exports it as BibTeX signed out; an editor publishes a matching case and the
reader is told once; the email's unsubscribe link, opened signed out, asks before it unsubscribes,
and after that another matching case sends nothing."""

import os
import re
from urllib.parse import urlsplit

import pytest
from django.contrib.auth import get_user_model
from django.core import mail
from django.core.management import call_command
from playwright.sync_api import expect

from casebase.accounts.models import Membership, Subscription
from casebase.cases.models import CaseStudy, Collection
from casebase.organizations.models import Organization
from casebase.submissions import services
from casebase.submissions.models import Submission
from tests.submissions.conftest import complete_content, publishable

READER = "rosa@reader.example"
PASSWORD = "reader-passphrase-2026"
# Consent, for distributors of either kind: in the real cases, the BBC's and CBC/Radio-Canada's.
FILTER = "?principle=consent&role=distributor-first-party&role=distributor-third-party"
MATCHING = ["bbc", "cbc-radio-canada"]
ALSO_KEPT = "d-id"  # a consent case of a builder, saved from its own page
FIRST_NEW = "How the BBC asks contributors before it clones their voice"
SECOND_NEW = "How the BBC records consent for synthetic presenters"


def approved_submission(title: str, by, editor) -> Submission:
    """A complete submission of the BBC, consent for a first-party distributor, approved by the
    editor through the workflow services (the browser test of that part is the submission journey)."""
    organization = Organization.objects.get(slug="bbc")
    content = complete_content(organization, title=title)
    content["roles"] = ["distributor-first-party"]
    content["principles"] = ["consent"]
    content["tags"] = ["voice cloning"]
    submission = services.create_draft(organization=organization, content=content, by=by)
    services.submit(submission=submission, by=by)
    services.claim(submission=submission, by=editor)
    services.approve(submission=submission, by=editor)
    return submission


def path_of(url: str) -> str:
    """The path of a link in an email (written for the site's address, opened on the live server)."""
    parts = urlsplit(url)
    return parts.path + (f"?{parts.query}" if parts.query else "")


def to_reader():
    return [m for m in mail.outbox if READER in m.to]


@pytest.mark.browser
@pytest.mark.django_db(transaction=True)
def test_a_reader_follows_collects_and_unsubscribes(live_server, page, open_context, tmp_path):
    with open(os.devnull, "w") as devnull:
        call_command("load_casebase", verbosity=0, stdout=devnull)
    User = get_user_model()
    editor = User.objects.create_user("eli", "eli@pai.example", PASSWORD, first_name="Eli", is_staff=True)
    supporter = User.objects.create_user("bea", "bea@bbc.example", PASSWORD, first_name="Bea")
    Membership.objects.create(user=supporter, organization=Organization.objects.get(slug="bbc"))
    first_new = approved_submission(FIRST_NEW, supporter, editor)
    second_new = approved_submission(SECOND_NEW, supporter, editor)
    base = live_server.url
    mail.outbox.clear()

    # --- Sign up, confirm the address from the email, sign in. ------------------------------------
    page.goto(base + "/accounts/signup/")
    page.get_by_label("Email address").fill(READER)
    page.get_by_label("Password", exact=True).fill(PASSWORD)
    page.get_by_label("Password again").fill(PASSWORD)
    page.get_by_role("button", name="Sign up").click()
    expect(page).to_have_url(base + "/accounts/signup/sent/")
    # The confirmation goes once the answer has been sent (enqueue_after_response).
    for _ in range(50):
        if to_reader():
            break
        page.wait_for_timeout(100)
    [confirmation] = to_reader()
    link = re.search(r"https?://\S+/accounts/signup/confirm/[^/\s]+/", confirmation.body).group(0)
    page.goto(base + path_of(link))
    expect(page).to_have_url(base + "/accounts/login/")
    expect(page.get_by_text(f"Your address {READER} is confirmed.")).to_be_visible()
    page.get_by_label("Email address").fill(READER)
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Sign in").click()
    expect(page.get_by_role("button", name="Sign out")).to_be_visible()

    # --- Follow consent cases of distributors, by email as each is published. ---------------------
    page.goto(base + "/cases/" + FILTER)
    cards = page.locator("article.case-item")
    expect(cards).to_have_count(len(MATCHING))
    for slug in MATCHING:
        expect(cards).to_contain_text([CaseStudy.objects.get(slug=slug).title])
    page.get_by_label("Follow these results by email").select_option(label="as each case is published")
    page.get_by_role("button", name="Follow", exact=True).click()
    expect(page.get_by_text("You follow “")).to_be_visible()
    subscription = Subscription.objects.get(user__email=READER)
    assert subscription.frequency == "immediate"

    # --- Keep three cases, each with a note, in a new collection. ---------------------------------
    kept = [CaseStudy.objects.get(slug=slug) for slug in [*MATCHING, ALSO_KEPT]]
    for n, case in enumerate(kept):
        # The two that match from the filtered list, the third from its own page.
        page.goto(base + ("/cases/" + FILTER if case.slug in MATCHING else case.get_absolute_url()))
        offer = page.get_by_text(f"Save to a collection: {case.title}", exact=True)
        where = page.locator("details.collect", has=offer)
        offer.click()
        if n == 0:
            where.get_by_label("Collection", exact=True).select_option(label="A new collection…")
            where.get_by_label("Name of a new collection").fill("Consent in practice")
        else:
            where.get_by_label("Collection", exact=True).select_option(label="Consent in practice")
        where.get_by_label("Note (optional)").fill(f"Note {n + 1}: how consent was asked.")
        where.get_by_role("button", name="Save", exact=True).click()
        expect(page.get_by_text(f"Saved “{case.title}” in “Consent in practice”.")).to_be_visible()
    collection = Collection.objects.get(owner__email=READER)
    assert [(i.case.slug, i.note) for i in collection.items.order_by("added_at")] == [
        (case.slug, f"Note {n + 1}: how consent was asked.") for n, case in enumerate(kept)
    ]

    # --- Make it public. -------------------------------------------------------------------------------
    page.goto(base + collection.get_absolute_url())
    expect(page.get_by_role("heading", level=1)).to_have_text("Consent in practice")
    page.get_by_label("Public: anyone with the address can read, export and cite it").check()
    page.get_by_role("button", name="Save", exact=True).click()
    expect(page.get_by_text("Saved. The collection is public")).to_be_visible()

    # --- Anyone, signed out, reads it at its permalink and takes it away as BibTeX. -------------
    outsider = open_context(base_url=base).new_page()
    outsider.goto(base + collection.get_absolute_url())
    expect(outsider.get_by_role("heading", level=1)).to_have_text("Consent in practice")
    expect(outsider.get_by_text("A public collection")).to_be_visible()
    for n, case in enumerate(kept):
        expect(outsider.get_by_role("link", name=case.title)).to_be_visible()
        expect(outsider.get_by_text(f"Note {n + 1}: how consent was asked.")).to_be_visible()
    # Cases like these: related to the three as a whole, never one of them, each saying why.
    like = outsider.get_by_role("region", name="Cases like these")
    expect(like.locator("article.case-item").first).to_be_visible()
    for case in kept:
        expect(like.get_by_role("link", name=case.title)).to_have_count(0)
    expect(like.locator(".related-reason").first).to_contain_text("Shares ")
    with outsider.expect_download() as download_info:
        outsider.get_by_role("region", name="Take it with you").get_by_role("link", name="BibTeX").click()
    bibtex = tmp_path / "collection.bib"
    download_info.value.save_as(bibtex)
    text = bibtex.read_text()
    assert len(re.findall(r"^@\w+\{", text, flags=re.MULTILINE)) == 3
    for case in kept:
        assert f"title = {{{{{case.title}}}}}" in text  # double braces keep the title's capitals

    # --- An editor publishes a matching case in the review pages. --------------------------------
    mail.outbox.clear()
    staff = open_context(user=editor, base_url=base).new_page()
    staff.goto(base + "/review/")
    staff.get_by_role("link", name=FIRST_NEW).click()
    staff.get_by_label("Cohort").select_option(index=1)
    staff.get_by_label("PAI has no page for this case yet").check()
    staff.get_by_role("button", name="Publish").click()
    expect(staff.get_by_text("Published. The case is on the public pages.")).to_be_visible()
    published = CaseStudy.objects.get(submission=first_new)
    assert published.is_published

    # The test settings keep the site's django.tasks ImmediateBackend: notify_followers ran on commit.
    [told] = to_reader()
    assert FIRST_NEW in told.subject and FIRST_NEW in told.body
    unsubscribe = re.search(r"https?://\S+/accounts/unsubscribe/[^/\s]+/", told.body).group(0)

    # --- The unsubscribe link, in a fresh signed-out browser, asks first. -----------------------
    signed_out = open_context(base_url=base).new_page()
    signed_out.goto(base + path_of(unsubscribe))
    expect(signed_out.get_by_role("heading", level=1)).to_have_text("Stop following a search")
    assert Subscription.objects.filter(pk=subscription.pk).exists()  # opening it changed nothing
    signed_out.get_by_role("button", name="Unsubscribe").click()
    expect(signed_out.get_by_role("heading", level=1)).to_have_text("Unsubscribed")
    assert not Subscription.objects.filter(pk=subscription.pk).exists()

    # --- Another matching case: nothing more for the reader. -------------------------------------
    mail.outbox.clear()
    services.publish(submission=second_new, by=editor, **publishable())
    assert CaseStudy.objects.get(submission=second_new).is_published
    assert to_reader() == []
