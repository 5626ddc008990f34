"""Public pages that join several apps: the home page, the Framework's pages, the organizations.

Counts of cases come from the one filter engine (casebase.cases.filters), so
every number here is the number of cases its link lists, under the reader's
evidence setting (``?evidence=confirmed`` counts confirmed facts only).
"""

from django.db.models import Count
from django.http import Http404
from django.shortcuts import get_object_or_404, render
from django.urls import reverse

from casebase.cases.filters import CaseFilter
from casebase.cases.models import Application
from casebase.cases.views import with_card_tags
from casebase.commitments import querying as commitments
from casebase.core.evidence import FACT_GRADES, Evidence
from casebase.core.templatetags import fragments
from casebase.framework.crosswalk import later_versions
from casebase.framework.models import Edition, Principle, Recommendation, StakeholderRole
from casebase.framework.rules import related_rules
from casebase.organizations.models import Organization

LATEST_ON_HOME = 6
CASES_SHOWN = 24  # on an organization's page; the case list (?org=) pages through them all
SHOWN_PER_GROUP = 20  # applications per status on a recommendation's page


def home(request):
    edition = Edition.objects.current()
    sections = []
    if edition:
        # A top-level section counts its own recommendations and its channels'
        # (the distributor practices for first- and third-party channels).
        sections = (
            edition.sections.filter(parent__isnull=True)
            .annotate(
                rec_count=Count("recommendations", distinct=True)
                + Count("children__recommendations", distinct=True)
            )
            .order_by("order")
        )
    everything = CaseFilter({})
    index = everything.index
    split = everything.lens.coding_grades(index.rec_keys, index.everything)
    stats = {
        "cases": everything.count,
        # A case's organizations are its credits: a speculative one counts only with unconfirmed evidence.
        "organizations": sum(1 for mask in index.masks[Evidence.ALL]["org"].values() if mask),
        "organizations_confirmed": sum(1 for mask in index.masks[Evidence.CONFIRMED]["org"].values() if mask),
        "codings": sum(split.values()),
        "codings_confirmed": sum(n for grade, n in split.items() if grade in FACT_GRADES),
        "codings_unconfirmed": sum(n for grade, n in split.items() if grade not in FACT_GRADES),
        "supporters": Organization.objects.supporters().count(),
        "recommendations": edition.recommendations.count() if edition else 0,
    }
    return render(
        request,
        "pages/home.html",
        {
            "edition": edition,
            "sections": sections,
            "latest": everything.cases()[:LATEST_ON_HOME],
            "stats": stats,
        },
    )


def edition(request, slug=None):
    """An edition's sections and recommendations; the current edition at /framework/."""
    if slug is None:
        shown = Edition.objects.current()
        if shown is None:
            raise Http404("No edition of the Framework has been loaded.")
    else:
        shown = get_object_or_404(Edition.objects.public(), slug=slug)
    recommendations = list(
        shown.recommendations.select_related("section")
        .prefetch_related("principles", "roles")
        .order_by("section__order", "order", "key")
    )
    reading = CaseFilter(request.GET, only=())
    for rec in recommendations:
        # Published cases applying the key, in any edition: what ?rec=<key> lists.
        rec.case_count = reading.lens.count("rec", rec.key)
    by_section: dict[int, list] = {}
    for rec in recommendations:
        by_section.setdefault(rec.section_id, []).append(rec)
    sections = list(shown.sections.order_by("order"))
    for section in sections:
        section.recs = by_section.get(section.pk, [])
        section.subsections = [s for s in sections if s.parent_id == section.pk]
    return render(
        request,
        "pages/edition.html",
        {
            "edition": shown,
            "editions": list(Edition.objects.public().order_by("-published_on", "slug")),
            "sections": [s for s in sections if s.parent_id is None],
            "principles": list(Principle.objects.all()),
            "roles": list(StakeholderRole.objects.all()),
            "recommendation_count": len(recommendations),
            "reading": reading,
            "crumbs": [("Framework", None)]
            if slug is None
            else [("Framework", reverse("framework:current")), (shown.slug, None)],
        },
    )


