"""The read-only JSON API: only published records, the same filters as /cases/."""

from django.db.models import Prefetch
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, extend_schema, extend_schema_view
from rest_framework import viewsets
from rest_framework.pagination import PageNumberPagination

from casebase.analysis.models import Analysis, Finding
from casebase.api import serializers
from casebase.api.filters import CASE_PARAMETERS, CaseFilterBackend, clean
from casebase.cases.models import Application, CaseCredit, CaseStudy, TaggedPrinciple, TaggedRole
from casebase.framework.models import Edition, Recommendation, Section
from casebase.organizations.models import Organization

SLUG = r"[-a-zA-Z0-9_]+"


# Case fields the list does not show: the body and its rendered copies, most of a row.
LIST_DEFERRED = ("sections", "body_html", "body_text", "summary_html", "search_text", "tag_snapshot")


class Pagination(PageNumberPagination):
    page_size_query_param = "page_size"
    max_page_size = 200


def _param(name: str, text: str) -> OpenApiParameter:
    return OpenApiParameter(name, OpenApiTypes.STR, OpenApiParameter.QUERY, description=text)


class ReadOnly(viewsets.ReadOnlyModelViewSet):
    pagination_class = Pagination
    lookup_value_regex = SLUG


@extend_schema_view(
    list=extend_schema(summary="Framework editions"), retrieve=extend_schema(summary="One edition")
)
class EditionViewSet(ReadOnly):
    serializer_class = serializers.EditionSerializer
    lookup_field = "slug"

    def get_queryset(self):
        return Edition.objects.public().order_by("-published_on", "slug")


@extend_schema_view(
    list=extend_schema(
        summary="Sections of the Framework", parameters=[_param("edition", "Edition slug, e.g. 2023.")]
    ),
    retrieve=extend_schema(summary="One section"),
)
class SectionViewSet(ReadOnly):
    serializer_class = serializers.SectionSerializer
    lookup_value_regex = r"[0-9]+"

    def get_queryset(self):
        queryset = (
            Section.objects.filter(edition__is_draft=False)
            .select_related("edition", "parent")
            .order_by("edition__slug", "order", "pk")
        )
        if edition := clean(self.request.query_params.get("edition")):
            queryset = queryset.filter(edition__slug=edition)
        return queryset


@extend_schema_view(
    list=extend_schema(
        summary="Recommendations",
        parameters=[
            _param("edition", "Edition slug (default: every edition)."),
            _param("section", "Section key, e.g. builders."),
            _param("role", "Stakeholder role slug the recommendation addresses."),
            _param("principle", "Principle slug the recommendation concerns."),
        ],
    ),
    retrieve=extend_schema(
        summary="One recommendation by its stable key (the current edition's when several share it)"
    ),
)
class RecommendationViewSet(ReadOnly):
    serializer_class = serializers.RecommendationSerializer
    lookup_field = "key"

    def get_queryset(self):
        queryset = (
            Recommendation.objects.public()
            .select_related("edition", "section", "previous")
            .prefetch_related("principles", "roles")
            .order_by("-edition__is_current", "-edition__published_on", "section__order", "order", "key")
        )
        params = self.request.query_params
        if edition := clean(params.get("edition")):
            queryset = queryset.filter(edition__slug=edition)
        if section := clean(params.get("section")):
            queryset = queryset.filter(section__key=section)
        if role := clean(params.get("role")):
            queryset = queryset.filter(roles__slug=role)
        if principle := clean(params.get("principle")):
            queryset = queryset.filter(principles__slug=principle)
        return queryset

    def get_object(self):
        # A key can recur across editions (the crosswalk); the current edition's comes first.
        queryset = self.get_queryset().filter(key=self.kwargs["key"])
        obj = queryset.first()
        if obj is None:
            from django.http import Http404

            raise Http404
        self.check_object_permissions(self.request, obj)
        return obj


@extend_schema_view(
    list=extend_schema(
        summary="Organizations",
        parameters=[
            _param("kind", "industry, media, civil_society, academia or pai."),
            _param("role", "Stakeholder role slug."),
        ],
    ),
    retrieve=extend_schema(summary="One organization"),
)
class OrganizationViewSet(ReadOnly):
    serializer_class = serializers.OrganizationSerializer
    lookup_field = "slug"

    def get_queryset(self):
        queryset = Organization.objects.prefetch_related("roles").order_by("name")
        params = self.request.query_params
        if kind := clean(params.get("kind")):
            queryset = queryset.filter(kind=kind)
        if role := clean(params.get("role")):
            queryset = queryset.filter(roles__slug=role)
        return queryset


@extend_schema_view(
    list=extend_schema(summary="Published case studies, filtered like /cases/", parameters=CASE_PARAMETERS),
    retrieve=extend_schema(summary="One published case study, with its body"),
)
class CaseViewSet(ReadOnly):
    lookup_field = "slug"
    filter_backends = [CaseFilterBackend]

    def get_serializer_class(self):
        return serializers.CaseDetailSerializer if self.action == "retrieve" else serializers.CaseSerializer

    def get_queryset(self):
        applications = Application.objects.select_related("recommendation").order_by(
            "recommendation__section__order", "recommendation__order", "recommendation__key"
        )
        # The order of a list is the filter's (newest first by default): CaseFilterBackend.
        queryset = (
            CaseStudy.objects.published()
            .select_related("organization", "cohort", "edition")
            .prefetch_related(
                Prefetch("applications", queryset=applications),
                Prefetch("role_links", queryset=TaggedRole.objects.select_related("tag")),
                Prefetch("principle_links", queryset=TaggedPrinciple.objects.select_related("tag")),
                Prefetch("credits", queryset=CaseCredit.objects.select_related("organization")),
            )
        )
        if self.action != "list":  # a list's tags are attached by OrderedCases, for the page at once
            queryset = queryset.prefetch_related("tags")
        if self.action == "list":
            queryset = queryset.defer(*LIST_DEFERRED)
        return queryset


@extend_schema_view(
    list=extend_schema(summary="Published staff analyses"), retrieve=extend_schema(summary="One analysis")
)
class AnalysisViewSet(ReadOnly):
    serializer_class = serializers.AnalysisSerializer
    lookup_field = "slug"

    def get_queryset(self):
        findings = Finding.objects.prefetch_related(
            Prefetch("cases", queryset=CaseStudy.objects.published().order_by("slug")),
            Prefetch("recommendations", queryset=Recommendation.objects.order_by("key")),
        ).order_by("order", "id")
        return (
            Analysis.objects.published()
            .prefetch_related(Prefetch("findings", queryset=findings))
            .order_by("order", "-published_on", "slug")
        )
