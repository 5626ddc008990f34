"""A word-level diff of two texts, bounded whatever the input.

difflib's matcher is quadratic at worst, so each side is capped (in characters, then in
words) before it runs; the tail past the cap is shown whole, as changed, rather than diffed.
A recommendation's text is a paragraph or two: the caps are far above it.
"""

import difflib
import re
from dataclasses import dataclass

MAX_CHARS = 20_000
MAX_WORDS = 2_000
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


def word_diff(old: str, new: str) -> list[Piece]:
    a, a_tail = _words(old)
    b, b_tail = _words(new)
    # The words compared without their trailing spaces, so a reflowed line is not a change.
    matcher = difflib.SequenceMatcher(None, [w.strip() for w in a], [w.strip() for w in b], autojunk=False)
    pieces: list[Piece] = []

    def add(op, text):
        if not text:
            return
        if pieces and pieces[-1].op == op:
            pieces[-1] = Piece(op, pieces[-1].text + text)
        else:
            pieces.append(Piece(op, text))

    for tag, i1, i2, j1, j2 in matcher.get_opcodes():
        if tag == "equal":
            add("same", "".join(b[j1:j2]))
        else:
            add("del", "".join(a[i1:i2]))
            add("ins", "".join(b[j1:j2]))
    if a_tail != b_tail:
        add("del", a_tail)
        add("ins", b_tail)
    else:
        add("same", b_tail)
    return pieces
