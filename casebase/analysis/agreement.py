"""Where two voices coded the same case against the same recommendation, do they agree?

Per recommendation: how many cases both voices coded and on how many they gave the same
status; overall, Cohen's kappa over every such pair (agreement beyond what the two
voices' own status frequencies would give by chance). Codings count under the page's
evidence setting, among the cases its filters select; refuted codings never count.
"""

from dataclasses import dataclass, field

from casebase.cases.filters import CaseFilter
from casebase.cases.models import Application
from casebase.core.evidence import Voice
from casebase.framework.models import Edition


@dataclass
class RecAgreement:
    key: str
    label: str
    title: str
    both: int = 0  # cases both voices coded
    same: int = 0  # ... with the same status
    differ: list = field(default_factory=list)  # (case, status of a, status of b)

    @property
    def share(self) -> float | None:
        return self.same / self.both if self.both else None


@dataclass
class Agreement:
    a: str
    b: str
    recommendations: list[RecAgreement]
    kappa: float | None
    observed: float | None
    expected: float | None
    pairs: int

    @property
    def a_label(self) -> str:
        return Voice(self.a).label

    @property
    def b_label(self) -> str:
        return Voice(self.b).label


def cohen_kappa(pairs: list[tuple[str, str]]) -> tuple[float | None, float | None, float | None]:
    """(kappa, observed agreement, chance agreement) for pairs of categories; None where undefined
    (no pairs, or chance agreement of 1: both voices always gave one and the same status)."""
    n = len(pairs)
    if not n:
        return None, None, None
    observed = sum(1 for x, y in pairs if x == y) / n
    first, second = {}, {}
    for x, y in pairs:
        first[x] = first.get(x, 0) + 1
        second[y] = second.get(y, 0) + 1
    expected = sum(first[k] * second.get(k, 0) for k in first) / (n * n)
    if expected == 1:
        return None, observed, expected
    return (observed - expected) / (1 - expected), observed, expected


def agreement(params, edition: Edition | None, a: str, b: str) -> Agreement:
    selection = CaseFilter({k: v for k, v in params.items() if k != "voice"})
    ids = set(selection.ids())
    codings = (
        Application.objects.of_published_cases()
        .filter(grade__in=selection.lens.grades, voice__in=[a, b])
        .values_list("case_id", "case__title", "case__slug", "recommendation__key", "voice", "status")
    )
    if edition is not None:
        codings = codings.filter(recommendation__edition=edition)
    by_pair: dict[tuple[int, str], dict[str, str]] = {}
    cases = {}
    for case_id, title, slug, key, voice, status in codings:
        if case_id in ids:
            by_pair.setdefault((case_id, key), {})[voice] = status
            cases[case_id] = (slug, title)
    recs = {}
    recommendations = edition.recommendations.order_by("section__order", "order") if edition else []
    for rec in recommendations:
        recs[rec.key] = RecAgreement(rec.key, rec.reader_label, rec.title)
    pairs = []
    for (case_id, key), statuses in sorted(by_pair.items()):
        if a in statuses and b in statuses:
            row = recs.setdefault(key, RecAgreement(key, key, key))
            row.both += 1
            pairs.append((statuses[a], statuses[b]))
            if statuses[a] == statuses[b]:
                row.same += 1
            else:
                row.differ.append((cases[case_id], statuses[a], statuses[b]))
    kappa, observed, expected = cohen_kappa(pairs)
    return Agreement(a, b, list(recs.values()), kappa, observed, expected, len(pairs))
