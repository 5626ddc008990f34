"""Read-only representations of the public records, each fact with its provenance.

Every record carries ``provenance`` (where it comes from, how sure Casebase is,
whose voice it is) and ``facts``: the provenance of each of its fields that
differs. Dates come at the precision they are known ("2024-03"). Facts that are
records of their own (codings, role and principle tags, credits) each carry
theirs; refuted ones are never served, and with ``evidence=confirmed`` only
confirmed or corroborated ones are.
"""

from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from casebase.analysis.models import Analysis, Finding
from casebase.cases.models import Application, CaseStudy
from casebase.core.dates import as_iso
from casebase.core.evidence import Evidence, Grade, Voice
from casebase.core.siteurl import site_url
from casebase.framework.models import Edition, Recommendation, Section
from casebase.organizations.models import Organization


class ProvenanceSerializer(serializers.Serializer):
    grade = serializers.ChoiceField(Grade.choices, help_text="How sure Casebase is of the fact.")
    voice = serializers.ChoiceField(Voice.choices, help_text="Who asserts it.")
    source_url = serializers.CharField(help_text="Where it was found ('' when no source states it).")
    checked_on = serializers.DateField(allow_null=True, help_text="When it was last checked there.")
    locator = serializers.CharField(help_text="A short quote, or where in the source it stands.")
    note = serializers.CharField()


class SourcedSerializer(serializers.ModelSerializer):
    """A record with its provenance and the provenance of each of its facts."""

    provenance = serializers.SerializerMethodField()
    facts = serializers.SerializerMethodField()

    @extend_schema_field(ProvenanceSerializer)
    def get_provenance(self, record) -> dict:
        return record.provenance().as_json()

    @extend_schema_field(
        {"type": "object", "additionalProperties": {"$ref": "#/components/schemas/Provenance"}}
    )
    def get_facts(self, record) -> dict:
        return {fact.field: fact.provenance.as_json() for fact in record.facts()}


@extend_schema_field(
    {
        "type": "string",
        "nullable": True,
        "pattern": r"^\d{4}(-\d{2}(-\d{2})?)?$",
        "description": "A date at the precision it is known: YYYY-MM-DD, YYYY-MM or YYYY; null if not known.",
    }
)
class PreciseDateField(serializers.Field):
    """A date at the precision it is known: YYYY-MM-DD, YYYY-MM or YYYY."""

    def __init__(self, field: str, **kwargs):
        self.date_field = field
        super().__init__(source="*", read_only=True, **kwargs)

    def to_representation(self, record):
        date = getattr(record, self.date_field)
        precision = getattr(record, self.date_field.removesuffix("_on") + "_precision")
        return as_iso(date, precision) or None


def evidence_grades(context) -> frozenset:
    request = context.get("request")
    return Evidence.grades(Evidence.of(request.query_params.get("evidence") if request else ""))


@extend_schema_field(OpenApiTypes.URI)
class SiteUrlField(serializers.Field):
    """The record's page on the site, as an absolute address."""

    def __init__(self, **kwargs):
        super().__init__(source="*", read_only=True, **kwargs)

    def to_representation(self, value):
        return site_url() + value.get_absolute_url()


class SlugListField(serializers.ListField):
    """A taggit or many-to-many manager as a list of slugs."""

    child = serializers.CharField()

    def to_representation(self, manager):
        return [item.slug for item in manager.all()]


class EditionSerializer(SourcedSerializer):
    url = SiteUrlField()
    published_on = extend_schema_field(OpenApiTypes.STR)(PreciseDateField("published_on"))

    class Meta:
        model = Edition
        fields = [
            "slug", "title", "published_on", "is_current", "practice_count", "practice_count_is_minimum",
            "provenance", "facts", "url",
        ]  # fmt: skip


class SectionSerializer(serializers.ModelSerializer):
    edition = serializers.SlugRelatedField(slug_field="slug", read_only=True)
    parent = serializers.SlugRelatedField(slug_field="key", read_only=True)

    class Meta:
        model = Section
        fields = ["id", "edition", "key", "parent", "order", "title", "short_title", "description"]


class RecommendationSerializer(SourcedSerializer):
    edition = serializers.SlugRelatedField(slug_field="slug", read_only=True)
    section = serializers.SlugRelatedField(slug_field="key", read_only=True)
    principles = SlugListField(read_only=True)
    roles = SlugListField(read_only=True)
    previous = serializers.SlugRelatedField(slug_field="key", read_only=True)
    url = SiteUrlField()

    class Meta:
        model = Recommendation
        fields = [
            "key", "edition", "section", "official_number", "label", "order", "title", "text",
            "principles", "roles", "previous", "provenance", "facts", "url",
        ]  # fmt: skip


