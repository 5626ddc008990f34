"""Read helpers shared by the public pages: case counts per recommendation, related cases."""

from django.db.models import Count, F, IntegerField, OuterRef, Prefetch, Subquery, Value
from django.db.models.functions import Coalesce

from casebase.cases.models import APPLYING_STATUSES, Application, CaseStudy, TaggedTopic


def with_case_counts(recommendations):
    """Annotate ``case_count``: published cases applying the recommendation's key (any edition)."""
    counts = (
        Application.objects.filter(
            recommendation__key=OuterRef("key"),
            status__in=APPLYING_STATUSES,
            case__status=CaseStudy.Status.PUBLISHED,
        )
        .order_by()
        .values("recommendation__key")
        .annotate(n=Count("case_id", distinct=True))
        .values("n")
    )
    return recommendations.annotate(case_count=Coalesce(Subquery(counts), Value(0)))


def case_detail_queryset():
    applications = Application.objects.select_related(
        "recommendation__section", "recommendation__edition"
    ).order_by("recommendation__section__order", "recommendation__order", "recommendation__key")
    return CaseStudy.objects.select_related("organization", "cohort", "edition").prefetch_related(
        "roles", "principles", "tags", Prefetch("applications", queryset=applications)
    )


def related_cases(case, limit: int = 5):
    """Published cases sharing recommendations (applied) and topic tags with ``case``, most overlap first.

    Uses the case's prefetched applications and tags; one query (plus the
    listing prefetches) whatever the number of cases.
    """
    rec_keys = sorted(
        {a.recommendation.key for a in case.applications.all() if a.status in APPLYING_STATUSES}
    )
    tag_ids = sorted({t.pk for t in case.tags.all()})
    if not rec_keys and not tag_ids:
        return []
    zero = Value(0, output_field=IntegerField())
    shared_recs = zero
    if rec_keys:
        shared_recs = Coalesce(
            Subquery(
                Application.objects.filter(
                    case_id=OuterRef("pk"), recommendation__key__in=rec_keys, status__in=APPLYING_STATUSES
                )
                .order_by()
                .values("case_id")
                .annotate(n=Count("recommendation__key", distinct=True))
                .values("n"),
                output_field=IntegerField(),
            ),
            zero,
        )
    shared_tags = zero
    if tag_ids:
        shared_tags = Coalesce(
            Subquery(
                TaggedTopic.objects.filter(content_object_id=OuterRef("pk"), tag_id__in=tag_ids)
                .order_by()
                .values("content_object_id")
                .annotate(n=Count("tag_id", distinct=True))
                .values("n"),
                output_field=IntegerField(),
            ),
            zero,
        )
    return list(
        CaseStudy.objects.published()
        .exclude(pk=case.pk)
        .annotate(shared_recs=shared_recs, shared_tags=shared_tags)
        .annotate(overlap=F("shared_recs") + F("shared_tags"))
        .filter(overlap__gt=0)
        .for_listing()
        .order_by("-overlap", "-shared_recs", "-published_on", "title")[:limit]
    )
