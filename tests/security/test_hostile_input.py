"""Hostile input through every free-text and markdown field, via the supporter's form and the admin.

Each payload goes into every free-text field the form offers (read from the
page, so new fields are covered), is saved, and the pages that show it are
parsed as a browser would: nothing in them may run script, and our own pages
must stay well formed. The admin half is tests/security/test_hostile_admin.py; the browser half of this suite (tests/hostile_browser/)
loads the same kind of records in Chromium and listens for dialogs.
"""

import csv
import io
import json
import xml.etree.ElementTree as ET
from datetime import date

import pytest
from django.urls import reverse

from casebase.cases import writing
from casebase.cases.models import CaseStudy, Cohort
from casebase.submissions import services
from casebase.submissions.content import empty_content
from casebase.submissions.models import Submission
from tests.security.forms import Form, invalid_fields, read_form
from tests.security.test_authorization import url_for
from tests.security.urlmap import REGISTRY, Area, Outcome
from tests.security.xss import PAYLOADS, parse_with_errors, script_injection_problems


def nonce_of(response) -> str | None:
    import re

    found = re.search(r"'nonce-([^']+)'", response.get("Content-Security-Policy", ""))
    return found.group(1) if found else None


def check_page(response, label: str, *, ours: bool = True) -> list[str]:
    """Script-injection problems in an HTML response, and parse errors if the page is one of ours."""
    assert response.status_code < 500, f"{label}: {response.status_code}"
    html = response.content.decode()
    problems = [f"{label}: {p}" for p in script_injection_problems(html, nonce_of(response))]
    if ours:
        problems += [f"{label}: {p}" for p in parse_with_errors(html)[1]]
    return problems


def send_form(client, url: str, form: Form, overrides: dict[str, str], attempts: int = 4):
    """POST the form; fields the server refuses are put back as they were, and it is sent again.

    Returns the last response and the fields that were refused.
    """
    refused: set[str] = set()
    for _ in range(attempts):
        data = form.data({k: v for k, v in overrides.items() if k not in refused})
        response = client.post(url, data)
        if response.status_code != 200 and response.status_code != 422:
            return response, refused
        newly = invalid_fields(response.content.decode()) - refused
        if not newly:
            return response, refused
        refused |= newly
    return response, refused


# --- The supporter's form --------------------------------------------------------------


def supporter_form(client, url):
    response = client.get(url)
    assert response.status_code == 200
    return read_form(response.content.decode(), url)


def first_choice(form: Form, suffix: str) -> dict[str, str]:
    """Pick the first real option of selects named ``...suffix`` (a recommendation, say)."""
    return {
        name: next(v for v in values if v)
        for name, values in form.options.items()
        if name.endswith(suffix) and any(values)
    }


def publish(world, submission: Submission, payload: str) -> Submission:
    """Take a hostile draft through review to publication, as the supporter and an editor would."""
    supporter, editor = world.users["supporter_a"], world.users["editor"]
    content = dict(submission.content)
    content["title"] = f"How Organization A {payload}"
    content["roles"] = ["creator"]
    content["principles"] = ["consent"]
    submission = services.save_draft(
        submission=submission, content=content, expected_version=submission.version, by=supporter
    )
    submission = services.submit(submission=submission, by=supporter)
    submission = services.claim(submission=submission, by=editor)
    submission = services.approve(submission=submission, by=editor)
    return services.publish(
        submission=submission, by=editor, cohort=Cohort.objects.first(), no_official_page=True
    )


@pytest.mark.parametrize("payload", PAYLOADS, ids=range(len(PAYLOADS)))
def test_payload_through_the_supporter_form(payload, world):
    client = world.clients["supporter_a"]
    new_url = reverse("submissions:new")
    form = supporter_form(client, new_url)
    overrides = dict.fromkeys(form.text_fields, payload) | first_choice(form, "-recommendation")
    response, refused = send_form(client, new_url, form, overrides)
    problems = check_page(response, "form after POST") if response.status_code != 302 else []
    assert response.status_code == 302, (refused, problems, response.content[:2000])
    submission = Submission.objects.filter(organization=world.org_a).latest("pk")
    saved = json.dumps(submission.content)
    # The payload is kept exactly as typed (escaping happens on output, not on input).
    assert json.dumps(payload)[1:-1] in saved

    pages = {
        "supporter detail": (client, reverse("submissions:detail", args=[submission.pk])),
        "supporter edit": (client, reverse("submissions:edit", args=[submission.pk])),
        "supporter preview": (client, reverse("submissions:preview", args=[submission.pk])),
        "review detail": (world.clients["editor"], reverse("review:detail", args=[submission.pk])),
        "review preview": (world.clients["editor"], reverse("review:preview", args=[submission.pk])),
    }
    for label, (who, url) in pages.items():
        response = who.get(url)
        assert response.status_code == 200, (label, url, response.status_code)
        problems += check_page(response, label)
    submission = publish(world, submission, payload)
    for label, url in [
        ("public case", submission.case.get_absolute_url()),
        ("public organization", world.org_a.get_absolute_url()),
    ]:
        response = world.clients["anonymous"].get(url)
        assert response.status_code == 200, (label, url, response.status_code)
        problems += check_page(response, label)
    assert not problems, "\n".join(problems)


