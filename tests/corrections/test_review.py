"""The editor's side: suggestions on the worklist, accepted through the write path or declined."""

import pytest
from django.core import mail

from casebase.cases.models import Application, CaseCredit, CaseStudy, TaggedRole
from casebase.corrections import services
from casebase.corrections.models import Suggestion
from casebase.framework.models import Recommendation
from tests.conftest import client_for, make_user

pytestmark = pytest.mark.django_db


def test_only_editors_reach_the_review_page(make_suggestion, anon_client, supporter_a_client, editor_client):
    suggestion = make_suggestion()
    url = suggestion.get_absolute_url()
    reader = client_for(make_user("reader"))  # signed in, neither supporter nor editor
    decline = {"decision": "decline", "reason": "No."}
    assert anon_client.get(url)["Location"].startswith("/accounts/login/")
    assert anon_client.post(url, decline)["Location"].startswith("/accounts/login/")
    for client in (supporter_a_client, reader):
        assert client.get(url).status_code == 403
        assert client.post(url, decline).status_code == 403
        assert client.get("/review/quality/").status_code == 403
    suggestion.refresh_from_db()
    assert suggestion.status == Suggestion.Status.OPEN
    assert editor_client.get(url).status_code == 200
    assert editor_client.get("/review/corrections/999999/").status_code == 404


def test_suggestion_stands_beside_its_field_on_the_worklist(make_suggestion, editor_client):
    suggestion = make_suggestion(problem="The year is wrong.")
    make_suggestion(page="/analysis/gaps/", field="figure", figure="The builders row")
    overview = editor_client.get("/review/quality/")
    assert overview.context["suggestions_total"] == 2
    assert "The year is wrong." in overview.text and "The builders row" in overview.text
    assert f'href="/review/corrections/{suggestion.pk}/"' in overview.text
    worklist = editor_client.get("/review/quality/?list=suggested").context["worklist"]
    # Exactly the case's summary carries it: the fact the reader pointed at.
    assert [(i.kind.key, i.record.slug, i.field) for i in worklist] == [("case", "adobe", "summary")]
    assert worklist[0].suggestions == [suggestion]


def test_accepting_changes_the_page_the_log_and_the_history(
    make_suggestion, editor, editor_client, anon_client, django_capture_on_commit_callbacks
):
    editor.first_name, editor.last_name = "Ada", "Editor"
    editor.save()
    suggestion = make_suggestion(credit_name="Rita Reader", wants_credit=True)
    review = editor_client.get(suggestion.get_absolute_url())
    adobe = CaseStudy.objects.get(slug="adobe")
    assert adobe.summary.splitlines()[0] in review.text  # the form starts from the current value
    mail.outbox.clear()
    with django_capture_on_commit_callbacks(execute=True):
        response = editor_client.post(
            suggestion.get_absolute_url(),
            {
                "decision": "accept",
                "new_value": "Adobe's corrected summary.",
                "reason": "The case text says so.",
            },
        )
    assert response.status_code == 302
    adobe.refresh_from_db()
    assert adobe.summary == "Adobe's corrected summary." and "corrected summary" in adobe.summary_html
    provenance = adobe.provenance("summary")
    assert provenance.source_url == "https://example.org/source" and provenance.grade == "confirmed"
    assert provenance.checked_by == "Ada Editor" and provenance.voice == "editors"
    assert (
        adobe.refuted()[-1]["field"] == "summary"
        and adobe.refuted()[-1]["refuted_by"] == suggestion.source_url
    )
    latest = adobe.history.latest()
    assert latest.history_user == editor and latest.history_change_reason.startswith(
        f"Correction no. {suggestion.pk}"
    )
    page = anon_client.get("/cases/adobe/").text
    assert "Adobe&#x27;s corrected summary." in page
    assert "Corrections" in page and "Suggested by Rita Reader" in page and "The case text says so." in page
    log = anon_client.get("/changes/").text
    assert 'href="/cases/adobe/"' in log and "Rita Reader" in log and "The case text says so." in log
    assert len(mail.outbox) == 1 and mail.outbox[0].to == ["r@example.net"]
    assert "accepted" in mail.outbox[0].subject and "Adobe's corrected summary." in mail.outbox[0].body
    # Decided once: a second decision is refused and changes nothing.
    again = editor_client.post(suggestion.get_absolute_url(), {"decision": "decline", "reason": "Oops"})
    assert again.status_code == 422 and "already been decided" in again.text
    assert Suggestion.objects.get(pk=suggestion.pk).status == Suggestion.Status.ACCEPTED


