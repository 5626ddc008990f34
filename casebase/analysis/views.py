"""Cross-case analysis pages. Each works without JavaScript; each chart comes with a table."""

from urllib.parse import urlencode

from django.http import Http404, HttpResponse
from django.shortcuts import get_object_or_404, render
from django.urls import reverse
from django.utils.text import slugify
from django.views.decorators.http import require_GET

from casebase.analysis import aggregates, agreement, charts, citations
from casebase.analysis.aggregates import clean_params
from casebase.analysis.models import Analysis
from casebase.cases import exports
from casebase.cases.filters import CaseFilter
from casebase.cases.models import Application, CaseStudy, Cohort
from casebase.cases.views import reader_collections
from casebase.core.evidence import Evidence, Voice, precedence
from casebase.framework.models import Edition, Principle, StakeholderRole

# The filters each page offers, with the evidence control (edition is not a /cases/
# parameter: it picks the rows).
# ``collection``: a public collection's cases (the filter engine reads it).
PAGE_FILTERS = ("role", "principle", "cohort", "evidence", "voice", "collection")
PICKER_LIMIT = 300

CHARTS = {
    "recommendation-role": lambda p, e: aggregates.recommendation_role_chart(p, e),
    "principle-role": lambda p, e: aggregates.principle_role_chart(p),
    "principle-cohort": lambda p, e: aggregates.principle_cohort_chart(p),
    "role-cohort": lambda p, e: aggregates.role_cohort_chart(p),
    "recommendation-cohort": lambda p, e: aggregates.recommendation_cohort_chart(p, e),
    "cohort-totals": lambda p, e: aggregates.cohort_totals_chart(p),
    "cooccurrence": lambda p, e: aggregates.cooccurrence_chart(p, e),
}


def _checked(request) -> tuple[dict[str, list[str]], list[str]]:
    """The page's filter values that match something, and what was said of the rest.

    Values nothing matches are dropped, as /cases/ drops them, so that a page never says
    it counts "cohort 1999" while counting every cohort; the messages say so instead.
    """
    params = {k: v for k, v in clean_params(request.GET).items() if k in PAGE_FILTERS}
    checked = CaseFilter(params, only=PAGE_FILTERS)
    known = {k: [x for x in v if x not in checked.unknown.get(k, ())] for k, v in params.items()}
    return {k: v for k, v in known.items() if v}, checked.messages


def _filters(request):
    """The page's filter values (only role, principle, cohort) and the chosen edition."""
    edition = aggregates.choose_edition(request.GET.get("edition"))
    return _checked(request)[0], edition


def _filter_context(params, edition, *, with_edition=True, request=None):
    return {
        "notices": _checked(request)[1] if request is not None else [],
        "params": {k: v for k, v in params.items() if k not in ("evidence", "voice")},
        "edition": edition,
        "filter_choices": {
            "role": StakeholderRole.objects.values_list("slug", "name"),
            "principle": Principle.objects.values_list("slug", "name"),
            "cohort": Cohort.objects.values_list("slug", "name"),
            "evidence": Evidence.choices,
            "voice": Voice.choices,
        },
        "editions": Edition.objects.public().values_list("slug", "title") if with_edition else None,
        "selected": {k: (v[0] if v else "") for k, v in params.items()},
        "query_string": _query_string(params, edition),
        "split": aggregates.evidence_split(params, edition),
        "other_evidence_url": "?" + _query_string(_toggle_evidence(params), edition),
    }


def _toggle_evidence(params) -> dict:
    """The same view under the other evidence setting."""
    other = {k: v for k, v in params.items() if k != "evidence"}
    if params.get("evidence") != [Evidence.CONFIRMED]:
        other["evidence"] = [Evidence.CONFIRMED]
    return other


def _query_string(params, edition) -> str:
    pairs = [(k, v) for k, values in params.items() for v in values]
    if edition and not edition.is_current:
        pairs.append(("edition", edition.slug))
    return urlencode(pairs)


def _view_title(base: str, params) -> str:
    parts = [f"{k} {v}" for k, values in params.items() for v in values if k not in ("evidence", "voice")]
    if params.get("evidence") == [Evidence.CONFIRMED]:
        parts.append("confirmed evidence only")
    parts += [f"{Voice(v).label.lower()} only" for v in params.get("voice", [])]
    return f"{base} ({', '.join(parts)})" if parts else base


