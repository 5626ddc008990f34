"""The yearly review in the read API: reporting cycles, and supporters' public statements.

Only ``Statement.objects.public()`` is served (statements of published self-assessments),
selected through ``casebase.commitments.querying`` like the pages and their exports, so
``evidence=confirmed`` means the same everywhere. Each statement is served as what it is:
the organization's own words (``voice`` is always ``supporter``).
"""

from django.db.models import Count, Q
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, extend_schema, extend_schema_field, extend_schema_view
from rest_framework import mixins, serializers, viewsets
from rest_framework.exceptions import ValidationError

from casebase.api.filters import clean
from casebase.api.views import Pagination
from casebase.commitments import querying
from casebase.commitments.models import ReportingCycle, SelfAssessment, Statement
from casebase.core.siteurl import site_url


class CycleSerializer(serializers.ModelSerializer):
    edition = serializers.CharField(
        source="edition.slug", help_text="The edition the cycle assessed against."
    )
    public_statements = serializers.IntegerField(
        read_only=True, help_text="Statements of the cycle's published self-assessments."
    )

    class Meta:
        model = ReportingCycle
        fields = ["slug", "title", "edition", "opens_on", "deadline", "is_open", "public_statements"]


class CommitmentSerializer(serializers.ModelSerializer):
    cycle = serializers.CharField(source="assessment.cycle.slug", help_text="Reporting cycle slug.")
    cycle_title = serializers.CharField(source="assessment.cycle.title")
    organization = serializers.CharField(
        source="assessment.organization.slug", help_text="Organization slug."
    )
    organization_name = serializers.CharField(source="assessment.organization.name")
    recommendation = serializers.CharField(
        source="recommendation.key", help_text="Stable recommendation key, the same across editions."
    )
    recommendation_label = serializers.CharField(source="recommendation.reader_label")
    status = serializers.ChoiceField(Statement.Status.choices, help_text="The organization's own status.")
    status_label = serializers.CharField(source="get_status_display")
    justification = serializers.CharField(help_text="The organization's own words.")
    planned_measure = serializers.CharField()
    planned_by = serializers.DateField(allow_null=True, help_text="When the planned measure is due.")
    evidence_cases = serializers.SerializerMethodField(
        help_text="Addresses of the published case studies the statement cites."
    )
    voice = serializers.SerializerMethodField(
        help_text="Always supporter: the organization's statement about itself, not verified by Casebase."
    )
    backed_by_confirmed_evidence = serializers.BooleanField(
        source="is_backed",
        help_text="Whether a cited published case has a confirmed or corroborated coding applying the "
        "recommendation (what evidence=confirmed counts).",
    )
    published_at = serializers.DateTimeField(source="assessment.published_at", allow_null=True)

    class Meta:
        model = Statement
        fields = [
            "cycle", "cycle_title", "organization", "organization_name", "recommendation",
            "recommendation_label", "status", "status_label", "justification", "planned_measure",
            "planned_by", "evidence_cases", "voice", "backed_by_confirmed_evidence", "published_at",
        ]  # fmt: skip

    @extend_schema_field({"type": "array", "items": {"type": "string", "format": "uri"}})
    def get_evidence_cases(self, statement) -> list[str]:
        base = site_url()
        return [base + case.get_absolute_url() for case in statement.public_cases]

    @extend_schema_field(OpenApiTypes.STR)
    def get_voice(self, statement) -> str:
        return querying.VOICE.value


def _param(name: str, text: str, **kw) -> OpenApiParameter:
    return OpenApiParameter(name, OpenApiTypes.STR, OpenApiParameter.QUERY, description=text, **kw)


COMMITMENT_PARAMETERS = [
    _param(
        "recommendation", "Recommendation key, e.g. builders-2 (statements in every edition that has it)."
    ),
    _param("organization", "Organization slug."),
    _param("cycle", "Reporting cycle slug."),
    _param("status", "One status; anything else is refused with 400.", enum=list(querying.STATUS_VALUES)),
    _param(
        "evidence",
        "all (default): every published statement, each the organization's own words; confirmed: only those "
        "citing a published case whose confirmed or corroborated coding applies the recommendation.",
        enum=["all", "confirmed"],
    ),
]


class ListOnly(mixins.ListModelMixin, viewsets.GenericViewSet):
    """A list without a detail view: a statement is named by its cycle, organization and key."""


@extend_schema_view(list=extend_schema(summary="Reporting cycles of the Framework's yearly review"))
class CycleViewSet(ListOnly):
    serializer_class = CycleSerializer
    pagination_class = Pagination

    def get_queryset(self):
        published = Q(
            assessments__status=SelfAssessment.Status.PUBLISHED,
            assessments__statements__status__in=querying.STATUS_VALUES,
        )
        return (
            ReportingCycle.objects.select_related("edition")
            .annotate(public_statements=Count("assessments__statements", filter=published))
            .order_by("opens_on", "pk")
        )


@extend_schema_view(
    list=extend_schema(
        summary="Supporters' published statements (self-reported status per recommendation and cycle)",
        parameters=COMMITMENT_PARAMETERS,
    )
)
class CommitmentViewSet(ListOnly):
    serializer_class = CommitmentSerializer
    pagination_class = Pagination

    def get_queryset(self):
        params = self.request.query_params
        try:
            statements = querying.filtered(
                querying.public_statements(),
                recommendation=clean(params.get("recommendation")),
                organization=clean(params.get("organization")),
                cycle=clean(params.get("cycle")),
                status=clean(params.get("status")),
            )
        except querying.BadFilter as problem:
            raise ValidationError({"status": [str(problem)]}) from problem
        return querying.counted(statements, clean(params.get("evidence")))
