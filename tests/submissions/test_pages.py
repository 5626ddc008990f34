"""Every workflow page renders for the persona it is for."""

import pytest

from casebase.submissions.models import Status


@pytest.mark.django_db
def test_pages_render(make_submission, persona_clients, org_a):
    s = make_submission(Status.CHANGES_REQUESTED)
    a = persona_clients["supporter_a"]
    e = persona_clients["editor"]
    for url in [
        "/submit/",
        "/submit/new/",
        f"/submit/{s.pk}/",
        f"/submit/{s.pk}/edit/",
        f"/submit/{s.pk}/preview/",
    ]:
        r = a.get(url)
        assert r.status_code == 200, (url, r.status_code)
    for url in [
        "/review/",
        f"/review/{s.pk}/",
        f"/review/{s.pk}/edit/",
        f"/review/{s.pk}/preview/",
        f"/review/{s.pk}/history/",
        "/accounts/invite/",
    ]:
        r = e.get(url)
        assert r.status_code == 200, (url, r.status_code)
    for url in ["/accounts/login/", "/accounts/password-reset/"]:
        assert persona_clients["anonymous"].get(url).status_code == 200
