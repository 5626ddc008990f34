import pytest

from casebase.framework.models import Recommendation

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize(
    "url",
    [
        "/admin/framework/edition/",
        "/admin/framework/section/",
        "/admin/framework/stakeholderrole/",
        "/admin/framework/principle/",
        "/admin/framework/recommendation/?worklist=yes",
        "/admin/framework/recommendation/?q=disclose",
        "/admin/autocomplete/?app_label=cases&model_name=application&field_name=recommendation&term=build",
    ],
)
def test_admin_pages_load(admin_client_, casebase_data, url):
    assert admin_client_.get(url).status_code == 200


def test_recommendation_worklist(admin_client_, casebase_data):
    response = admin_client_.get("/admin/framework/recommendation/?worklist=yes")
    listed = {r.key for r in response.context["cl"].result_list}
    assert listed == set(Recommendation.objects.needing_verification().values_list("key", flat=True))
    assert listed  # the real data has recalled recommendations


def test_recommendation_change_page(admin_client_, casebase_data):
    rec = Recommendation.objects.get(key="builders-2")
    assert admin_client_.get(f"/admin/framework/recommendation/{rec.pk}/change/").status_code == 200
    assert admin_client_.get(f"/admin/framework/recommendation/{rec.pk}/history/").status_code == 200
