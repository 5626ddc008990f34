"""/review/quality/: counts by grade and voice, the worklist, and recording a check."""

import pytest

from casebase.cases.models import Application, CaseStudy, TaggedRole
from casebase.framework.models import Recommendation
from casebase.quality import facts

pytestmark = pytest.mark.django_db
URL = "/review/quality/"


def test_only_staff_see_it(anon_client, supporter_a_client, casebase_data):
    assert anon_client.get(URL).status_code == 302  # to sign in
    assert supporter_a_client.get(URL).status_code == 403
    assert anon_client.post(URL + "confirm/", {}).status_code in (302, 403)
    assert supporter_a_client.post(URL + "confirm/", {"kind": "case", "pk": 1}).status_code == 403


def test_counts_by_grade_are_the_facts_read_independently(editor_client, casebase_data):
    response = editor_client.get(URL)
    assert response.status_code == 200
    summary = response.context["summary"]
    # Codings: every one of the 29 is the editors' inference.
    codings = dict((kind.key, counts) for kind, counts in summary.by_kind)["coding"]
    assert codings == [0, 0, 0, Application.objects.count(), 0] == [0, 0, 0, 29, 0]
    # A role on a case is a fact; Thorn's builder role is refuted and counted as such, not as shown.
    roles = dict((kind.key, counts) for kind, counts in summary.by_kind)["case-role"]
    expected = [
        TaggedRole.objects.filter(grade=g).count()
        for g in ("confirmed", "corroborated", "recalled", "inferred", "refuted")
    ]
    assert roles == expected and roles[4] == 1
    assert summary.by_voice["editors"] > 0 and summary.total == sum(summary.by_grade.values())


def test_worklist_names_the_exact_field_and_offers_its_source(editor_client, casebase_data):
    response = editor_client.get(URL + "?list=check&kind=case")
    worklist = response.context["worklist"]
    assert worklist and all(item.kind.key == "case" and item.provenance.needs_check for item in worklist)
    adobe_summary = next(i for i in worklist if i.record.slug == "adobe" and i.field == "summary")
    assert adobe_summary.suggested_source.startswith("https://partnershiponai.org/")
    text = response.text
    assert "Field to check: <strong>Summary</strong>" in text and "Record the check" in text


def test_one_click_confirmation_records_who_when_and_where(editor, editor_client, casebase_data):
    editor.first_name, editor.last_name = "Ada", "Editor"
    editor.save()
    adobe = CaseStudy.objects.get(slug="adobe")
    address = "https://partnershiponai.org/adobe-framework-case-study/"
    before = len([i for i in facts.items() if i.provenance.needs_check])
    response = editor_client.post(
        URL + "confirm/",
        {"kind": "case", "pk": adobe.pk, "field": "summary", "source_url": address, "grade": "confirmed",
         "locator": "second paragraph", "next": URL + "?list=check"},
    )  # fmt: skip
    assert response.status_code == 302 and response["Location"] == URL + "?list=check"
    adobe.refresh_from_db()
    checked = adobe.provenance("summary")
    assert (checked.grade, checked.source_url, checked.checked_by, checked.locator) == (
        "confirmed", address, "Ada Editor", "second paragraph"
    )  # fmt: skip
    assert checked.checked_on is not None
    assert len([i for i in facts.items() if i.provenance.needs_check]) == before - 1
    # The public page no longer flags it; history keeps the change.
    assert adobe.history.count() >= 2


def test_a_coding_is_confirmed_as_a_whole_record(editor_client, casebase_data):
    coding = Application.objects.filter(case__slug="bbc").first()
    editor_client.post(
        URL + "confirm/",
        {"kind": "coding", "pk": coding.pk, "field": "", "source_url": "https://example.org/case", "grade": "corroborated"},
    )  # fmt: skip
    coding.refresh_from_db()
    assert (coding.grade, coding.source_url) == ("corroborated", "https://example.org/case")


