"""Read-only representations of the public records."""

from django.conf import settings
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from casebase.analysis.models import Analysis, Finding
from casebase.cases.models import Application, CaseStudy
from casebase.framework.models import Edition, Recommendation, Section
from casebase.organizations.models import Organization


@extend_schema_field(OpenApiTypes.URI)
class SiteUrlField(serializers.Field):
    """The record's page on the site, as an absolute address."""

    def __init__(self, **kwargs):
        super().__init__(source="*", read_only=True, **kwargs)

    def to_representation(self, value):
        return settings.SITE_URL + value.get_absolute_url()


class SlugListField(serializers.ListField):
    """A taggit or many-to-many manager as a list of slugs."""

    child = serializers.CharField()

    def to_representation(self, manager):
        return [item.slug for item in manager.all()]


class EditionSerializer(serializers.ModelSerializer):
    url = SiteUrlField()

    class Meta:
        model = Edition
        fields = ["slug", "title", "published_on", "is_current", "source_url", "url"]


class SectionSerializer(serializers.ModelSerializer):
    edition = serializers.SlugRelatedField(slug_field="slug", read_only=True)
    parent = serializers.SlugRelatedField(slug_field="key", read_only=True)

    class Meta:
        model = Section
        fields = ["id", "edition", "key", "parent", "order", "title", "short_title", "description"]


class RecommendationSerializer(serializers.ModelSerializer):
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
            "principles", "roles", "previous", "verification", "verification_note", "source_url", "url",
        ]  # fmt: skip


class OrganizationSerializer(serializers.ModelSerializer):
    roles = SlugListField(read_only=True)
    url = SiteUrlField()

    class Meta:
        model = Organization
        fields = [
            "slug", "name", "kind", "kind_detail", "roles", "roles_confidence", "is_supporter", "joined_on",
            "joined_label", "website", "verification", "url",
        ]  # fmt: skip


class ApplicationSerializer(serializers.ModelSerializer):
    recommendation = serializers.SlugRelatedField(slug_field="key", read_only=True)

    class Meta:
        model = Application
        fields = ["recommendation", "status", "justification", "excerpt", "asserted_by", "confidence"]


class OrganizationRefSerializer(serializers.ModelSerializer):
    class Meta:
        model = Organization
        fields = ["slug", "name", "kind"]


class CaseSerializer(serializers.ModelSerializer):
    organization = OrganizationRefSerializer(read_only=True)
    cohort = serializers.SlugRelatedField(slug_field="slug", read_only=True)
    edition = serializers.SlugRelatedField(slug_field="slug", read_only=True)
    roles = SlugListField(read_only=True)
    principles = SlugListField(read_only=True)
    tags = serializers.SerializerMethodField()
    applications = ApplicationSerializer(many=True, read_only=True)
    url = SiteUrlField()

    class Meta:
        model = CaseStudy
        fields = [
            "slug", "title", "organization", "cohort", "published_on", "edition", "completeness",
            "framing_question", "takeaways", "summary", "summary_confidence", "verification",
            "source_url", "source_url_confidence", "modalities", "disclosure_types", "roles",
            "principles", "tags", "applications", "url",
        ]  # fmt: skip

    def get_tags(self, case) -> list[str]:
        return [tag.name for tag in case.tags.all()]


class CaseDetailSerializer(CaseSerializer):
    class Meta(CaseSerializer.Meta):
        fields = CaseSerializer.Meta.fields + ["sections"]


class FindingSerializer(serializers.ModelSerializer):
    cases = serializers.SlugRelatedField(slug_field="slug", many=True, read_only=True)
    recommendations = serializers.SlugRelatedField(slug_field="key", many=True, read_only=True)

    class Meta:
        model = Finding
        fields = [
            "order",
            "title",
            "body",
            "confidence",
            "is_pai_wording",
            "draws_on_note",
            "cases",
            "recommendations",
        ]


class AnalysisSerializer(serializers.ModelSerializer):
    findings = FindingSerializer(many=True, read_only=True)
    url = SiteUrlField()

    class Meta:
        model = Analysis
        fields = [
            "slug", "title", "author", "summary", "body", "published_on", "date_label", "source_url",
            "confidence", "findings", "url",
        ]  # fmt: skip
