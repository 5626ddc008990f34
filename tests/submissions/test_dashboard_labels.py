"""The dashboard says plainly who waits on each case and where its public page is."""

import re

import pytest

from casebase.submissions.models import Status
from tests.cases.factories import make_case


def rows(page: str) -> list[str]:
    body = page.split('id="all-title"')[1].split("</table>")[0]
    return [re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", row)) for row in body.split("<tr>")[2:]]


@pytest.mark.django_db
def test_published_cases_wait_for_nobody_and_link_with_words(make_submission, supporter_a_client, org_a):
    make_case(org_a, "loaded-case", title="A case loaded from PAI's texts")
    published = make_submission(Status.PUBLISHED)
    page = supporter_a_client.get("/submit/").content.decode()
    loaded = next(row for row in rows(page) if "A case loaded from PAI" in row)
    # The action to propose changes is not what the case is waiting for.
    assert "Nobody: it is published." in loaded
    assert "Propose changes to A case loaded from PAI&#x27;s texts" in loaded
    links = re.findall(r"<a [^>]*>(.*?)</a>", page)
    assert "Published" not in links
    assert (
        'Read the published case<span class="visually-hidden">: A case loaded from PAI&#x27;s texts</span>'
        in links
    )
    assert any(published.case.title in link and link.startswith("Read the published case") for link in links)