def test_not_credited_unless_asked(make_suggestion, editor, anon_client):
    suggestion = make_suggestion(credit_name="Secret Name", wants_credit=False, field="title", source_url="")
    services.accept(suggestion=suggestion, editor=editor, new_value="A better title", reason="Typo.")
    # No source given: the new value is unverified until checked against one.
    assert CaseStudy.objects.get(slug="adobe").provenance("title").grade == "recalled"
    log = anon_client.get("/changes/").text
    assert "A better title" in log and "Secret Name" not in log and "Suggested by a reader" in log


def test_declining_records_the_reason_and_tells_the_suggester(
    make_suggestion, editor_client, anon_client, django_capture_on_commit_callbacks
):
    suggestion = make_suggestion()
    before = CaseStudy.objects.get(slug="adobe").summary
    mail.outbox.clear()
    with django_capture_on_commit_callbacks(execute=True):
        response = editor_client.post(
            suggestion.get_absolute_url(),
            {"decision": "decline", "reason": "The source is about another case."},
        )
    assert response.status_code == 302
    suggestion.refresh_from_db()
    assert suggestion.status == Suggestion.Status.DECLINED
    assert suggestion.reason == "The source is about another case."
    assert CaseStudy.objects.get(slug="adobe").summary == before
    assert len(mail.outbox) == 1 and mail.outbox[0].to == ["r@example.net"]
    assert "The source is about another case." in mail.outbox[0].body
    assert suggestion.told and suggestion.email == ""  # the address served its one purpose
    assert "No correction has been made yet." in anon_client.get("/changes/").text


def test_no_address_no_email(make_suggestion, editor, django_capture_on_commit_callbacks):
    suggestion = make_suggestion(email="")
    mail.outbox.clear()
    with django_capture_on_commit_callbacks(execute=True):
        services.decline(suggestion=suggestion, editor=editor, reason="No.")
    assert mail.outbox == []


def test_a_reason_is_required_and_typed_values_are_kept(make_suggestion, editor_client):
    suggestion = make_suggestion(field="title")
    response = editor_client.post(
        suggestion.get_absolute_url(), {"decision": "accept", "new_value": "Kept title", "reason": ""}
    )
    assert response.status_code == 422 and "Kept title" in response.text
    long_title = editor_client.post(
        suggestion.get_absolute_url(), {"decision": "accept", "new_value": "t" * 300, "reason": "Longer."}
    )
    assert long_title.status_code == 422 and "at most 250 characters" in long_title.text
    assert Suggestion.objects.get(pk=suggestion.pk).status == Suggestion.Status.OPEN


def test_withdrawing_a_role_a_credit_and_recoding(make_suggestion, editor, editor_client, anon_client):
    case = CaseStudy.objects.get(slug="microsoft-linkedin")
    path = case.get_absolute_url()
    # What the editor is offered: a tag or credit is withdrawn; a coding gets a status (or is withdrawn).
    role_page = editor_client.get(make_suggestion(page=path, field="role:builder").get_absolute_url())
    assert 'name="new_value" value="withdraw"' in role_page.text and "withdraws this fact" in role_page.text
    coding = case.applications.shown().order_by("recommendation__key").first()
    coding_page = editor_client.get(
        make_suggestion(
            page=path, field=f"coding:{coding.recommendation.key}:{coding.voice}"
        ).get_absolute_url()
    )
    assert f'<option value="{coding.status}" selected>' in coding_page.text
    services.accept(
        suggestion=make_suggestion(page=path, field="role:builder"),
        editor=editor,
        new_value="",
        reason="Not a builder.",
    )
    link = TaggedRole.objects.get(content_object=case, tag__slug="builder")
    assert link.grade == "refuted" and link.source_url == "https://example.org/source"
    assert (
        "?role=builder" not in anon_client.get(path).text.split('id="tags-heading"')[1].split("</aside>")[0]
    )
    services.accept(
        suggestion=make_suggestion(page=path, field="credit:linkedin"),
        editor=editor,
        new_value="",
        reason="Not so.",
    )
    assert CaseCredit.objects.get(case=case, organization__slug="linkedin").grade == "refuted"
    assert case.credits.filter(role="lead").count() == 1  # the lead organization stays credited
    key = f"coding:{coding.recommendation.key}:{coding.voice}"
    services.accept(
        suggestion=make_suggestion(page=path, field=key),
        editor=editor,
        new_value="considered",
        reason="Only considered.",
    )
    coding.refresh_from_db()
    assert coding.status == Application.Status.CONSIDERED and coding.provenance().checked_by == "editor"
    assert case.applications.count() == 3  # the other codings are kept as they were
    # Another voice's coding is the organization's word: the editors' reading stands beside it.
    theirs = case.applications.exclude(pk=coding.pk).first()
    Application.objects.filter(pk=theirs.pk).update(voice="supporter", status="implemented")
    key = f"coding:{theirs.recommendation.key}:supporter"
    services.accept(
        suggestion=make_suggestion(page=path, field=key), editor=editor, new_value="partial", reason="Partly."
    )
    assert Application.objects.get(pk=theirs.pk).status == "implemented"  # theirs, as they said it
    beside = case.applications.get(recommendation=theirs.recommendation, voice="editors")
    assert beside.status == "partial" and case.applications.count() == 4
    log = anon_client.get("/changes/").text
    assert "withdrawn" in log and "Considered, not adopted" in log
    assert (
        "Partially implemented (Casebase editors&#x27; coding, beside the organization itself&#x27;s)" in log
    )