# --- Every page at once, with every payload published ---------------------------------


def make_hostile_cases(world) -> list[CaseStudy]:
    """One published case per payload, with the payload in every text field.

    Made directly (the form and the workflow are covered payload by payload above)
    so that the list pages, searches and exports show all of them at once.
    """
    cases = []
    sections = empty_content(world.org_a)["sections"]
    for number, payload in enumerate(PAYLOADS):
        case = writing.save_case(
            CaseStudy(slug=f"hostile-{number}"),
            fields={
                "organization": world.org_a,
                "title": payload,
                "framing_question": payload,
                "takeaways": [payload, payload, payload],
                "summary": payload,
                "sections": [section | {"response": payload} for section in sections],
                "is_published": True,
                "published_on": date(2025, 1, 1),
                "edition": world.edition,
            },
            roles=["creator"],
            tags=[payload[:90]],
            applications=[
                writing.ApplicationData(world.recommendation, {"justification": payload, "excerpt": payload})
            ],
        )
        cases.append(case)
    return cases


@pytest.fixture
def hostile_cases(world):
    return make_hostile_cases(world)


def test_every_page_with_every_payload_published(world, hostile_cases):
    problems = []
    anonymous, editor = world.clients["anonymous"], world.clients["editor"]
    for name, rule in sorted(REGISTRY.items()):
        if not rule.html or rule.area not in (Area.PUBLIC, Area.REVIEW, Area.SUPPORTER):
            continue
        persona = next((p for p, o in rule.expect.items() if o == Outcome.OK), None)
        if persona is None:
            continue
        response = world.clients[persona].get(url_for(name, rule, world))
        problems += check_page(response, name)
    # The lists and searches that show many of them at once.
    for url in [
        "/cases/?org=org-a",
        "/cases/?q=script",
        "/cases/?q=alert",
        f"/recommendations/{world.recommendation.key}/",
        "/review/?status=published",
        "/submit/",
    ]:
        who = editor if url.startswith("/review/") else anonymous
        if url.startswith("/submit/"):
            who = world.clients["supporter_a"]
        problems += check_page(who.get(url), url)
    assert not problems, "\n".join(problems[:50])

    # Machine-readable outputs stay well formed too.
    feed = anonymous.get(reverse("feed_cases"))
    ET.fromstring(feed.content)  # raises on malformed XML
    for case in hostile_cases[:5]:
        api = anonymous.get(reverse("api:case-detail", kwargs={"slug": case.slug}))
        assert api.status_code == 200
        assert json.loads(api.content)["title"] == case.title
    exported = anonymous.get("/cases/", {"format": "csv", "org": "org-a"})
    assert exported.status_code == 200
    content = b"".join(exported.streaming_content) if exported.streaming else exported.content
    rows = list(csv.reader(io.StringIO(content.decode("utf-8-sig"))))
    assert len(rows) > len(PAYLOADS)
    # Spreadsheet formula injection: no cell from user text may start a formula.
    formulas = [cell for row in rows[1:] for cell in row if cell[:1] in ("=", "+", "-", "@", "\t", "\r")]
    assert not formulas, formulas[:5]


def test_the_feed_carries_only_sanitised_html(world):
    """Atom's <summary type="html"> is run as HTML by readers that do not sanitise: it must hold the
    summary as rendered and sanitised, never the markdown a supporter typed."""
    case = world.published_case
    case.summary = (
        "Safe **words** <script>alert(1)</script> <img src=x onerror=alert(2)> [x](javascript:alert(3))"
    )
    case.save()
    feed = world.clients["anonymous"].get(reverse("feed_cases"))
    ns = {"a": "http://www.w3.org/2005/Atom"}
    entry = next(
        e
        for e in ET.fromstring(feed.content).findall("a:entry", ns)
        if e.find("a:link", ns).get("href").endswith(case.get_absolute_url())
    )
    summary = entry.find("a:summary", ns)
    assert summary.get("type") == "html"
    assert "<strong>words</strong>" in summary.text
    assert not script_injection_problems(summary.text), summary.text
    assert (
        "<script" not in summary.text and "onerror" not in summary.text and "javascript:" not in summary.text
    )