def recommendation(request, key):
    """One recommendation (current edition first, else the latest that has the key) and its cases."""
    versions = list(
        Recommendation.objects.public()
        .filter(key=key)
        .select_related("edition", "section__parent")
        .prefetch_related("principles", "roles")
        .order_by("-edition__is_current", "-edition__published_on", "-edition__slug")
    )
    if not versions:
        raise Http404("No recommendation has this key.")
    rec, other_versions = versions[0], versions[1:]
    reading = CaseFilter(request.GET, only=())
    index, lens = reading.index, reading.lens
    # Each status's cases, across the editions that have the key; at most SHOWN_PER_GROUP
    # of each are listed (with thousands of cases the page would be megabytes), read in one query.
    masks = {}
    for status, _ in Application.Status.choices:
        masks[status] = 0
        for version in versions:
            masks[status] |= lens.with_status(version.pk, status)
    shown = {
        status: [index.ids[p] for p in index.positions(mask, "title", limit=SHOWN_PER_GROUP)]
        for status, mask in masks.items()
    }
    # One entry per case, holding its codings of that status (several voices may agree).
    by_status: dict[str, dict[int, dict]] = {status: {} for status in masks}
    codings = (
        Application.objects.of_published_cases()
        .filter(grade__in=lens.grades, recommendation__in=versions)
        .filter(case_id__in=[i for ids in shown.values() for i in ids])
        .select_related("case__organization", "case__cohort", "recommendation__edition")
        .order_by("case__title", "case__slug", "voice")
    )
    if reading.voices:
        codings = codings.filter(voice__in=reading.voices)
    for application in codings:
        if application.case_id in shown[application.status]:
            entry = by_status[application.status].setdefault(
                application.case_id, {"case": application.case, "codings": []}
            )
            entry["codings"].append(application)
    groups = [
        {
            "status": status,
            "label": label,
            "entries": list(by_status[status].values()),
            "count": masks[status].bit_count(),
        }
        for status, label in Application.Status.choices
    ]
    return render(
        request,
        "pages/recommendation.html",
        {
            "rec": rec,
            # Where it went in the current edition, when the current one dropped its key.
            "later": later_versions([rec]).get(rec.pk),
            "other_versions": other_versions,
            "groups": groups,
            "applying_count": lens.count("rec", key),
            "reading": reading,
            "total_applications": sum(group["count"] for group in groups),
            "commitments": commitments.recommendation_commitments(rec.key, evidence=reading.evidence),
            "related_rules": related_rules(rec.key, reading.evidence),
            "crumbs": [
                ("Framework", reverse("framework:current")),
                (rec.edition.slug, rec.edition.get_absolute_url()),
                (rec.reader_label, None),
            ],
        },
    )


def organization_list(request):
    reading = CaseFilter(request.GET, only=())
    organizations = list(Organization.objects.prefetch_related("roles").order_by("name"))
    for organization in organizations:
        organization.case_count = reading.lens.count("org", organization.slug)
        organization.confirmed_count = reading.index.lens(Evidence.CONFIRMED).count("org", organization.slug)
    return render(
        request,
        "pages/organization_list.html",
        {
            "supporters": [o for o in organizations if o.is_supporter],
            "others": [o for o in organizations if not o.is_supporter],
            "reading": reading,
            "crumbs": [("Organizations", None)],
        },
    )


def organization_detail(request, slug):
    organization = get_object_or_404(Organization.objects.prefetch_related("roles"), slug=slug)
    published = CaseFilter({"org": [organization.slug], "evidence": request.GET.getlist("evidence")})
    response = render(
        request,
        "pages/organization_detail.html",
        {
            "organization": organization,
            # The most recent few; the case list (?org=) pages through them all.
            "cases": with_card_tags(request, published.cases(tags=False)[:CASES_SHOWN]),
            "case_count": published.count,
            "commitments": commitments.organization_commitments(organization, evidence=published.evidence),
            "reading": published,
            "crumbs": [("Organizations", reverse("organizations:list")), (organization.name, None)],
        },
    )
    fragments.store(request)
    return response
