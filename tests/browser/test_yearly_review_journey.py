"""The Framework's yearly review, end to end in Chromium: staff open a reporting cycle; two
supporters file self-assessments, one of them saving a draft, signing out and finishing it after
signing in again; an editor publishes both; a reader sees the timeline on a recommendation page
and downloads it as CSV, whose counts are recomputed here from the database."""

import csv
import io
import os
from collections import Counter

import pytest
from django.contrib.auth import get_user_model
from django.core import mail
from django.core.management import call_command
from django.utils import timezone
from playwright.sync_api import expect

from casebase.accounts.models import Membership
from casebase.commitments.models import ReportingCycle, SelfAssessment, Statement
from casebase.framework.models import Edition, Recommendation
from casebase.organizations.models import Organization

PASSWORD = "review-passphrase-2026"
# Two civil-society supporters: their stakeholder role concerns the same three recommendations.
FIRST, SECOND = "witness", "code-for-africa"
CYCLE = "2026 review"


def rows_of(organization: Organization) -> list[Recommendation]:
    """The recommendations the organization's self-assessment asks about, in the form's order."""
    edition = Edition.objects.current()
    return list(
        Recommendation.objects.filter(edition=edition, roles__in=organization.roles.all())
        .distinct()
        .order_by("section__order", "order", "key")
    )


def answer(page, rec: Recommendation, status: str, justification: str, measure: str = "", by: str = ""):
    row = page.locator(f"fieldset#row-{rec.key}")
    row.get_by_label("Status").select_option(label=status)
    row.get_by_label("Justification").fill(justification)
    if measure:
        row.get_by_label("Planned measure (optional)").fill(measure)
        row.get_by_label("Planned by").fill(by)


def sign_in(page, base: str, email: str):
    page.get_by_label("Email address").fill(email)
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Sign in").click()


