from django.contrib import admin
from django.urls import include, path

from casebase.commitments import feedback_urls
from casebase.core import bench_views
from casebase.core import views as core_views
from casebase.pages import urls as pages

urlpatterns = [
    *pages.home,
    path("healthz", core_views.healthz, name="healthz"),
    path("bench/baseline", bench_views.baseline, name="bench-baseline"),
    path("", include((pages.framework, "framework"))),
    path("", include((pages.organizations, "organizations"))),
    path("collections/", include((pages.collections, "collections"))),
    path("", include("casebase.cases.urls")),
    path("analysis/", include("casebase.datasets.urls")),
    path("analysis/", include("casebase.analysis.urls")),
    path("submit/assessments/", include("casebase.commitments.urls")),
    path("submit/", include("casebase.submissions.urls")),
    path("review/quality/", include("casebase.quality.urls")),
    path("review/editions/", include("casebase.editions.review_urls")),
    path("", include("casebase.editions.urls")),
    path("", include("casebase.corrections.urls")),
    path("review/feedback/", include(feedback_urls.feedback)),
    path("review/dossiers/", include(feedback_urls.dossiers)),
    path("review/", include("casebase.commitments.review_urls")),
    path("review/", include("casebase.submissions.review_urls")),
    path("accounts/", include("casebase.accounts.urls")),
    path("api/", include("casebase.api.urls")),
    path("feeds/", include("casebase.api.feed_urls")),
    path("admin/", admin.site.urls),
]

handler404 = "casebase.core.views.not_found"
handler500 = "casebase.core.views.server_error"
