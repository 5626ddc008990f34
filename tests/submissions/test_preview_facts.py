"""The preview states the draft's real standing: unreviewed, unpublished, and its real neighbours."""

import datetime
import re

import pytest

from casebase.core.evidence import Grade, Voice
from casebase.submissions.models import Status
from casebase.submissions.preview import preview_context
from tests.cases.factories import make_case


def text_of(html: str) -> str:
    return re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", html))


@pytest.mark.django_db
def test_the_drafts_words_are_the_organizations_unreviewed_claim(make_submission, supporter_a_client):
    submission = make_submission(Status.DRAFT)
    context = preview_context(submission, "submissions")
    case = context["case"]
    for name in ("title", "framing_question", "takeaways", "sections"):
        assert case.provenance(name).grade == Grade.RECALLED
        assert case.provenance(name).voice == Voice.SUPPORTER
    coding = context["codings"][0].codings[0]
    assert coding.grade == Grade.RECALLED and coding.voice == Voice.SUPPORTER
    page = text_of(supporter_a_client.get(f"/submit/{submission.pk}/preview/").content.decode())
    assert "Title: confirmed" not in page
    assert "Title: unverified , the organization itself" in page
    assert "not yet reviewed by PAI" in page


@pytest.mark.django_db
def test_a_draft_is_not_dated_as_published(make_submission, supporter_a_client):
    submission = make_submission(Status.DRAFT)
    page = text_of(supporter_a_client.get(f"/submit/{submission.pk}/preview/").content.decode())
    assert "Published Not yet: this is a preview" in page
    assert "Not published yet. The case is dated when PAI editors publish it." in page
    assert "first published on Casebase" not in page
    today = datetime.date.today()
    assert f"published {today:%B %Y}" not in page.lower().replace("first published", "")


@pytest.mark.django_db
def test_a_revision_keeps_the_date_the_case_was_first_published(
    make_submission, supporter_a, supporter_a_client
):
    from casebase.core.dates import as_text
    from casebase.submissions import services

    published = make_submission(Status.PUBLISHED)
    revision = services.start_revision(case=published.case, by=supporter_a)
    page = text_of(supporter_a_client.get(f"/submit/{revision.pk}/preview/").content.decode())
    assert "Not yet: this is a preview" not in page
    case = published.case
    # At the precision the date is known, as every page writes it.
    assert f"First published {as_text(case.published_on, case.published_precision)}" in page


@pytest.mark.django_db
def test_related_cases_are_the_published_ones_sharing_a_recommendation(
    make_submission, supporter_a_client, org_b
):
    make_case(org_b, "sharing-case", title="A published neighbour", recs=[("builders-1", "implemented")])
    make_case(
        org_b,
        "unpublished-case",
        title="A hidden draft",
        recs=[("builders-1", "implemented")],
        published=False,
    )
    make_case(org_b, "elsewhere-case", title="Somewhere else", recs=[("builders-2", "implemented")])
    submission = make_submission(Status.DRAFT)
    page = text_of(supporter_a_client.get(f"/submit/{submission.pk}/preview/").content.decode())
    related = page.split("Related cases", 1)[1].split("Cite this case", 1)[0]
    assert "A published neighbour" in related
    assert "No other published case shares" not in related
    assert "A hidden draft" not in related and "Somewhere else" not in related