@require_GET
def index(request):
    analyses = Analysis.objects.published()
    return render(
        request,
        "analysis/index.html",
        {
            "analyses": analyses,
            "case_count": CaseFilter({}).count,
        },
    )


@require_GET
def matrix(request):
    params, edition = _filters(request)
    try:
        page = int(request.GET.get("page", "1"))
    except ValueError:
        page = 1
    m = aggregates.matrix(params, edition, page)
    context = _filter_context(params, edition, request=request) | {
        "m": m,
        "status_choices": Application.Status.choices,
        "view_title": _view_title("Recommendation by case matrix", params),
    }
    return render(request, "analysis/matrix.html", context)


@require_GET
def application(request, case_slug, rec_key):
    """One matrix cell: how a case relates to a recommendation, and why, in every voice that coded it."""
    codings = sorted(
        Application.objects.of_published_cases()
        .shown()
        .select_related("case", "case__organization", "recommendation")
        .filter(case__slug=case_slug, recommendation__key=rec_key),
        key=lambda coding: precedence(coding.grade, coding.voice),
    )
    if not codings:
        raise Http404("No such coding of a published case.")
    return render(request, "analysis/application.html", {"app": codings[0], "codings": codings})


@require_GET
def gaps(request):
    params, edition = _filters(request)
    rec_role = aggregates.recommendation_role_chart(params, edition)
    principle_role = aggregates.principle_role_chart(params)
    context = _filter_context(params, edition, request=request) | {
        "charts": [rec_role, principle_role],
        "gap_count": sum(1 for c in rec_role.cells.values() if c.is_gap),
        "view_title": _view_title("Gap map", params),
    }
    return render(request, "analysis/gaps.html", context)


@require_GET
def crosstabs(request):
    params, edition = _filters(request)
    context = _filter_context(params, edition, request=request) | {
        "charts": [
            aggregates.cohort_totals_chart(params),
            aggregates.principle_role_chart(
                params, slug="principle-role", title="Principle × stakeholder role"
            ),
            aggregates.principle_cohort_chart(params),
            aggregates.role_cohort_chart(params),
            aggregates.recommendation_cohort_chart(params, edition),
        ],
        "view_title": _view_title("Cross-tabs over time", params),
    }
    return render(request, "analysis/crosstabs.html", context)


@require_GET
def cooccurrence(request):
    params, edition = _filters(request)
    chart = aggregates.cooccurrence_chart(params, edition)
    context = _filter_context(params, edition, request=request) | {
        "charts": [chart],
        "pairs": aggregates.top_pairs(chart),
        "view_title": _view_title("Co-occurrence of recommendations", params),
    }
    return render(request, "analysis/cooccurrence.html", context)


@require_GET
def compare(request):
    slugs = []
    for slug in request.GET.getlist("case"):
        slug = slug.strip()
        if aggregates.is_slug(slug) and slug not in slugs:
            slugs.append(slug)
    # Four side by side is what the page can show; "Add to comparison" stops offering at four,
    # but an address may carry more.
    too_many = len(slugs) > 4
    slugs = slugs[:4]
    edition = aggregates.choose_edition(request.GET.get("edition"))
    cases, rows, shared = aggregates.compare(slugs, edition) if slugs else ([], [], 0)
    published = CaseFilter({})
    # A select of every case suits tens of cases; past PICKER_LIMIT the form asks for case
    # addresses (slugs) instead, suggesting the newest cases.
    many = published.count > PICKER_LIMIT
    choices = published.cases(
        CaseStudy.objects.select_related("organization").only("slug", "title", "organization__name"),
        sort="newest" if many else "organization",
        tags=False,
    )[:PICKER_LIMIT]
    return render(
        request,
        "analysis/compare.html",
        {
            "cases": cases,
            "rows": rows,
            "shared": shared,
            "selected": slugs + [""] * (4 - len(slugs)),
            "choices": [(c.slug, c.organization.name, c.title) for c in choices],
            "free_entry": many,
            "too_few": 0 < len(cases) < 2 or (slugs and len(cases) < 2),
            "too_many": too_many,
            # Back to the case list, carrying the selection, to add another case (no JavaScript).
            "add_more_url": reverse("cases:list") + "?" + urlencode([("compare", c.slug) for c in cases])
            if 0 < len(cases) < 4
            else (reverse("cases:list") if not cases else ""),
            "view_title": "Case comparison: " + ", ".join(c.organization.name for c in cases)
            if cases
            else "Case comparison",
        },
    )


