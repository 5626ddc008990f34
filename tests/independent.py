"""An independent account of the published cases, read as plain rows and worked out in Python.

It shares no code with the filter engine (casebase.cases.filters and its facet
index) or with casebase.analysis: a page's number or list that equals what it
says is computed right. Only the two things the database itself decides are
asked of it: the search's matches (casebase.cases.search, which the engine
caches but does not reimplement) and the collation order of titles.
"""

import datetime
from dataclasses import dataclass, field
from urllib.parse import parse_qs, urlsplit

from casebase.cases.models import Application, CaseCredit, CaseStudy, TaggedPrinciple, TaggedRole
from casebase.framework.models import ClauseMapping

# The statuses that count as a case applying a recommendation, written out here on purpose.
COUNTED = {"implemented", "partial", "considered"}
# The grades each evidence setting counts, written out here on purpose (refuted never counts).
GRADES = {
    "all": {"confirmed", "corroborated", "recalled", "inferred"},
    "confirmed": {"confirmed", "corroborated"},
}


@dataclass
class CaseRecord:
    pk: int
    slug: str
    org: str
    cohort: str | None
    published_on: datetime.date | None
    roles: set = field(default_factory=set)
    principles: set = field(default_factory=set)
    tags: set = field(default_factory=set)
    recs: set = field(default_factory=set)
    clauses: set = field(default_factory=set)


class Records:
    """Published cases as plain Python sets, read row by row, under one evidence setting
    ("all" or "confirmed") and, for codings, optionally only some voices."""

    def __init__(self, evidence: str = "all", voices: set[str] | None = None):
        grades = GRADES[evidence]
        self.evidence = evidence
        self.cases: dict[int, CaseRecord] = {}
        for pk, slug, cohort, published_on in CaseStudy.objects.filter(is_published=True).values_list(
            "pk", "slug", "cohort__slug", "published_on"
        ):
            self.cases[pk] = CaseRecord(pk, slug, "", cohort, published_on)
        self.orgs: dict[int, set[str]] = {pk: set() for pk in self.cases}
        for case_id, org, grade in CaseCredit.objects.values_list("case_id", "organization__slug", "grade"):
            if case_id in self.cases and grade in grades:
                self.orgs[case_id].add(org)
        for model, attr in ((TaggedRole, "roles"), (TaggedPrinciple, "principles")):
            for case_id, slug, grade in model.objects.values_list("content_object_id", "tag__slug", "grade"):
                if case_id in self.cases and grade in grades:
                    getattr(self.cases[case_id], attr).add(slug)
        for case in CaseStudy.objects.filter(pk__in=self.cases).prefetch_related("tags"):
            self.cases[case.pk].tags = {t.slug for t in case.tags.all()}
        for case_id, key, status, voice, grade in Application.objects.values_list(
            "case_id", "recommendation__key", "status", "voice", "grade"
        ):
            if (
                case_id in self.cases
                and status in COUNTED
                and grade in grades
                and (voices is None or voice in voices)
            ):
                self.cases[case_id].recs.add(key)
        # A clause of another instrument: the cases applying (as counted above) a key mapped to it by a
        # mapping that counts, to a clause and instrument not refuted.
        mapped: dict[str, set[str]] = {}
        for key, clause, grade, clause_grade, instrument_grade in ClauseMapping.objects.values_list(
            "recommendation_key", "clause__slug", "grade", "clause__grade", "clause__instrument__grade"
        ):
            if grade in grades and clause_grade in GRADES["all"] and instrument_grade in GRADES["all"]:
                mapped.setdefault(key, set()).add(clause)
        for record in self.cases.values():
            record.clauses = {clause for key in record.recs for clause in mapped.get(key, ())}

    def values(self, record: CaseRecord, param: str) -> set:
        return {
            "role": record.roles,
            "principle": record.principles,
            "tag": record.tags,
            "rec": record.recs,
            "clause": record.clauses,
            "org": self.orgs[record.pk],
            "cohort": {record.cohort} if record.cohort else set(),
        }[param]

    def matching(self, params: dict[str, list[str]], *, all_recs: bool = False) -> set[str]:
        """Slugs of published cases matching: OR within a parameter, AND across them.

        ``all_recs`` makes several ``rec`` values all required (the co-occurrence list).
        """
        out = set()
        for record in self.cases.values():
            ok = True
            for param, values in params.items():
                have = self.values(record, param)
                if param == "rec" and all_recs:
                    ok = set(values) <= have
                else:
                    ok = bool(set(values) & have)
                if not ok:
                    break
            if ok:
                out.add(record.slug)
        return out

    def count(self, href: str) -> int:
        parts = urlsplit(href)
        query = parse_qs(parts.query)
        # A link keeps the evidence setting of the page it is on: these records must be read under it.
        assert query.get("evidence", ["all"])[0] == self.evidence, (href, self.evidence)
        params = {k: v for k, v in query.items() if k not in ("page", "evidence", "voice")}
        return len(self.matching(params, all_recs=parts.path.startswith("/analysis/together/")))

    def matching_ids(self, params: dict[str, list[str]]) -> set[int]:
        slugs = self.matching(params)
        return {pk for pk, record in self.cases.items() if record.slug in slugs}

    def newest_first(self, ids) -> list[int]:
        """Newest first, undated cases before dated ones (their date is not established), then by id."""
        dated = sorted(
            (i for i in ids if self.cases[i].published_on is not None),
            key=lambda i: (self.cases[i].published_on, i),
            reverse=True,
        )
        undated = sorted((i for i in ids if self.cases[i].published_on is None), reverse=True)
        return undated + dated
