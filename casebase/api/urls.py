from django.urls import include, path
from drf_spectacular.views import SpectacularAPIView
from rest_framework.routers import DefaultRouter

from casebase.api import commitments, docs, views

app_name = "api"

router = DefaultRouter()
router.register("editions", views.EditionViewSet, basename="edition")
router.register("sections", views.SectionViewSet, basename="section")
router.register("recommendations", views.RecommendationViewSet, basename="recommendation")
router.register("organizations", views.OrganizationViewSet, basename="organization")
router.register("cases", views.CaseViewSet, basename="case")
router.register("analyses", views.AnalysisViewSet, basename="analysis")
router.register("cycles", commitments.CycleViewSet, basename="cycle")
router.register("commitments", commitments.CommitmentViewSet, basename="commitment")

urlpatterns = [
    path("schema/", SpectacularAPIView.as_view(), name="schema"),
    path("docs/", docs.api_docs, name="docs"),
    path("", include(router.urls)),
]
