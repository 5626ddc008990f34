"""Generated cases on top of the real data, and an independent count of the records.

The counter below reads plain rows and counts in Python; it shares no code with
casebase.analysis, so a page's number that equals it is computed right.
"""

import random
from dataclasses import dataclass, field
from urllib.parse import parse_qs, urlsplit

import pytest

from casebase.cases.models import Application, CaseStudy, Cohort
from casebase.framework.models import Principle, Recommendation, StakeholderRole
from casebase.organizations.models import Organization

COUNTED = {"implemented", "partial", "considered"}
NOT_PUBLISHED = ["draft", "submitted", "in_review", "changes_requested", "approved", "withdrawn", "rejected"]


def make_cases(
    n: int, *, seed: int = 7, published_share: float = 0.6, prefix: str = "gen"
) -> list[CaseStudy]:
    """``n`` random cases, some unpublished, with tags and applications of every status."""
    rng = random.Random(seed)
    orgs = list(Organization.objects.all())
    cohorts = list(Cohort.objects.all()) + [None]
    roles = list(StakeholderRole.objects.all())
    principles = list(Principle.objects.all())
    recs = list(Recommendation.objects.all())
    statuses = ["implemented", "partial", "considered", "not_applicable"]
    made = []
    for i in range(n):
        status = "published" if rng.random() < published_share else rng.choice(NOT_PUBLISHED)
        cohort = rng.choice(cohorts)
        case = CaseStudy.objects.create(
            slug=f"{prefix}-{seed}-{i}",
            title=f"Generated case {prefix} {seed} {i}",
            organization=rng.choice(orgs),
            cohort=cohort,
            published_on=cohort.released_on if cohort else None,
            status=status,
            summary="A generated case for counting tests.",
        )
        case.roles.set(rng.sample(roles, rng.randint(0, 3)))
        case.principles.set(rng.sample(principles, rng.randint(0, 3)))
        case.tags.set(rng.sample(["provenance", "labels", "consent forms", "watermark"], rng.randint(0, 2)))
        for rec in rng.sample(recs, rng.randint(0, 5)):
            Application.objects.create(case=case, recommendation=rec, status=rng.choice(statuses))
        made.append(case)
    return made


@pytest.fixture
def generated(casebase_data):
    return make_cases(30)


@dataclass
class CaseRecord:
    slug: str
    org: str
    cohort: str | None
    roles: set = field(default_factory=set)
    principles: set = field(default_factory=set)
    tags: set = field(default_factory=set)
    recs: set = field(default_factory=set)


class Records:
    """Published cases as plain Python sets, read row by row."""

    def __init__(self):
        self.cases: dict[int, CaseRecord] = {}
        for pk, slug, org, cohort in CaseStudy.objects.filter(status="published").values_list(
            "pk", "slug", "organization__slug", "cohort__slug"
        ):
            self.cases[pk] = CaseRecord(slug, org, cohort)
        for case in CaseStudy.objects.filter(pk__in=self.cases).prefetch_related(
            "roles", "principles", "tags"
        ):
            record = self.cases[case.pk]
            record.roles = {t.slug for t in case.roles.all()}
            record.principles = {t.slug for t in case.principles.all()}
            record.tags = {t.slug for t in case.tags.all()}
        for case_id, key, status in Application.objects.values_list(
            "case_id", "recommendation__key", "status"
        ):
            if case_id in self.cases and status in COUNTED:
                self.cases[case_id].recs.add(key)

    def _values(self, record: CaseRecord, param: str) -> set:
        return {
            "role": record.roles,
            "principle": record.principles,
            "tag": record.tags,
            "rec": record.recs,
            "org": {record.org},
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
                have = self._values(record, param)
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
        params = {k: v for k, v in parse_qs(parts.query).items() if k != "page"}
        return len(self.matching(params, all_recs=parts.path.startswith("/analysis/together/")))


@pytest.fixture
def records():
    return Records
