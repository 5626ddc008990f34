"""A readable, word-level difference between two working copies of a case.

The output is plain data (labels and text segments tagged equal/delete/insert);
templates escape it as usual and wrap the segments in <del> and <ins>.
"""

import difflib
import re
from dataclasses import dataclass, field

from casebase.cases.models import Application, CaseStudy
from casebase.submissions.content import normalize

_TOKENS = re.compile(r"\s+|[^\s]+")


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


def word_diff(old: str, new: str) -> list[tuple[str, str]]:
    """Word-level changes, grouped so they read as phrases; a rewrite reads as old text, then new."""
    a, b = _TOKENS.findall(old), _TOKENS.findall(new)
    matcher = difflib.SequenceMatcher(None, a, b, autojunk=False)
    if matcher.ratio() < 0.5:
        return [(op, text) for op, text in (("delete", old), ("insert", new)) if text]
    segments: list[tuple[str, str]] = []
    removed, added = [], []

    def flush():
        if removed:
            segments.append(("delete", "".join(removed)))
        if added:
            segments.append(("insert", "".join(added)))
        removed.clear()
        added.clear()

    opcodes = matcher.get_opcodes()
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


def diff_contents(old: dict, new: dict) -> list[RowDiff]:
    """Every labelled part that differs between two working copies, in reading order."""
    old_rows, new_rows = dict(content_rows(old)), dict(content_rows(new))
    labels = list(
        dict.fromkeys([label for label, _ in content_rows(old)] + [label for label, _ in content_rows(new)])
    )
    diffs = []
    for label in labels:
        before, after = old_rows.get(label, ""), new_rows.get(label, "")
        if before != after:
            diffs.append(RowDiff(label, before, after, word_diff(before, after)))
    return diffs