class OrganizationSerializer(SourcedSerializer):
    roles = SlugListField(read_only=True)
    joined_on = extend_schema_field(OpenApiTypes.STR)(PreciseDateField("joined_on"))
    url = SiteUrlField()

    class Meta:
        model = Organization
        fields = [
            "slug", "name", "kind", "kind_detail", "roles", "is_supporter", "joined_on", "joined_label",
            "website", "provenance", "facts", "url",
        ]  # fmt: skip


class ApplicationSerializer(serializers.ModelSerializer):
    """A coding: how the case relates to the recommendation, according to one voice."""

    recommendation = serializers.SlugRelatedField(slug_field="key", read_only=True)
    provenance = serializers.SerializerMethodField()

    class Meta:
        model = Application
        fields = ["recommendation", "status", "voice", "grade", "justification", "excerpt", "provenance"]

    @extend_schema_field(ProvenanceSerializer)
    def get_provenance(self, application) -> dict:
        return application.provenance().as_json()


class ClaimSerializer(serializers.Serializer):
    """A role or principle on a case, or an organization credited with it, with its provenance."""

    slug = serializers.CharField()
    grade = serializers.ChoiceField(Grade.choices)
    voice = serializers.ChoiceField(Voice.choices)
    source_url = serializers.CharField()


class OrganizationRefSerializer(serializers.ModelSerializer):
    class Meta:
        model = Organization
        fields = ["slug", "name", "kind"]


def _claims(links, grades, slug) -> list[dict]:
    out = []
    for link in links:
        provenance = link.provenance()
        if provenance.grade in grades:
            out.append({"slug": slug(link), "grade": provenance.grade, "voice": provenance.voice,
                        "source_url": provenance.source_url})  # fmt: skip
    return out


class CaseSerializer(SourcedSerializer):
    organization = OrganizationRefSerializer(read_only=True)
    credits = serializers.SerializerMethodField(
        help_text="Organizations credited with the case (the lead included)."
    )
    cohort = serializers.SlugRelatedField(slug_field="slug", read_only=True)
    edition = serializers.SlugRelatedField(slug_field="slug", read_only=True)
    published_on = extend_schema_field(OpenApiTypes.STR)(PreciseDateField("published_on"))
    roles = serializers.SerializerMethodField()
    principles = serializers.SerializerMethodField()
    tags = serializers.SerializerMethodField()
    applications = serializers.SerializerMethodField()
    url = SiteUrlField()

    class Meta:
        model = CaseStudy
        fields = [
            "slug", "title", "organization", "credits", "authors", "cohort", "published_on", "edition",
            "completeness", "framing_question", "takeaways", "summary", "official_url", "modalities",
            "disclosure_types", "roles", "principles", "tags", "applications", "provenance", "facts", "url",
        ]  # fmt: skip

    def get_tags(self, case) -> list[str]:
        return [tag.name for tag in case.tags.all()]

    @extend_schema_field(ClaimSerializer(many=True))
    def get_roles(self, case) -> list[dict]:
        return _claims(case.role_links.all(), evidence_grades(self.context), lambda link: link.tag.slug)

    @extend_schema_field(ClaimSerializer(many=True))
    def get_principles(self, case) -> list[dict]:
        return _claims(case.principle_links.all(), evidence_grades(self.context), lambda link: link.tag.slug)

    @extend_schema_field(ClaimSerializer(many=True))
    def get_credits(self, case) -> list[dict]:
        return _claims(
            case.credits.all(), evidence_grades(self.context), lambda credit: credit.organization.slug
        )

    @extend_schema_field(ApplicationSerializer(many=True))
    def get_applications(self, case) -> list[dict]:
        grades = evidence_grades(self.context)
        shown = [a for a in case.applications.all() if a.grade in grades]
        return ApplicationSerializer(shown, many=True, context=self.context).data


class CaseDetailSerializer(CaseSerializer):
    class Meta(CaseSerializer.Meta):
        fields = CaseSerializer.Meta.fields + ["sections"]


class FindingSerializer(SourcedSerializer):
    cases = serializers.SlugRelatedField(slug_field="slug", many=True, read_only=True)
    recommendations = serializers.SlugRelatedField(slug_field="key", many=True, read_only=True)

    class Meta:
        model = Finding
        fields = [
            "order",
            "title",
            "body",
            "draws_on_note",
            "cases",
            "recommendations",
            "provenance",
            "facts",
        ]


class AnalysisSerializer(SourcedSerializer):
    findings = FindingSerializer(many=True, read_only=True)
    published_on = extend_schema_field(OpenApiTypes.STR)(PreciseDateField("published_on"))
    url = SiteUrlField()

    class Meta:
        model = Analysis
        fields = [
            "slug", "title", "author", "summary", "body", "published_on", "findings", "provenance", "facts", "url",
        ]  # fmt: skip
