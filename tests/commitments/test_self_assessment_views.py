"""The self-assessment pages: the form, nothing lost on 422/409, read-only after submission,
hostile input, another organization's records, and the editors' review."""

import re

import pytest
from django.core import mail
from django.test import Client

from casebase.accounts.access import STASH_COOKIE
from casebase.commitments import services
from casebase.commitments.models import Feedback, SelfAssessment, Statement
from casebase.framework.models import Recommendation
from tests.conftest import PASSWORD, client_for

pytestmark = pytest.mark.django_db
URL = "/submit/assessments/2025-review/"


def rec(key):
    return Recommendation.objects.get(key=key)


def post(version=0, action="save", **rows):
    """The form as a browser posts it: ``rows`` maps a recommendation key to its fields."""
    data = {"version": str(version), "action": action}
    for key, fields in rows.items():
        prefix = f"r{rec(key).pk}"
        for name, value in fields.items():
            data[f"{prefix}-{name}"] = value
    return data


COMPLETE = {
    "builders-1": {"status": "practised", "justification": "We watermark every output."},
    "builders-2": {"status": "planned", "justification": "Next year.", "planned_measure": "Add C2PA.", "planned_by": "2025-12-31"},
}  # fmt: skip


def assessment_of(org):
    return SelfAssessment.objects.get(organization=org)


def test_form_lists_the_rows_for_the_organizations_roles(cycle, cases, supporter_a_client):
    response = supporter_a_client.get(URL)
    page = response.content.decode()
    assert response.status_code == 200
    assert "Recommendation 1" in page and "Recommendation 2" in page and "Disclose to audiences" not in page
    assert "concern your organization" in page
    # Evidence: A's own published case, never B's nor an unpublished one.
    assert "How Organization A labels" in page
    assert "How Organization B labels" not in page and "unpublished" not in page
    for label in ("Save draft", "Submit for review"):
        assert label in page
    # Labels are tied to their inputs.
    for name in re.findall(r'<textarea name="([^"]+)"', page):
        field_id = "id_" + name
        assert f'for="{field_id}"' in page
    assert not SelfAssessment.objects.exists(), "a GET writes nothing"
    # The fixture's deadline (31 March 2025) is behind us, but the cycle is still open.
    assert "The deadline has passed" in page


def test_without_roles_every_recommendation_with_the_reason(cycle, supporter_b_client):
    page = supporter_b_client.get(URL).content.decode()
    assert "Disclose to audiences" in page and "has no stakeholder roles recorded" in page
    assert "<em>disclose</em>" in page  # the recommendation's text, collapsible


def test_draft_survives_a_new_login(cycle, cases, org_a, supporter_a, supporter_a_client):
    data = post(
        **{
            "builders-1": {
                "status": "partly",
                "justification": "Some of it.",
                "evidence": str(cases["org-a"].pk),
            }
        }
    )
    response = supporter_a_client.post(URL, data)
    assert response.status_code == 302
    fresh = Client()
    assert (
        fresh.post("/accounts/login/", {"username": "supporter_a", "password": PASSWORD}).status_code == 302
    )
    page = fresh.get(URL).content.decode()
    assert "Some of it." in page
    assert re.search(r'<option value="partly" selected>', page)
    assert re.search(rf'value="{cases["org-a"].pk}"[^>]*checked', page)
    assert assessment_of(org_a).status == "draft"


