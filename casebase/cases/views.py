from urllib.parse import quote as urlquote

from django.core.paginator import EmptyPage, Paginator
from django.http import Http404
from django.shortcuts import get_object_or_404, render
from django.urls import reverse

from casebase.cases import exports, search
from casebase.cases.filters import CaseFilter
from casebase.cases.models import CaseStudy, Collection, attach_tags
from casebase.cases.querysets import (
    case_detail_queryset,
    case_sources,
    codings_by_recommendation,
    related_cases,
)
from casebase.core.params import clean_keys, values_of
from casebase.core.templatetags import fragments
from casebase.framework.crosswalk import later_versions

PAGE_SIZE = 20
COMPARE_LIMIT = 4  # the compare page shows at most four cases side by side
FORMATS = ("csv", "json")


def case_list(request):
    fmt = request.GET.get("format", "")
    if fmt not in ("", "html", *FORMATS):
        return render(
            request,
            "cases/bad_request.html",
            {"problem": f"Unknown format “{fmt[:40]}”. Use format=csv or format=json, or leave it out."},
            status=400,
        )
    comparing, dropped = compare_selection(request.GET)
    case_filter = CaseFilter(
        request.GET, carry=[("compare", case.slug) for case in comparing], viewer=request.user
    )
    if fmt in FORMATS:
        return exports.cases_response(request, case_filter, fmt)

    # Only the page's cases are read from the database. First, so that the search's
    # own notice ("did you mean") comes with the others.
    cases = case_filter.cases(tags=False)  # read for the cards not yet rendered (with_card_tags)
    status, notices = 200, list(case_filter.messages)
    if dropped:
        notices.append(
            f"No published case is called {', '.join(f'“{slug[:40]}”' for slug in dropped)}; "
            "it was left out of the comparison."
        )
    raw_page = request.GET.get("page", "1")
    try:
        number = int(raw_page)
        if number < 1:
            raise ValueError
    except ValueError:
        notices.append(f"“{raw_page[:20]}” is not a page number; showing the first page.")
        number, status = 1, 400

    paginator = Paginator(cases, PAGE_SIZE)
    try:
        page = paginator.page(number)
    except EmptyPage:
        notices.append(
            f"There is no page {number}: these results have {paginator.num_pages} "
            f"page{'s' if paginator.num_pages != 1 else ''}."
        )
        page, status = None, 404
    shown = with_card_tags(request, with_snippets(page.object_list, case_filter.q)) if page else []
    base = case_filter.url(carry=False)
    joiner = "&" if base != "?" else ""
    context = {
        "filter": case_filter,
        "facets": case_filter.facets(),
        "page": page,
        "out_of_range": page is None,
        "paginator": paginator,
        "page_range": paginator.get_elided_page_range(page.number, on_each_side=2, on_ends=1) if page else [],
        "cases": shown,
        "notices": notices,
        "page_base": f"{(carried := case_filter.url())}{'&' if carried != '?' else ''}page=",
        "csv_url": f"{base}{joiner}format=csv",
        "json_url": f"{base}{joiner}format=json",
        # The feed of exactly these cases: the same query, always newest first.
        "feed_url": reverse("feed_cases")
        + ("" if (feed := case_filter.url(sort="", carry=False)) == "?" else feed),
        # What a reader follows by email: the same cleaned query as the feed's.
        "follow_query": case_filter.url(sort="", carry=False).lstrip("?"),
        **compare_context(comparing),
        "offer_compare": True,
        "my_collections": reader_collections(request.user),
        "compare_clear": base,
        "crumbs": [("Case studies", None)],
    }
    response = render(request, "cases/list.html", context, status=status)
    fragments.store(request)
    return response


def reader_collections(user) -> list[Collection] | None:
    """A signed-in reader's collections, to save a case into; None for anyone else (no form)."""
    if getattr(user, "reader", None) is None:
        return None
    return list(Collection.objects.filter(owner=user).only("pk", "name"))


