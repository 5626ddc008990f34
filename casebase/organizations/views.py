from django.db.models import Count, Q
from django.shortcuts import get_object_or_404, render
from django.urls import reverse

from casebase.cases.models import CaseStudy
from casebase.organizations.models import Organization

CASES_SHOWN = 24
PUBLISHED = Q(cases__status=CaseStudy.Status.PUBLISHED)


def organization_list(request):
    organizations = list(
        Organization.objects.annotate(case_count=Count("cases", filter=PUBLISHED))
        .prefetch_related("roles")
        .order_by("name")
    )
    return render(
        request,
        "organizations/list.html",
        {
            "supporters": [o for o in organizations if o.is_supporter],
            "others": [o for o in organizations if not o.is_supporter],
            "crumbs": [("Organizations", None)],
        },
    )


def organization_detail(request, slug):
    organization = get_object_or_404(Organization.objects.prefetch_related("roles"), slug=slug)
    published = CaseStudy.objects.published().of_organization(organization)
    # The most recent few; the case list (?org=) pages through them all.
    cases = list(published.for_listing()[:CASES_SHOWN])
    return render(
        request,
        "organizations/detail.html",
        {
            "organization": organization,
            "cases": cases,
            "case_count": published.count(),
            "crumbs": [("Organizations", reverse("organizations:list")), (organization.name, None)],
        },
    )