@require_GET
def analyses(request):
    items = Analysis.objects.published().prefetch_related("findings")
    return render(request, "analysis/analyses.html", {"analyses": items})


@require_GET
def analysis_detail(request, slug):
    analysis = get_object_or_404(Analysis.objects.published(), slug=slug)
    findings = analysis.findings.prefetch_related("cases__organization", "recommendations")
    return render(
        request,
        "analysis/analysis_detail.html",
        {
            "analysis": analysis,
            "findings": findings,
            "citation": citations.for_analysis(analysis),
            "downloads": reverse("analysis:cite_analysis", args=[analysis.slug, "x"])[:-1],
            "my_collections": reader_collections(request.user),
        },
    )


@require_GET
def chart_download(request, slug, ext):
    builder = CHARTS.get(slug)
    if builder is None or ext not in ("svg", "csv"):
        raise Http404("No such chart.")
    params, edition = _filters(request)
    chart = builder(params, edition)
    name = slugify(f"casebase-{slug}-{_query_string(params, edition)}")[:120]
    if ext == "svg":
        response = HttpResponse(charts.render_chart_svg(chart, standalone=True), content_type="image/svg+xml")
    else:
        response = HttpResponse(charts.chart_csv(chart), content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="{name}.{ext}"'
    return response


@require_GET
def matrix_download(request, ext):
    if ext not in ("svg", "csv"):
        raise Http404("No such format.")
    params, edition = _filters(request)
    if ext == "csv":
        # Every filtered case, not just the page shown: the table for R or pandas.
        return exports.case_recommendation_response(CaseFilter(params), edition)
    try:
        page = int(request.GET.get("page", "1"))
    except ValueError:
        page = 1
    m = aggregates.matrix(params, edition, page)
    response = HttpResponse(charts.render_matrix_svg(m, standalone=True), content_type="image/svg+xml")
    response["Content-Disposition"] = 'attachment; filename="casebase-matrix.svg"'
    return response


def _citation_response(citation, ext):
    if ext not in citations.FORMATS:
        raise Http404("No such citation format.")
    method, content_type = citations.FORMATS[ext]
    response = HttpResponse(getattr(citation, method)(), content_type=content_type)
    response["Content-Disposition"] = f'attachment; filename="{citation.key}.{ext}"'
    return response


@require_GET
def cite_case(request, slug, ext):
    case = get_object_or_404(CaseStudy.objects.published().select_related("organization"), slug=slug)
    return _citation_response(citations.for_case(case), ext)


@require_GET
def cite_analysis(request, slug, ext):
    analysis = get_object_or_404(Analysis.objects.published(), slug=slug)
    return _citation_response(citations.for_analysis(analysis), ext)


@require_GET
def cite_snapshot(request, ext):
    return _citation_response(citations.for_snapshot(citations.today()), ext)


@require_GET
def agreement_view(request):
    params, edition = _filters(request)
    voices = Voice.values
    a = request.GET.get("a") if request.GET.get("a") in voices else Voice.SUPPORTER
    b = request.GET.get("b") if request.GET.get("b") in voices else Voice.EDITORS
    messages = [] if a != b else ["Choose two different voices to compare."]
    result = agreement.agreement(params, edition, a, b) if a != b else None
    context = _filter_context(params, edition, request=request) | {
        "result": result,
        "a": a,
        "b": b,
        "voice_pair": [("a", a, "First voice"), ("b", b, "Second voice")],
        "problems": messages,
        "view_title": _view_title("Agreement between voices", params),
    }
    return render(request, "analysis/agreement.html", context)


@require_GET
def together(request):
    """The cases behind a co-occurrence count: those addressing every recommendation given."""
    from django.core.paginator import Paginator

    from casebase.framework.models import Recommendation

    params = clean_params(request.GET)
    keys = params.pop("rec", [])[:4]
    page = Paginator(aggregates.addressing_all(params, keys), 50).get_page(request.GET.get("page"))
    recs = {
        r.key: r
        for r in Recommendation.objects.public().filter(key__in=keys).order_by("edition__published_on")
    }
    return render(
        request,
        "analysis/together.html",
        {
            "page": page,
            "recs": [recs[k] for k in keys if k in recs],
            "params": params,
            "list_url": aggregates.cases_url(params, rec=keys),
        },
    )