def compare_selection(params) -> tuple[list[CaseStudy], list[str]]:
    """The published cases chosen for comparison (``compare``, repeatable, at most
    COMPARE_LIMIT), in the order chosen; and the values that name none."""
    slugs, _ = clean_keys(values_of(params, "compare"), limit=COMPARE_LIMIT)
    if not slugs:
        return [], []
    found = CaseStudy.objects.published().select_related("organization").in_bulk(slugs, field_name="slug")
    return [found[s] for s in slugs if s in found], [s for s in slugs if s not in found]


def compare_context(comparing: list[CaseStudy]) -> dict:
    """What a page needs to offer "Add to comparison" without JavaScript: the selection so far,
    as the compare page's query (``case=``) and as this page's own (``compare=``)."""
    return {
        "comparing": comparing,
        "comparing_full": len(comparing) >= COMPARE_LIMIT,
        "compare_room": COMPARE_LIMIT - len(comparing),
        "compare_cases": "".join(f"case={urlquote(c.slug)}&" for c in comparing),
        "compare_query": "?" + "&".join(f"compare={urlquote(c.slug)}" for c in comparing)
        if comparing
        else "",
    }


def with_snippets(cases: list, q: str) -> list:
    """The listed cases, each with its search snippet when searching (one query for the page)."""
    if not q or not cases:
        return cases
    sources = search.snippet_sources(CaseStudy.objects.filter(pk__in=[c.pk for c in cases]), q)
    for case in cases:
        case.snippet_source = sources.get(case.pk, "")
        case.snippet = search.snippet_html(case, q)
    return cases


def with_card_tags(request, cases: list) -> list:
    """Read the listed cases' kept card fragments (their byline, summary and tag chips: the
    "case-*" fragments of cases/partials.html) in one cache round trip, and attach tags only to
    the cases whose chips are not rendered yet: one query per kind of tag for those."""
    wanted = [(name, case.pk) for case in cases for name in ("case-byline", "case-summary", "case-chips")]
    missing = fragments.prefetch(request, wanted)
    attach_tags([case for case in cases if ("case-chips", case.pk) in missing])
    return cases


def case_detail(request, slug):
    case = get_object_or_404(case_detail_queryset(), slug=slug)
    is_staff = request.user.is_authenticated and request.user.is_staff
    if not case.is_published and not is_staff:
        raise Http404("No published case has this address.")
    codings = codings_by_recommendation(case)
    later = later_versions([group.recommendation for group in codings])
    for group in codings:
        group.later = later.get(group.recommendation.pk)
    roles = [link for link in case.role_links.all() if link.provenance().is_shown]
    principles = [link for link in case.principle_links.all() if link.provenance().is_shown]
    sources, unsourced = case_sources(case, codings, roles, principles)
    comparing, _ = compare_selection(request.GET)
    return render(
        request,
        "cases/detail.html",
        {
            "case": case,
            "my_collections": reader_collections(request.user) if case.is_published else None,
            "codings": codings,
            "applying_count": sum(any(c.is_applying for c in group.codings) for group in codings),
            "roles": roles,
            "principles": principles,
            # A refuted credit (withdrawn on a correction) is kept for staff, never shown.
            "co_authors": [
                c
                for c in case.credits.all()
                if c.organization_id != case.organization_id and c.provenance().is_shown
            ],
            "sources": sources,
            "unsourced": unsourced,
            # Staff see what was refuted, and what refuted it; readers never do.
            "refuted": {
                "fields": case.refuted(),
                "codings": codings_by_recommendation(case, refuted=True),
                "links": [
                    link
                    for link in [*case.role_links.all(), *case.principle_links.all()]
                    if not link.provenance().is_shown
                ],
            }
            if is_staff
            else None,
            "related": related_cases(case),
            **compare_context(comparing),
            "crumbs": [("Case studies", reverse("cases:list")), (case.title, None)],
        },
    )