@pytest.mark.browser
@pytest.mark.django_db(transaction=True)
def test_a_cycle_is_opened_filed_published_and_read(live_server, page, open_context, tmp_path):
    with open(os.devnull, "w") as devnull:
        call_command("load_casebase", verbosity=0, stdout=devnull)
    User = get_user_model()
    editor = User.objects.create_user("eli", "eli@pai.example", PASSWORD, first_name="Eli", is_staff=True)
    first, second = Organization.objects.get(slug=FIRST), Organization.objects.get(slug=SECOND)
    wanda = User.objects.create_user("wanda", "wanda@witness.example", PASSWORD, first_name="Wanda")
    cleo = User.objects.create_user("cleo", "cleo@cfa.example", PASSWORD, first_name="Cleo")
    Membership.objects.create(user=wanda, organization=first)
    Membership.objects.create(user=cleo, organization=second)
    recs = rows_of(first)
    assert recs and recs == rows_of(second), "both organizations answer on the same recommendations"
    base = live_server.url
    today = timezone.localdate()

    # --- Staff open the cycle. ---------------------------------------------------------------------
    staff = open_context(user=editor, base_url=base).new_page()
    staff.goto(base + "/review/")
    staff.get_by_role("link", name="Reporting cycles").click()
    staff.get_by_label("Title").fill(CYCLE)
    staff.get_by_label("Address").fill("2026-review")
    staff.get_by_label("Deadline").fill((today.replace(day=1) + timezone.timedelta(days=60)).isoformat())
    staff.get_by_role("button", name="Open cycle").click()
    expect(staff.get_by_role("heading", level=1)).to_contain_text(CYCLE)
    cycle = ReportingCycle.objects.get(slug="2026-review")
    assert cycle.is_open and cycle.edition == Edition.objects.current()

    # --- The first supporter signs in, saves a draft, signs out. ----------------------------------
    page.goto(base + "/accounts/login/?next=/submit/")
    sign_in(page, base, wanda.email)
    page.get_by_role("link", name="Your organization's self-assessments").click()
    page.get_by_role("link", name=CYCLE).click()
    expect(page.get_by_role("heading", level=1)).to_contain_text("self-assessment")
    answer(
        page,
        recs[0],
        "Planned",
        "We will label synthetic media in our archive.",
        "Label archive",
        "2027-01-31",
    )
    page.get_by_role("button", name="Save draft").click()
    expect(page.get_by_role("button", name="Save draft")).to_be_visible()
    draft = SelfAssessment.objects.get(cycle=cycle, organization=first)
    assert draft.status == SelfAssessment.Status.DRAFT
    assert draft.statements.get(recommendation=recs[0]).justification.startswith("We will label")
    page.get_by_role("button", name="Sign out").click()
    page.goto(base + "/submit/assessments/2026-review/")
    expect(page).to_have_url(base + "/accounts/login/?next=/submit/assessments/2026-review/")

    # --- Signed in again: the draft is there; finish it and submit. ------------------------------
    sign_in(page, base, wanda.email)
    expect(page).to_have_url(base + "/submit/assessments/2026-review/")
    row = page.locator(f"fieldset#row-{recs[0].key}")
    expect(row.get_by_label("Justification")).to_have_value("We will label synthetic media in our archive.")
    expect(row.get_by_label("Planned measure (optional)")).to_have_value("Label archive")
    for n, rec in enumerate(recs[1:], start=1):
        answer(page, rec, "Practised" if n % 2 else "Not applicable", f"Witness statement {n}.")
    page.get_by_role("button", name="Submit for review").click()
    expect(page.get_by_text("Submitted: PAI editors are reviewing it.")).to_be_visible()

    # --- The second supporter files in one go. -----------------------------------------------------
    other = open_context(user=cleo, base_url=base).new_page()
    other.goto(base + "/submit/assessments/")
    other.get_by_role("link", name=CYCLE).click()
    for n, rec in enumerate(recs):
        answer(other, rec, "Practised" if n == 0 else "Partly practised", f"Code for Africa statement {n}.")
    other.get_by_role("button", name="Submit for review").click()
    expect(other.get_by_text("Submitted: PAI editors are reviewing it.")).to_be_visible()
    assert set(SelfAssessment.objects.values_list("status", flat=True)) == {"submitted"}

    # --- Nothing is public yet. ----------------------------------------------------------------------
    reader = open_context(base_url=base).new_page()
    reader.goto(base + recs[0].get_absolute_url())
    expect(
        reader.get_by_text("No supporter has published a self-assessment on this recommendation yet.")
    ).to_be_visible()

    # --- An editor publishes both. -------------------------------------------------------------------
    mail.outbox.clear()
    for organization in (first, second):
        staff.goto(base + "/review/assessments/")
        staff.get_by_role("link", name=organization.name).click()
        staff.get_by_role("button", name="Publish").click()
        expect(staff.get_by_text("Published: nothing to decide.")).to_be_visible()
    assert set(SelfAssessment.objects.values_list("status", flat=True)) == {"published"}
    assert {m.to[0] for m in mail.outbox} >= {wanda.email, cleo.email}

    # --- A reader sees the timeline on the recommendation page and takes it away as CSV. ----------
    reader.goto(base + recs[0].get_absolute_url())
    timeline = reader.locator("table.commitment-timeline")
    expect(timeline).to_contain_text(first.name)
    expect(timeline).to_contain_text(second.name)
    expect(timeline).to_contain_text("Planned")
    expect(timeline).to_contain_text("Practised")
    reader.get_by_text(f"Self-reported by {first.name}").click()
    expect(reader.get_by_text("We will label synthetic media in our archive.")).to_be_visible()
    with reader.expect_download() as download_info:
        reader.locator("#commitments").get_by_role("link", name="CSV").click()
    path = tmp_path / "commitments.csv"
    download_info.value.save_as(path)
    rows = list(csv.DictReader(io.StringIO(path.read_text(encoding="utf-8-sig"))))

    # The counts recomputed from the database: published statements on this recommendation's key.
    expected = Counter(
        (s.assessment.organization.slug, s.status)
        for s in Statement.objects.public()
        .filter(recommendation__key=recs[0].key)
        .select_related("assessment__organization")
    )
    assert expected == {(FIRST, "planned"): 1, (SECOND, "practised"): 1}
    assert Counter((r["organization"], r["status"]) for r in rows) == expected
