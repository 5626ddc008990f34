"""The /cases/ filters for the API, with their OpenAPI description."""

from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter
from rest_framework.filters import BaseFilterBackend

from casebase.cases.filters import CaseFilter
from casebase.core.params import clean_key

CASE_PARAMETERS = [
    OpenApiParameter(
        name,
        OpenApiTypes.STR,
        OpenApiParameter.QUERY,
        many=True,
        explode=True,
        required=False,
        description=text,
    )
    for name, text in [
        ("role", "Stakeholder role slug, e.g. builder. Repeat for any of several."),
        ("principle", "Principle slug, e.g. disclosure. Repeat for any of several."),
        ("org", "Organization slug. Repeat for any of several."),
        ("cohort", "Cohort slug: 2024-03, 2024-11 or 2025. Repeat for any of several."),
        (
            "rec",
            "Recommendation key, e.g. builders-2: cases that implemented, partly implemented or considered it.",
        ),
        ("tag", "Topic tag slug. Repeat for any of several."),
        (
            "clause",
            "Slug of a clause of another instrument, e.g. eu-ai-act-art-50-2: cases applying any recommendation "
            "mapped to it (with evidence=confirmed, only by mappings confirmed or corroborated). Repeat for any of "
            "several.",
        ),
    ]
] + [
    OpenApiParameter("q", OpenApiTypes.STR, OpenApiParameter.QUERY, description="Words to search for."),
    OpenApiParameter(
        "evidence",
        OpenApiTypes.STR,
        OpenApiParameter.QUERY,
        enum=["all", "confirmed"],
        description="all (default): confirmed and unconfirmed facts count; confirmed: only confirmed or "
        "corroborated ones (filters, and the codings, roles, principles and credits served). Refuted facts never.",
    ),
    OpenApiParameter(
        "voice",
        OpenApiTypes.STR,
        OpenApiParameter.QUERY,
        many=True,
        explode=True,
        enum=["supporter", "pai", "editors"],
        description="Count only codings in these voices for the rec filter: the organization itself, PAI staff, "
        "Casebase editors.",
    ),
    OpenApiParameter(
        "sort",
        OpenApiTypes.STR,
        OpenApiParameter.QUERY,
        enum=["newest", "oldest", "title", "relevance"],
        description="Order of the results.",
    ),
]


class CaseFilterBackend(BaseFilterBackend):
    """Select published cases exactly as the /cases/ page does (casebase.cases.filters).

    The list becomes an ordered sequence that reads only the requested page's rows,
    with what ``queryset`` says to read of each.
    """

    def filter_queryset(self, request, queryset, view):
        if getattr(view, "action", None) != "list":
            return queryset
        return CaseFilter(request.query_params).cases(queryset)

    def get_schema_operation_parameters(self, view):
        return []  # declared with extend_schema on the view so the types are exact


def clean(value: str | None) -> str:
    """A query value as the API reads it (casebase.core.params)."""
    return clean_key(value)
