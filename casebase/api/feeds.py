"""Atom feed of newly published case studies."""

import datetime

from django.contrib.syndication.views import Feed
from django.utils.feedgenerator import Atom1Feed
from django.utils.html import escape

from casebase.cases.filters import CaseFilter
from casebase.cases.models import CaseStudy
from casebase.core.siteurl import site_url

FEED_SIZE = 50


class LatestCasesFeed(Feed):
    feed_type = Atom1Feed
    title = "Casebase: newly published case studies"
    subtitle = "Case studies of Partnership on AI's Responsible Practices for Synthetic Media, as they are published."
    link = "/cases/"
    feed_url = "/feeds/cases/"
    author_name = "Partnership on AI"

    def items(self):
        newest = CaseFilter({}).cases(
            CaseStudy.objects.select_related("organization", "cohort"), sort="newest"
        )
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
