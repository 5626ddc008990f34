import pytest

from casebase.organizations.models import Organization

pytestmark = pytest.mark.django_db


def test_organization_admin_and_worklist(admin_client_, casebase_data):
    assert admin_client_.get("/admin/organizations/organization/?q=bbc").status_code == 200
    response = admin_client_.get("/admin/organizations/organization/?worklist=yes")
    listed = {o.slug for o in response.context["cl"].result_list}
    # Inferred stakeholder roles put an organization on the worklist.
    assert (
        set(Organization.objects.filter(roles_confidence="inference").values_list("slug", flat=True))
        <= listed
    )
    org = Organization.objects.get(slug="adobe")
    assert admin_client_.get(f"/admin/organizations/organization/{org.pk}/change/").status_code == 200