def test_correcting_a_recommendation_text(make_suggestion, editor, anon_client):
    rec = Recommendation.objects.filter(edition__is_current=True).first()
    suggestion = make_suggestion(page=rec.get_absolute_url(), field="text")
    services.accept(
        suggestion=suggestion, editor=editor, new_value="The **corrected** text.", reason="As published."
    )
    rec.refresh_from_db()
    assert rec.text == "The **corrected** text." and "<strong>corrected</strong>" in rec.text_html
    assert rec.provenance("text").source_url == "https://example.org/source"
    assert rec.history.latest().history_change_reason.startswith("Correction no.")
    assert "<strong>corrected</strong>" in anon_client.get(rec.get_absolute_url()).text


def test_a_case_unpublished_since_cannot_be_corrected(make_suggestion, editor_client, anon_client):
    suggestion = make_suggestion()
    CaseStudy.objects.filter(slug="adobe").update(is_published=False)
    response = editor_client.post(
        suggestion.get_absolute_url(), {"decision": "accept", "new_value": "New.", "reason": "Why."}
    )
    assert response.status_code == 422 and "no longer published" in response.text
    assert Suggestion.objects.get(pk=suggestion.pk).status == Suggestion.Status.OPEN


def test_the_editor_is_warned_of_a_revision_under_way(make_suggestion, editor, editor_client):
    from casebase.submissions import services as workflow

    suggestion = make_suggestion()
    assert "A revision of this case is under way" not in editor_client.get(suggestion.get_absolute_url()).text
    workflow.start_revision(case=CaseStudy.objects.get(slug="adobe"), by=editor)
    assert "A revision of this case is under way" in editor_client.get(suggestion.get_absolute_url()).text


def test_an_edit_made_meanwhile_is_not_undone(make_suggestion, editor, editor_client):
    suggestion = make_suggestion(field="title")
    opened = editor_client.get(suggestion.get_absolute_url()).context["expected"]
    adobe = CaseStudy.objects.get(slug="adobe")
    adobe.title = "A title another editor wrote"
    adobe.save()
    response = editor_client.post(
        suggestion.get_absolute_url(),
        {"decision": "accept", "new_value": "My title", "reason": "Typo.", "expected": opened},
    )
    assert response.status_code == 422 and "changed by someone else" in response.text
    assert "My title" in response.text and "A title another editor wrote" in response.text  # both kept
    assert CaseStudy.objects.get(slug="adobe").title == "A title another editor wrote"
    # Started again from the current text (the form now carries its fingerprint), it goes through.
    again = {
        "decision": "accept",
        "new_value": "My title\r\n",
        "reason": "Typo.",
        "expected": response.context["expected"],
    }
    assert editor_client.post(suggestion.get_absolute_url(), again).status_code == 302
    assert CaseStudy.objects.get(slug="adobe").title == "My title"


def test_only_an_accepted_correction_starts_a_new_page_cache_version(make_suggestion, editor):
    from casebase.core import pagecache

    before = pagecache.content_version()
    suggestion = make_suggestion(page="/analysis/gaps/", field="figure", figure="Row 1")
    services.decline(suggestion=suggestion, editor=editor, reason="No.")
    assert pagecache.content_version() == before  # spam cannot empty the cache
    suggestion = make_suggestion(page="/analysis/gaps/", field="figure", figure="Row 2")
    services.accept(suggestion=suggestion, editor=editor, new_value="Row 2 recounted.", reason="Yes.")
    assert pagecache.content_version() != before
