"""Django admin for cases: pages load, the verification worklist filter, tags snapshotted on save."""

import pytest

from casebase.cases.models import Application, CaseStudy
from casebase.framework.models import Principle, StakeholderRole
from casebase.organizations.models import Organization

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize(
    "url",
    [
        "/admin/cases/casestudy/",
        "/admin/cases/casestudy/?worklist=yes",
        "/admin/cases/casestudy/?worklist=no&q=bbc",
        "/admin/cases/casestudy/add/",
        "/admin/cases/application/?worklist=yes&status=implemented",
        "/admin/cases/cohort/",
        "/admin/cases/templatesection/",
    ],
)
def test_admin_pages_load(admin_client_, casebase_data, url):
    assert admin_client_.get(url).status_code == 200


def test_case_change_page_has_the_applications_inline_and_history(admin_client_, casebase_data):
    case = CaseStudy.objects.get(slug="bbc")
    response = admin_client_.get(f"/admin/cases/casestudy/{case.pk}/change/")
    assert response.status_code == 200
    assert "applications-TOTAL_FORMS" in response.text
    assert admin_client_.get(f"/admin/cases/casestudy/{case.pk}/history/").status_code == 200


def test_worklist_lists_unverified_inferred_and_stub_cases(admin_client_, casebase_data):
    response = admin_client_.get("/admin/cases/casestudy/?worklist=yes")
    listed = {c.slug for c in response.context["cl"].result_list}
    expected = set(CaseStudy.objects.needing_verification().values_list("slug", flat=True))
    assert listed == expected
    assert "adobe" in listed and "witness" in listed and "bbc" not in listed
    response = admin_client_.get("/admin/cases/application/?worklist=yes")
    listed = list(response.context["cl"].result_list)
    assert listed and all(a.grade in ("recalled", "inferred") for a in listed)
    assert len(listed) == Application.objects.filter(grade__in=("recalled", "inferred")).count()


def test_editor_without_permissions_cannot_edit(editor_client, casebase_data):
    response = editor_client.get("/admin/cases/casestudy/")
    assert response.status_code == 403


def admin_add_post(**changes) -> dict:
    """The admin's add form for a case of the BBC, as a browser posts it."""
    data = {
        "title": "Admin-made case",
        "slug": "admin-made",
        "organization": Organization.objects.get(slug="bbc").pk,
        "is_published": "on",
        "takeaways": "[]",
        "sections": "[]",
        "modalities": "[]",
        "disclosure_types": "[]",
        "completeness": "complete",
        "published_precision": "day",
        "grade": "confirmed",
        "voice": "editors",
        "field_sources": "{}",
        "roles": [StakeholderRole.objects.get(slug="builder").pk],
        "principles": [Principle.objects.get(slug="consent").pk],
        "tags": "zebra crossing, quokka",
        "applications-TOTAL_FORMS": "0",
        "applications-INITIAL_FORMS": "0",
        "applications-MIN_NUM_FORMS": "0",
        "applications-MAX_NUM_FORMS": "1000",
    }
    return data | changes


def test_saving_a_case_in_admin_snapshots_its_tags(admin_client_, casebase_data):
    response = admin_client_.post("/admin/cases/casestudy/add/", admin_add_post())
    assert response.status_code == 302, (
        response.context["adminform"].form.errors if response.context else response
    )
    case = CaseStudy.objects.get(slug="admin-made")
    assert case.tag_snapshot == {
        "roles": ["builder"],
        "principles": ["consent"],
        "tags": ["quokka", "zebra crossing"],
    }
    assert "quokka" in case.search_text and "BBC" in case.search_text
    assert case.history.count() >= 1


def test_admin_refuses_a_topic_tag_too_long_for_the_tag_table(admin_client_, casebase_data):
    from taggit.models import Tag

    long_tag = "x" * 150
    response = admin_client_.post("/admin/cases/casestudy/add/", admin_add_post(tags=f"quokka, {long_tag}"))
    assert response.status_code == 200, "the form is shown again, not a server error"
    assert "Each topic tag can be at most 90 characters" in response.text
    assert "Admin-made case" in response.text, "what was typed stays in the form"
    assert not CaseStudy.objects.filter(slug="admin-made").exists()
    assert not Tag.objects.filter(name=long_tag).exists()
