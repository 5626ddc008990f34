"""Permission checks beyond the matrix (tests/submissions/test_permission_matrix.py): another
organization's drafts stay invisible, and every POST needs its CSRF token."""

import pytest
from django.urls import reverse

from casebase.submissions.models import Status, Submission


@pytest.mark.django_db
def test_supporter_b_dashboard_does_not_list_organization_a(make_submission, supporter_b_client):
    submission = make_submission(Status.DRAFT)
    response = supporter_b_client.get("/submit/")
    assert submission.title not in response.content.decode()


@pytest.mark.django_db
def test_unpublished_case_is_not_public(make_submission, anon_client, supporter_b_client):
    submission = make_submission(Status.APPROVED)
    for client in (anon_client, supporter_b_client):
        assert client.get(submission.case.get_absolute_url()).status_code == 404


@pytest.mark.django_db
def test_every_post_is_csrf_protected(make_submission, supporter_a, editor):
    """With CSRF checks on (as in production), a POST without the token is refused and changes nothing."""
    from django.test import Client

    submission = make_submission(Status.DRAFT)
    supporter = Client(enforce_csrf_checks=True)
    supporter.force_login(supporter_a, backend="django.contrib.auth.backends.ModelBackend")
    staff = Client(enforce_csrf_checks=True)
    staff.force_login(editor, backend="django.contrib.auth.backends.ModelBackend")
    for client, name in [
        (supporter, "submissions:submit"),
        (supporter, "submissions:withdraw"),
        (supporter, "submissions:edit"),
        (staff, "review:claim"),
        (staff, "review:approve"),
    ]:
        response = client.post(reverse(name, args=[submission.pk]), {})
        assert response.status_code == 403, name
    assert Submission.objects.get(pk=submission.pk).status == Status.DRAFT
    assert Client(enforce_csrf_checks=True).post("/accounts/login/", {}).status_code == 403