def test_submit_then_read_only(cycle, org_a, supporter_a_client, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        response = supporter_a_client.post(URL, post(action="submit", **COMPLETE))
    assert response.status_code == 302
    assert assessment_of(org_a).status == "submitted"
    assert any("submitted" in m.subject for m in mail.outbox)
    page = supporter_a_client.get(URL).content.decode()
    assert "Submitted: PAI editors are reviewing it" in page and "Save draft" not in page
    assert "We watermark every output." in page
    # A later POST is refused, with what was typed kept.
    refused = supporter_a_client.post(
        URL, post(version=2, **{"builders-1": {"justification": "Rewritten later."}})
    )
    assert refused.status_code == 409
    assert "Rewritten later." in refused.content.decode()
    assert Statement.objects.filter(justification="Rewritten later.").count() == 0


def test_submit_incomplete_is_422_with_errors_per_row_and_everything_kept(cycle, org_a, supporter_a_client):
    data = post(
        action="submit",
        **{
            "builders-1": {"status": "planned", "justification": "Soon."},
            "builders-2": {"justification": "Kept text."},
        },
    )
    response = supporter_a_client.post(URL, data)
    page = response.content.decode()
    assert response.status_code == 422
    assert "Your draft is saved, but it is not submitted yet" in page
    assert "Say what you plan to do." in page and "Say by when." in page and "Choose a status." in page
    assert "Soon." in page and "Kept text." in page
    a = assessment_of(org_a)
    assert a.status == "draft" and a.version == 2
    assert 'name="version" value="2"' in page  # saving again from this page is not a conflict


@pytest.mark.parametrize(
    "fields, message",
    [
        ({"justification": "x" * 501}, "at most 500 characters"),
        ({"planned_measure": "y" * 501}, "at most 500 characters"),
        ({"feedback_text": "z" * 2001}, "at most 2000 characters"),
        ({"status": "excellent"}, "Select a valid choice"),
        ({"planned_by": "31/31/2025"}, "Enter a valid date"),
        ({"feedback_kind": "rant"}, "Select a valid choice"),
    ],
)
def test_hostile_input_is_422_with_everything_kept(cycle, org_a, supporter_a_client, fields, message):
    data = post(
        **{
            "builders-1": {"justification": "Typed before.", **fields},
            "builders-2": {"justification": "Other row."},
        }
    )
    response = supporter_a_client.post(URL, data)
    page = response.content.decode()
    assert response.status_code == 422
    assert message in page
    assert "Other row." in page
    assert not SelfAssessment.objects.exists()


def test_forged_evidence_is_422_with_a_clear_message(cycle, cases, supporter_a_client):
    for forged in (cases["org-b"].pk, 999999, "not-a-number"):
        data = post(**{"builders-1": {"justification": "Typed.", "evidence": str(forged)}})
        response = supporter_a_client.post(URL, data)
        assert response.status_code == 422
        assert "own published case studies" in response.content.decode()
    assert not Statement.objects.exists()


def test_stale_version_is_409_with_typed_values_kept(cycle, org_a, supporter_a, supporter_a_client):
    supporter_a_client.post(URL, post(**{"builders-1": {"justification": "First save."}}))
    other = client_for(supporter_a)
    other.post(URL, post(version=2, **{"builders-1": {"justification": "Colleague's save."}}))
    response = supporter_a_client.post(
        URL, post(version=2, **{"builders-1": {"justification": "My stale text."}})
    )
    page = response.content.decode()
    assert response.status_code == 409
    assert "Someone else saved this self-assessment" in page and "My stale text." in page
    assert 'name="version" value="3"' in page
    assert (
        assessment_of(org_a).statements.get(recommendation__key="builders-1").justification
        == "Colleague's save."
    )


def test_feedback_is_filed_with_the_statement(cycle, org_a, supporter_a_client):
    data = post(
        **{"builders-2": {"feedback_kind": "conflicting", "feedback_text": "Conflicts with builders-1."}}
    )
    assert supporter_a_client.post(URL, data).status_code == 302
    feedback = Feedback.objects.get()
    assert feedback.kind == "conflicting" and feedback.organization == org_a and feedback.tagged_by is None
    assert list(feedback.recommendations.values_list("key", flat=True)) == ["builders-2"]
    assert feedback.statement.recommendation.key == "builders-2"
    # Saving again does not file it twice; clearing it withdraws it.
    supporter_a_client.post(
        URL,
        post(
            version=2,
            **{"builders-2": {"feedback_kind": "conflicting", "feedback_text": "Conflicts with builders-1."}},
        ),
    )
    assert Feedback.objects.count() == 1
    supporter_a_client.post(URL, post(version=3, **{"builders-2": {"feedback_text": ""}}))
    assert Feedback.objects.count() == 0


def test_closed_cycle_refuses_with_typed_values_kept(cycle, editor, supporter_a_client):
    services.close_cycle(cycle=cycle, by=editor)
    page = supporter_a_client.get(URL).content.decode()
    assert "This cycle is closed" in page and "Save draft" not in page
    response = supporter_a_client.post(URL, post(**{"builders-1": {"justification": "Too late."}}))
    assert response.status_code == 409
    assert "Too late." in response.content.decode()
    assert not SelfAssessment.objects.exists()


def test_expired_session_keeps_the_post(cycle, supporter_a):
    client = Client()
    response = client.post(URL, post(**{"builders-1": {"justification": "Typed while signed out."}}))
    assert response.status_code == 302 and response["Location"].startswith("/accounts/login/")
    assert STASH_COOKIE in response.cookies
    assert (
        client.post("/accounts/login/", {"username": "supporter_a", "password": PASSWORD}).status_code == 302
    )
    page = client.get(URL).content.decode()
    assert "We kept what you wrote" in page and "Typed while signed out." in page
    assert not SelfAssessment.objects.exists(), "kept, not saved"


def test_supporter_b_never_sees_as_statements(cycle, org_a, supporter_a_client, supporter_b_client):
    supporter_a_client.post(URL, post(**{"builders-1": {"justification": "A's secret sentence."}}))
    a = assessment_of(org_a)
    page = supporter_b_client.get(URL).content.decode()
    assert "A's secret sentence." not in page
    assert supporter_b_client.get(f"/review/assessments/{a.pk}/").status_code == 403
    # B's post makes B's own assessment; A's is untouched.
    supporter_b_client.post(URL, post(**{"builders-1": {"justification": "B's."}}))
    assert a.statements.get(recommendation__key="builders-1").justification == "A's secret sentence."


def test_list_and_dashboard_link(cycle, supporter_a_client):
    page = supporter_a_client.get("/submit/assessments/").content.decode()
    assert "2025 review" in page and "Not started" in page and "31 Mar 2025" in page
    dashboard = supporter_a_client.get("/submit/").content.decode()
    assert 'href="/submit/assessments/"' in dashboard and "2025 review" in dashboard


def test_unknown_cycle_is_404(cycle, supporter_a_client):
    assert supporter_a_client.get("/submit/assessments/no-such-cycle/").status_code == 404


# --- the editors' side -------------------------------------------------------------------


def submitted(client, org):
    client.post(URL, post(action="submit", **COMPLETE))
    return assessment_of(org)


def test_review_shows_the_statements_as_the_organizations_words(
    cycle, cases, org_a, supporter_a_client, editor_client
):
    data = post(action="submit", **COMPLETE)
    data[f"r{rec('builders-1').pk}-evidence"] = str(cases["org-a"].pk)
    data[f"r{rec('builders-1').pk}-feedback_text"] = "The wording is vague."
    supporter_a_client.post(URL, data)
    a = assessment_of(org_a)
    queue = editor_client.get("/review/assessments/").content.decode()
    assert f"/review/assessments/{a.pk}/" in queue
    page = editor_client.get(f"/review/assessments/{a.pk}/").content.decode()
    assert "organization's own words" in page
    assert cases["org-a"].get_absolute_url() in page
    assert "Add C2PA." in page and "31 Dec 2025" in page
    assert "The wording is vague." in page
    assert "Publish" in page and "Request changes" in page


def test_publish_and_request_changes(
    cycle, org_a, supporter_a_client, editor_client, django_capture_on_commit_callbacks
):
    a = submitted(supporter_a_client, org_a)
    # A note is required to request changes: 422, nothing changed.
    response = editor_client.post(f"/review/assessments/{a.pk}/request-changes/", {"note": ""})
    assert response.status_code == 422 and assessment_of(org_a).status == "submitted"
    response = editor_client.post(f"/review/assessments/{a.pk}/request-changes/", {"note": "x" * 5001})
    assert response.status_code == 422 and "x" * 5001 in response.content.decode()
    mail.outbox.clear()
    with django_capture_on_commit_callbacks(execute=True):
        editor_client.post(
            f"/review/assessments/{a.pk}/request-changes/", {"note": "Justify builders-2 better."}
        )
    assert assessment_of(org_a).status == "changes_requested"
    assert (
        mail.outbox[0].to == ["supporter_a@example.org"]
        and "Justify builders-2 better." in mail.outbox[0].body
    )
    page = supporter_a_client.get(URL).content.decode()
    assert "Justify builders-2 better." in page and "Save draft" in page
    # Publishing is for submitted assessments only: a clear 409.
    response = editor_client.post(f"/review/assessments/{a.pk}/publish/", {})
    assert response.status_code == 409 and "Only a submitted self-assessment" in response.content.decode()
    supporter_a_client.post(URL, post(version=assessment_of(org_a).version, action="submit", **COMPLETE))
    with django_capture_on_commit_callbacks(execute=True):
        response = editor_client.post(f"/review/assessments/{a.pk}/publish/", {"note": "Thank you."})
    assert response.status_code == 302
    a = assessment_of(org_a)
    assert a.status == "published" and a.published_at
    assert Statement.objects.public().count() == 2
    assert "Published: these statements are public." in supporter_a_client.get(URL).content.decode()


def test_queue_lists_submitted_first_oldest_first(
    cycle, org_a, org_b, supporter_a, supporter_b, editor_client
):
    import datetime

    from django.utils import timezone

    for user, org in ((supporter_a, org_a), (supporter_b, org_b)):
        a = services.start_assessment(cycle=cycle, organization=org, by=user).assessment
        rows = {
            pk: {"status": "practised", "justification": "Yes."}
            for pk in a.statements.values_list("recommendation_id", flat=True)
        }
        a = services.save_assessment(assessment=a, data=rows, version=a.version, by=user)
        services.submit_assessment(assessment=a, by=user)
    # B submitted a day earlier than A.
    SelfAssessment.objects.filter(organization=org_b).update(
        submitted_at=timezone.now() - datetime.timedelta(days=1)
    )
    page = editor_client.get("/review/assessments/").content.decode()
    assert page.index("Organization B") < page.index("Organization A")
    services.publish_assessment(assessment=assessment_of(org_b), by=_editor())
    page = editor_client.get("/review/assessments/").content.decode()
    assert page.index("Organization A") < page.index("Organization B")


def _editor():
    from django.contrib.auth import get_user_model

    return get_user_model().objects.get(username="editor")
