"""Atom feed of newly published case studies, of all of them or of a filtered set.

The feed takes the /cases/ parameters (role, principle, tag, org, rec, cohort,
q, evidence, voice) and reads them through the one filter engine, CaseFilter,
so following /feeds/cases/?principle=consent&role=distributor-first-party
gives exactly the cases /cases/ lists for the same query, newest first.
"""

import datetime

from django.contrib.syndication.views import Feed
from django.http import HttpResponse
from django.utils.feedgenerator import Atom1Feed
from django.utils.html import escape

from casebase.cases.filters import CaseFilter
from casebase.cases.models import CaseStudy
from casebase.core.siteurl import site_url

FEED_SIZE = 50


def feed_query(case_filter: CaseFilter) -> str:
    """The query string of the feed of what ``case_filter`` selects (a feed is always newest first)."""
    query = case_filter.url(sort="")
    return "" if query == "?" else query


class LatestCasesFeed(Feed):
    feed_type = Atom1Feed
    subtitle = "Case studies of Partnership on AI's Responsible Practices for Synthetic Media, as they are published."
    author_name = "Partnership on AI"

    def __call__(self, request, *args, **kwargs):
        # A feed reader shows no notices, so a filter dropped as on /cases/ would leave the
        # subscriber following every case while believing it follows a few: refuse instead.
        case_filter = CaseFilter(request.GET)
        if case_filter.unknown:
            problems = "\n".join(case_filter.messages)
            return HttpResponse(
                f"This feed cannot follow that filter.\n{problems}\n",
                status=400,
                content_type="text/plain; charset=utf-8",
            )
        return super().__call__(request, *args, **kwargs)

    def get_object(self, request, *args, **kwargs):
        return CaseFilter(request.GET)

    def title(self, case_filter):
        base = "Casebase: newly published case studies"
        said = [f"{active.facet_label}: {active.label}" for active in case_filter.active]
        if case_filter.q:
            said.insert(0, f"matching “{case_filter.q}”")
        if case_filter.is_confirmed_only:
            said.append("confirmed facts only")
        return f"{base} ({'; '.join(said)})" if said else base

    def link(self, case_filter):
        return "/cases/" + feed_query(case_filter)

    def feed_url(self, case_filter):
        return "/feeds/cases/" + feed_query(case_filter)

    def items(self, case_filter):
        newest = case_filter.cases(CaseStudy.objects.select_related("organization", "cohort"), sort="newest")
        return newest[:FEED_SIZE]

    def item_title(self, case):
        return f"{case.organization.name}: {case.title}"

    def item_description(self, case):
        # Atom's <summary type="html"> is read as HTML by every feed reader, and not all of them
        # sanitise: only the summary as rendered and sanitised on save goes there, never the
        # markdown a supporter typed; the plain-text framing question is escaped.
        return case.summary_html or escape(case.framing_question or "")

    def item_link(self, case):
        return case.get_absolute_url()

    def item_guid(self, case):
        return site_url() + case.get_absolute_url()

    def item_author_name(self, case):
        return case.organization.name

    def item_pubdate(self, case):
        if case.published_on is None:
            return None  # unknown: no <published>, rather than an invented date
        return datetime.datetime.combine(case.published_on, datetime.time(), tzinfo=datetime.UTC)

    def item_updateddate(self, case):
        return case.updated_at

    def item_categories(self, case):
        return [case.cohort.name] if case.cohort else []
