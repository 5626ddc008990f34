from django.db.models import Count
from django.http import Http404
from django.shortcuts import get_object_or_404, render
from django.urls import reverse

from casebase.cases import facetindex
from casebase.cases.models import Application, CaseStudy
from casebase.framework.models import Edition, Principle, Recommendation, StakeholderRole


def edition(request, slug=None):
    """An edition's sections and recommendations; the current edition at /framework/."""
    if slug is None:
        shown = Edition.objects.current()
        if shown is None:
            raise Http404("No edition of the Framework has been loaded.")
    else:
        shown = get_object_or_404(Edition, slug=slug)
    recommendations = list(
        shown.recommendations.select_related("section")
        .prefetch_related("principles", "roles")
        .order_by("section__order", "order", "key")
    )
    index = facetindex.current()
    for rec in recommendations:
        # Published cases applying the key, in any edition.
        rec.case_count = index.count("rec", rec.key)
    by_section: dict[int, list] = {}
    for rec in recommendations:
        by_section.setdefault(rec.section_id, []).append(rec)
    sections = list(shown.sections.order_by("order"))
    for section in sections:
        section.recs = by_section.get(section.pk, [])
        section.subsections = [s for s in sections if s.parent_id == section.pk]
    return render(
        request,
        "framework/edition.html",
        {
            "edition": shown,
            "editions": list(Edition.objects.order_by("-published_on", "slug")),
            "sections": [s for s in sections if s.parent_id is None],
            "principles": list(Principle.objects.all()),
            "roles": list(StakeholderRole.objects.all()),
            "recommendation_count": len(recommendations),
            "crumbs": [("Framework", None)]
            if slug is None
            else [("Framework", reverse("framework:current")), (shown.slug, None)],
        },
    )


SHOWN_PER_GROUP = 20
STATUS_GROUPS = [
    (value, label) for value, label in Application.Status.choices
]  # implemented, partial, considered, not applicable: the order readers see


def recommendation(request, key):
    """One recommendation (current edition first, else the latest that has the key) and its cases."""
    versions = list(
        Recommendation.objects.filter(key=key)
        .select_related("edition", "section__parent")
        .prefetch_related("principles", "roles")
        .order_by("-edition__is_current", "-edition__published_on", "-edition__slug")
    )
    if not versions:
        raise Http404("No recommendation has this key.")
    rec, other_versions = versions[0], versions[1:]
    # Counts by aggregate, and at most SHOWN_PER_GROUP applications per status: with
    # thousands of cases the page would otherwise list them all (megabytes of HTML).
    published = Application.objects.filter(recommendation__key=key, case__status=CaseStudy.Status.PUBLISHED)
    counts = dict(published.order_by().values_list("status").annotate(n=Count("id")))
    groups = []
    for status, label in STATUS_GROUPS:
        # Queried even when the count is 0: the page runs the same queries at any size.
        shown = list(
            published.filter(status=status)
            .select_related("case__organization", "case__cohort", "recommendation__edition")
            .order_by("case__title", "case__slug")[:SHOWN_PER_GROUP]
        )
        groups.append(
            {"status": status, "label": label, "applications": shown, "count": counts.get(status, 0)}
        )
    applying_count = facetindex.current().count("rec", key)
    return render(
        request,
        "framework/recommendation.html",
        {
            "rec": rec,
            "other_versions": other_versions,
            "groups": groups,
            "applying_count": applying_count,
            "total_applications": sum(counts.values()),
            "crumbs": [
                ("Framework", reverse("framework:current")),
                (rec.edition.slug, rec.edition.get_absolute_url()),
                (rec.label, None),
            ],
        },
    )
