import pytest

from casebase.organizations.models import Organization

pytestmark = pytest.mark.django_db


def test_organization_admin_and_worklist(admin_client_, casebase_data):
    assert admin_client_.get("/admin/organizations/organization/?q=bbc").status_code == 200
    response = admin_client_.get("/admin/organizations/organization/?worklist=yes")
    listed = {o.slug for o in response.context["cl"].result_list}
    # Inferred stakeholder roles put an organization on the worklist.
    inferred_roles = {o.slug for o in Organization.objects.all() if o.provenance("roles").grade == "inferred"}
    assert inferred_roles and inferred_roles <= listed
    assert all(
        o.grade in ("recalled", "inferred") or any(f.provenance.needs_check for f in o.facts())
        for o in response.context["cl"].result_list
    )
    org = Organization.objects.get(slug="adobe")
    assert admin_client_.get(f"/admin/organizations/organization/{org.pk}/change/").status_code == 200
