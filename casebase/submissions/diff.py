"""A readable, word-level difference between two working copies of a case.

The output is plain data (labels and text segments tagged equal/delete/insert);
templates escape it as usual and wrap the segments in <del> and <ins>.

difflib's matcher is cubic in the worst case (2 KB of "a b" against "b a c"
took seconds), so the work is bounded: the words both versions share at the
start and end are set aside first (a typical edit leaves little in between),
and the matcher works on what is left within a budget of comparisons. A row
that would cost more reads as a rewrite: the old text, then the new.
"""

import difflib
import re
from dataclasses import dataclass, field

from casebase.cases.models import Application, CaseStudy
from casebase.submissions.content import normalize

_TOKENS = re.compile(r"\s+|[^\s]+")

# Comparisons the matcher may make for one page of differences (about a tenth of a
# second): a few edits anywhere in a long section fit, a section edited all over reads
# as rewritten between its first and last change.
DIFF_BUDGET = 2_000_000


class DiffBudget:
    """Comparisons left for the matcher, shared by every row of one page; ``spent`` is what it used."""

    def __init__(self, limit: int = DIFF_BUDGET):
        self.left = limit
        self.spent = 0

    def spend(self, amount: int) -> None:
        if amount > self.left:
            raise _OverBudget
        self.left -= amount
        self.spent += amount


class _OverBudget(Exception):
    pass


class _BoundedMatcher(difflib.SequenceMatcher):
    """difflib's matcher, charging each search for a longest match what it may compare, before it runs."""

    def __init__(self, a, b, budget: DiffBudget):
        self.budget = budget
        super().__init__(None, a, b, autojunk=False)

    def find_longest_match(self, alo=0, ahi=None, blo=0, bhi=None):
        ahi = len(self.a) if ahi is None else ahi
        # The inner loop visits, for every word of a[alo:ahi], the places it occurs in b.
        self.budget.spend((ahi - alo) + sum(len(self.b2j.get(word, ())) for word in self.a[alo:ahi]))
        return super().find_longest_match(alo, ahi, blo, bhi)


def content_rows(content: dict) -> list[tuple[str, str]]:
    """The working copy flattened into labelled texts, in reading order."""
    c = normalize(content)
    statuses = dict(Application.Status.choices)
    rows = [("Title", c["title"]), ("Framing question", c["framing_question"])]
    rows += [(f"Takeaway {n}", text) for n, text in enumerate(c["takeaways"], start=1)]
    rows.append(("Summary", c["summary"]))
    rows += [(f"{n}. {s['heading']}", s["response"]) for n, s in enumerate(c["sections"], start=1)]
    for a in c["applications"]:
        text = f"{statuses.get(a['status'], a['status'])}. {a['justification']}"
        if a["excerpt"]:
            text += f"\nExcerpt: {a['excerpt']}"
        rows.append((f"Recommendation {a['recommendation']}", text))
    modalities = dict(CaseStudy.Modality.choices)
    disclosures = dict(CaseStudy.DisclosureType.choices)
    rows += [
        ("Stakeholder roles", ", ".join(c["roles"])),
        ("Principles", ", ".join(c["principles"])),
        ("Topic tags", ", ".join(c["tags"])),
        ("Modalities", ", ".join(modalities.get(m, m) for m in c["modalities"])),
        ("Disclosure types", ", ".join(disclosures.get(d, d) for d in c["disclosure_types"])),
    ]
    return rows


@dataclass
class RowDiff:
    label: str
    old: str
    new: str
    segments: list[tuple[str, str]] = field(default_factory=list)

    @property
    def changed(self) -> bool:
        return self.old != self.new


def word_diff(old: str, new: str, budget: DiffBudget | None = None) -> list[tuple[str, str]]:
    """Word-level changes, grouped so they read as phrases; a rewrite reads as old text, then new."""
    a, b = _TOKENS.findall(old), _TOKENS.findall(new)
    budget = budget if budget is not None else DiffBudget()
    start = _common_prefix(a, b)
    end = _common_prefix(a[start:][::-1], b[start:][::-1])
    middle_a, middle_b = a[start : len(a) - end], b[start : len(b) - end]
    try:
        budget.spend(len(middle_a) + len(middle_b))
        matcher = _BoundedMatcher(middle_a, middle_b, budget)
        blocks = matcher.get_matching_blocks()
    except _OverBudget:
        blocks = None
    same = start + end + sum(size for _, _, size in blocks or ())
    if 2 * same < 0.5 * (len(a) + len(b)):
        return [(op, text) for op, text in (("delete", old), ("insert", new)) if text]
    opcodes = [("equal", 0, start, 0, start)] if start else []
    if blocks is None:
        # Too costly to compare word by word: what lies between the shared start and end is rewritten.
        opcodes.append(("replace", start, len(a) - end, start, len(b) - end))
    else:
        opcodes += [
            (op, i1 + start, i2 + start, j1 + start, j2 + start)
            for op, i1, i2, j1, j2 in matcher.get_opcodes()
        ]
    if end:
        opcodes.append(("equal", len(a) - end, len(a), len(b) - end, len(b)))
    return _segments(a, b, _merge_equal(opcodes))


def _common_prefix(a: list[str], b: list[str]) -> int:
    n = 0
    for x, y in zip(a, b, strict=False):
        if x != y:
            break
        n += 1
    return n


def _merge_equal(opcodes):
    merged = []
    for op in opcodes:
        if merged and op[0] == "equal" == merged[-1][0]:
            merged[-1] = ("equal", merged[-1][1], op[2], merged[-1][3], op[4])
        else:
            merged.append(op)
    return merged


def _segments(a, b, opcodes) -> list[tuple[str, str]]:
    segments: list[tuple[str, str]] = []
    removed, added = [], []

    def flush():
        if removed:
            segments.append(("delete", "".join(removed)))
        if added:
            segments.append(("insert", "".join(added)))
        removed.clear()
        added.clear()

    for index, (op, i1, i2, j1, j2) in enumerate(opcodes):
        if op == "equal":
            text = "".join(a[i1:i2])
            # A lone space between two changes belongs to the change: "old words" → "new words".
            if text.isspace() and (removed or added) and index + 1 < len(opcodes):
                removed.append(text)
                added.append(text)
                continue
            flush()
            segments.append(("equal", text))
            continue
        removed.extend(a[i1:i2])
        added.extend(b[j1:j2])
    flush()
    return segments


def diff_contents(old: dict, new: dict, budget: DiffBudget | None = None) -> list[RowDiff]:
    """Every labelled part that differs between two working copies, in reading order.

    One budget serves every row, so a page of differences costs a bounded amount.
    """
    budget = budget if budget is not None else DiffBudget()
    old_rows, new_rows = dict(content_rows(old)), dict(content_rows(new))
    labels = list(
        dict.fromkeys([label for label, _ in content_rows(old)] + [label for label, _ in content_rows(new)])
    )
    diffs = []
    for label in labels:
        before, after = old_rows.get(label, ""), new_rows.get(label, "")
        if before != after:
            diffs.append(RowDiff(label, before, after, word_diff(before, after, budget)))
    return diffs
