"""A word-level diff of two texts, linear whatever the input.

difflib's matcher is quadratic or worse on repetitive text (a hostile "a a a …" against
"b a b a …" took minutes at two thousand words), so this is Myers' shortest-edit diff with a
cap on the number of edits: the work is O((N + M) × MAX_EDITS). Common leading and trailing
words are set aside first, in linear time, so an ordinary edit costs little. Past the cap,
or past the caps on length, the rest is shown whole as removed and added rather than diffed.
A recommendation's text is a paragraph or two: every cap is far above it.
"""

import re
from dataclasses import dataclass

MAX_CHARS = 20_000
MAX_WORDS = 2_000
# Words added or removed, at most; a rewrite beyond it reads better as old text, then new.
MAX_EDITS = 120
WORDS = re.compile(r"\S+\s*")


@dataclass(frozen=True)
class Piece:
    op: str  # "same", "ins" or "del"
    text: str


def _words(text: str) -> tuple[list[str], str]:
    text = (text or "")[:MAX_CHARS]
    words = WORDS.findall(text)
    head, tail = words[:MAX_WORDS], "".join(words[MAX_WORDS:])
    return head, tail


def _edit_script(a: list[str], b: list[str]) -> list[tuple[str, int, int]] | None:
    """The shortest edit script from a to b as (op, index into a, index into b) steps, op being
    "same", "del" or "ins", or None when it needs more than MAX_EDITS."""
    n, m = len(a), len(b)
    v = {1: 0}
    trace = []
    for d in range(MAX_EDITS + 1):
        trace.append(v.copy())
        for k in range(-d, d + 1, 2):
            x = v[k + 1] if k == -d or (k != d and v[k - 1] < v[k + 1]) else v[k - 1] + 1
            y = x - k
            while x < n and y < m and a[x] == b[y]:
                x, y = x + 1, y + 1
            v[k] = x
            if x >= n and y >= m:
                return _backtrack(trace, n, m)
    return None


def _backtrack(trace: list[dict], x: int, y: int) -> list[tuple[str, int, int]]:
    steps = []
    for d in range(len(trace) - 1, -1, -1):
        v, k = trace[d], x - y
        prev_k = k + 1 if k == -d or (k != d and v[k - 1] < v[k + 1]) else k - 1
        prev_x = v[prev_k]
        prev_y = prev_x - prev_k
        while x > prev_x and y > prev_y:
            x, y = x - 1, y - 1
            steps.append(("same", x, y))
        if d > 0:
            steps.append(("ins", prev_x, prev_y) if x == prev_x else ("del", prev_x, prev_y))
        x, y = prev_x, prev_y
    steps.reverse()
    return steps


def word_diff(old: str, new: str) -> list[Piece]:
    a, a_tail = _words(old)
    b, b_tail = _words(new)
    # The words compared without their trailing spaces, so a reflowed line is not a change.
    sa, sb = [w.strip() for w in a], [w.strip() for w in b]
    pieces: list[Piece] = []

    def add(op, text):
        if not text:
            return
        if pieces and pieces[-1].op == op:
            pieces[-1] = Piece(op, pieces[-1].text + text)
        else:
            pieces.append(Piece(op, text))

    def same(i, j):
        # The new text's word, unless it ends the new text and the old one goes on: then the
        # old word keeps its space, so the removed words that follow do not run into it.
        add("same", b[j] if b[j] != sb[j] or a[i] == sa[i] else a[i])

    start = 0
    while start < len(sa) and start < len(sb) and sa[start] == sb[start]:
        start += 1
    end = 0
    while end < len(sa) - start and end < len(sb) - start and sa[-1 - end] == sb[-1 - end]:
        end += 1
    for i in range(start):
        same(i, i)
    script = _edit_script(sa[start : len(sa) - end], sb[start : len(sb) - end])
    if script is None:
        add("del", "".join(a[start : len(a) - end]))
        add("ins", "".join(b[start : len(b) - end]))
    else:
        for op, i, j in script:
            if op == "same":
                same(start + i, start + j)
            else:
                add(op, a[start + i] if op == "del" else b[start + j])
    for i in range(end, 0, -1):
        same(len(a) - i, len(b) - i)
    if a_tail != b_tail:
        add("del", a_tail)
        add("ins", b_tail)
    else:
        add("same", b_tail)
    return pieces