@pytest.mark.parametrize(
    "data",
    [
        {"kind": "case", "field": "summary", "source_url": "javascript:alert(1)", "grade": "confirmed"},
        {"kind": "case", "field": "summary", "source_url": "https://example.org", "grade": "refuted"},
        {"kind": "case", "field": "secret_field", "source_url": "https://example.org", "grade": "confirmed"},
        {"kind": "nonsense", "field": "", "source_url": "https://example.org", "grade": "confirmed"},
        {
            "kind": "case",
            "field": "summary",
            "source_url": "https://example.org",
            "grade": "confirmed",
            "pk": 999999,
        },
        {
            "kind": "case",
            "field": "summary",
            "source_url": "https://example.org",
            "grade": "confirmed",
            "next": "https://evil.example/",
        },
    ],
)
def test_bad_confirmations_change_nothing_and_say_why(editor_client, casebase_data, data):
    adobe = CaseStudy.objects.get(slug="adobe")
    before = adobe.field_sources
    response = editor_client.post(URL + "confirm/", {"pk": adobe.pk} | data, follow=True)
    assert response.status_code == 200
    adobe.refresh_from_db()
    if "next" in data:  # a valid check, but never a redirect off the site
        assert response.redirect_chain[-1][0].startswith(URL)
        return
    assert adobe.field_sources == before
    assert "Not recorded" in response.text


def test_unpublished_records_are_not_on_it(editor_client, casebase_data, org_a):
    from tests.cases.factories import make_case

    draft = make_case(org_a, "a-draft", published=False)
    listed = {i.record.pk for i in facts.items() if i.kind.key == "case"}
    assert draft.pk not in listed
    response = editor_client.post(
        URL + "confirm/",
        {"kind": "case", "pk": draft.pk, "field": "title", "source_url": "https://example.org", "grade": "confirmed"},
        follow=True,
    )  # fmt: skip
    assert "Not recorded" in response.text


def test_the_review_queue_leads_to_it(editor_client, casebase_data):
    assert 'href="/review/quality/"' in editor_client.get("/review/").text
    assert Recommendation.objects.exists()


def test_a_case_published_from_a_supporter_s_submission_is_on_the_worklist(
    editor_client, casebase_data, org_a, supporter_a, editor
):
    """What the organization wrote is published in its own voice: the worklist lists it to check."""
    from casebase.cases.models import Cohort
    from casebase.submissions import services
    from casebase.submissions.content import empty_content

    content = empty_content(org_a) | {
        "title": "How Organization A labels its audio",
        "framing_question": "How?",
        "takeaways": ["One.", "Two.", "Three."],
        "summary": "Organization A labels its audio.",
        "roles": ["builder"],
        "applications": [
            {"recommendation": Recommendation.objects.filter(edition__is_current=True).first().key,
             "status": "implemented", "justification": "We label.", "excerpt": ""}
        ],
    }  # fmt: skip
    for section in content["sections"]:
        section["response"] = "Our answer."
    submission = services.create_draft(organization=org_a, content=content, by=supporter_a)
    services.submit(submission=submission, by=supporter_a)
    services.approve(submission=submission, by=editor)
    services.publish(submission=submission, by=editor, cohort=Cohort.objects.first(), no_official_page=True)

    response = editor_client.get(URL + f"?list=supporter&case={submission.case_id}")
    worklist = response.context["worklist"]
    assert {item.field for item in worklist} >= {"title", "summary", "sections"}
    assert all(item.case_pk == submission.case_id for item in worklist)
    assert "Field to check: <strong>Summary</strong>" in response.text
    # Every case's list has it too, and a case filter nobody could mean is ignored, not a 500.
    everyone = editor_client.get(URL + "?list=supporter&kind=case").context["worklist"]
    assert submission.case_id in {item.record.pk for item in everyone}
    for junk in ("²", "-1", "9" * 40, "abc"):
        assert editor_client.get(URL, {"case": junk}).status_code == 200
