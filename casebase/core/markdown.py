"""The one place markdown becomes HTML.

Markdown is rendered once, when a record is saved, and the result is sanitised
with nh3 so templates may output the stored HTML without escaping. No template
marks user text safe anywhere else.

Python-Markdown is not linear: a run of unmatched ``[`` makes every bracket
scan to the end of its paragraph (quadratic), an unclosed ``[a](`` does the
same for the link's destination, one line of ``- - - -`` nests a list per
marker until Python's recursion limit, and a few other constructs (setext
headings, emphasis, abbreviations) grow faster than the text. So the renderer
bounds the work whatever the input:

- the text is rendered in chunks of at most ``CHUNK_CHARS`` characters, cut
  at blank lines where possible, so whatever Python-Markdown does that is
  superlinear only ever sees a bounded piece (link references are shared
  between chunks; a fenced code block cut in two is closed and reopened);
- link text and destinations are scanned a bounded distance and nesting, and
  each chunk has a scanning budget proportional to its length: past it,
  brackets are left as plain text;
- a line nests at most ``MAX_NESTING`` block quotes and list markers; deeper
  markers are escaped and read as text.

Ordinary writing never comes near these bounds and renders exactly as before.
``Work`` lets callers (the tests, ``bench/worst.py``) see how much was done.
"""

import hashlib
import re
from collections import ChainMap
from dataclasses import dataclass, field

import markdown as md
import nh3
from markdown.extensions import Extension
from markdown.inlinepatterns import (
    IMAGE_LINK_RE,
    IMAGE_REFERENCE_RE,
    LINK_RE,
    REFERENCE_RE,
    ImageInlineProcessor,
    ImageReferenceInlineProcessor,
    LinkInlineProcessor,
    ReferenceInlineProcessor,
    ShortImageReferenceInlineProcessor,
    ShortReferenceInlineProcessor,
)

# A chunk is what one Python-Markdown pass sees. Long enough that a normal
# paragraph is never cut, short enough that a quadratic step inside it stays
# in the milliseconds.
CHUNK_CHARS = 4000
# Link text longer than this, or brackets nested deeper, are not a link.
MAX_LINK_TEXT = 2000
MAX_LINK_NESTING = 8
# A link destination and title: long tracking URLs fit.
MAX_LINK_DESTINATION = 2000
# Characters of link scanning allowed per character of a chunk (ordinary text
# with many links uses two or three), plus a floor for short texts.
LINK_SCAN_PER_CHAR = 8
LINK_SCAN_FLOOR = 4000
# Block quotes and list markers opened on one line.
MAX_NESTING = 8
# Abbreviation definitions (``*[HTML]: ...``) in one text.
MAX_ABBREVIATIONS = 50
# An opening code fence with its info string; longer lines are not taken for fences.
MAX_FENCE_LINE = 200


@dataclass
class Work:
    """What one render did: the sizes its chunks had and how much link scanning it spent."""

    chunks: list[int] = field(default_factory=list)
    link_scan: int = 0

    @property
    def largest_chunk(self) -> int:
        return max(self.chunks, default=0)


ALLOWED_TAGS = {
    "a",
    "abbr",
    "b",
    "blockquote",
    "br",
    "code",
    "dd",
    "del",
    "dl",
    "dt",
    "em",
    "h2",
    "h3",
    "h4",
    "h5",
    "h6",
    "hr",
    "i",
    "li",
    "ol",
    "p",
    "pre",
    "q",
    "s",
    "strong",
    "sub",
    "sup",
    "table",
    "tbody",
    "td",
    "th",
    "thead",
    "tr",
    "ul",
}
ALLOWED_ATTRIBUTES = {
    "a": {"href", "title"},
    "abbr": {"title"},
    "td": {"align"},
    "th": {"align", "scope"},
    "ol": {"start"},
}
# Only ordinary web and mail links survive; javascript:, data: and the like are dropped.
ALLOWED_URL_SCHEMES = {"http", "https", "mailto"}


def render_markdown(text: str, *, work: Work | None = None) -> str:
    """Render markdown to sanitised HTML. Headings start at h2: pages own the h1."""
    if not text:
        return ""
    work = work if work is not None else Work()
    renderer = md.Markdown(extensions=["extra", "sane_lists", _BoundedLinks()], output_format="html")
    text = text.replace("\r\n", "\n").replace("\r", "\n")
    # References are shared by every chunk: a link may sit far from its definition.
    # reset() clears only the first map, so definitions survive from chunk to chunk.
    renderer.references = ChainMap({}, _references(text))
    parts = []
    for chunk in chunks(text):
        renderer.reset()
        renderer.link_budget = _Budget(LINK_SCAN_PER_CHAR * len(chunk) + LINK_SCAN_FLOOR)
        parts.append(renderer.convert(chunk))
        work.chunks.append(len(chunk))
        work.link_scan += renderer.link_budget.spent
    html = "\n".join(parts)
    html = html.replace("<h1>", "<h2>").replace("</h1>", "</h2>")
    # Twice: removing a disallowed element keeps its children, which can leave
    # nesting no parser would build (<p><p></p></p> from a <p> inside <noscript>).
    # The second pass re-parses that output into well-formed HTML.
    return _clean(_clean(html))


# Part of the cache key: change it when the renderer's output changes.
RENDERER_VERSION = 2
# A week: previews of a working copy are looked at while it is being written and reviewed.
PREVIEW_CACHE_SECONDS = 7 * 24 * 3600


def render_markdown_cached(text: str) -> str:
    """``render_markdown``, kept in the cache under a hash of the text.

    For pages that show unsaved text (the previews of a working copy): the text is
    rendered once per version of it, not on every view.
    """
    if not text:
        return ""
    from django.core.cache import cache

    key = f"markdown:{RENDERER_VERSION}:{hashlib.sha256(text.encode('utf-8', 'surrogatepass')).hexdigest()}"
    html = cache.get(key)
    if html is None:
        html = render_markdown(text)
        cache.set(key, html, PREVIEW_CACHE_SECONDS)
    return html


def _clean(html: str) -> str:
    return nh3.clean(
        html,
        tags=ALLOWED_TAGS,
        attributes=ALLOWED_ATTRIBUTES,
        url_schemes=ALLOWED_URL_SCHEMES,
        link_rel="nofollow noopener noreferrer",
    )


# --- Chunks ---------------------------------------------------------------------------

_FENCE = re.compile(r"(`{3,}|~{3,})")
_WORD_START = re.compile(r"\s(?=\w)")


def chunks(text: str, limit: int = CHUNK_CHARS):
    """The text in pieces of at most ``limit`` characters, cut at blank lines where possible.

    Outside fenced code, a blank line is a clean place to cut: what follows starts
    a new block either way. A block longer than ``limit`` is cut at a line end, and
    a line longer than ``limit`` before a word. Inside a fenced code block that has
    to be cut, the fence is closed and opened again, so both halves stay code.
    """
    current: list[str] = []
    size = 0
    clean_cut = 0  # lines of ``current`` that end at a blank line outside code
    fence = None  # the opening line of the fenced block we are in, and its marker
    abbreviations = 0
    # Room left in every piece of a long line for an escape, and for a cut fence's two lines.
    for line in _lines(text, limit - 2 * MAX_FENCE_LINE - 4):
        if fence is None:
            line = _limit_nesting(line)
            if line.startswith("*["):
                # Every abbreviation is tried at every word of the text: a few are plenty.
                abbreviations += 1
                if abbreviations > MAX_ABBREVIATIONS:
                    line = "\\" + line
        closing = len(fence[1]) + 1 if fence else 0  # room to close the fence if cut here
        while current and size + len(line) + 1 + closing > limit:
            if clean_cut:
                yield "\n".join(current[:clean_cut])
                current = current[clean_cut:]
                size = sum(len(kept) + 1 for kept in current)
            else:
                if fence:
                    current.append(fence[1])
                yield "\n".join(current)
                current = [fence[0]] if fence else []
                size = len(fence[0]) + 1 if fence else 0
            clean_cut = 0
        if fence is None:
            opened = _FENCE.match(line)
            if opened and len(line) <= MAX_FENCE_LINE:
                fence = (line, opened.group(1))
            elif not line.strip():
                clean_cut = len(current) + 1
        elif line.rstrip() == fence[1]:
            fence = None
        current.append(line)
        size += len(line) + 1
    if current:
        yield "\n".join(current)


def _lines(text: str, limit: int):
    """The text's lines, a line longer than ``limit`` cut before a word (or anywhere, if it has none)."""
    for line in text.split("\n"):
        while len(line) > limit:
            cuts = [found.start() + 1 for found in _WORD_START.finditer(line, limit // 2, limit)]
            at = cuts[-1] if cuts else limit
            yield line[:at].rstrip()
            line = line[at:]
        yield line


_CONTAINER = re.compile(r"[ ]{0,3}(?P<marker>>|(?:[-*+]|\d{1,9}[.)])(?=[ \t]))[ \t]?")


def _limit_nesting(line: str) -> str:
    """Escape the block quote or list marker past ``MAX_NESTING`` on one line: it reads as text."""
    position = 0
    for _ in range(MAX_NESTING):
        found = _CONTAINER.match(line, position)
        if not found:
            return line
        position = found.end()
    found = _CONTAINER.match(line, position)
    if not found:
        return line
    at = found.end("marker") - 1
    return line[:at] + "\\" + line[at:]


# Python-Markdown's own pattern lets a label run over lines; one line is enough here
# and keeps this a single linear pass.
_REFERENCE = re.compile(
    r"""^[ ]{0,3}\[([^\[\]\n]{1,999})\]:[ ]*(\S+)[ ]*(?:(["'])(.*)\3|\((.*)\))?[ ]*$""", re.MULTILINE
)


def _references(text: str) -> dict[str, tuple[str, str | None]]:
    """Link reference definitions of the whole text, as Python-Markdown stores them."""
    found = {}
    for match in _REFERENCE.finditer(text):
        link = match.group(2)
        if link.startswith("<") and link.endswith(">"):
            link = link[1:-1]
        found.setdefault(match.group(1).strip().lower(), (link, match.group(4) or match.group(5)))
    return found


# --- Bounded links ---------------------------------------------------------------------


class _Budget:
    def __init__(self, limit: int):
        self.left = limit
        self.spent = 0

    def spend(self, amount: int) -> None:
        self.left -= amount
        self.spent += amount


_BRACKET = re.compile(r"[\[\]]")
_PAREN = re.compile(r"[()]")


class _BoundedScan:
    """Link scanning that stops at a length, a nesting depth and the chunk's budget.

    Python-Markdown scans character by character to the end of the paragraph from
    every ``[`` and every ``](``; here the scan jumps from bracket to bracket and gives
    up early, so a paragraph of brackets costs a bounded amount per bracket.
    """

    def getText(self, data: str, index: int):
        budget = self.md.link_budget
        if budget.left <= 0:
            return "", index, False
        end = min(len(data), index + MAX_LINK_TEXT, index + budget.left)
        depth, reached = 1, end
        for bracket in _BRACKET.finditer(data, index, end):
            depth += 1 if bracket.group() == "[" else -1
            if depth == 0:
                budget.spend(bracket.end() - index)
                return data[index : bracket.start()], bracket.end(), True
            if depth > MAX_LINK_NESTING:
                reached = bracket.end()
                break
        budget.spend(reached - index)
        return "", index, False

    def getLink(self, data: str, index: int):
        if not data.startswith("(", index):
            return "", None, index, False  # "[text]" alone: nothing to scan
        budget = self.md.link_budget
        if budget.left <= 0:
            return "", None, index, False
        end = min(len(data), index + MAX_LINK_DESTINATION, index + budget.left)
        # Where the parentheses balance, found by jumping from one to the next. Python-Markdown's
        # own parser (quotes, titles, <url>) then reads only up to there: a link cannot close
        # without a ")", so without one there is nothing to read.
        depth, close, reached = 0, None, end
        for paren in _PAREN.finditer(data, index, end):
            depth += 1 if paren.group() == "(" else -1
            if depth == 0:
                close = paren.end()
                break
            if depth > MAX_LINK_NESTING:
                reached = paren.end()
                break
        if close is None:
            budget.spend(reached - index)
            return "", None, index, False
        budget.spend(close - index)
        href, title, stop, handled = super().getLink(data[index:close], 0)
        end = min(end, index + max(budget.left, 0))
        if not handled and end > close:
            # A ")" inside a quoted title: read the whole window, as Python-Markdown would.
            budget.spend(end - index)
            href, title, stop, handled = super().getLink(data[index:end], 0)
        return href, title, index + stop, handled


class _Link(_BoundedScan, LinkInlineProcessor):
    pass


class _Image(_BoundedScan, ImageInlineProcessor):
    pass


class _Reference(_BoundedScan, ReferenceInlineProcessor):
    pass


class _ImageReference(_BoundedScan, ImageReferenceInlineProcessor):
    pass


class _ShortReference(_BoundedScan, ShortReferenceInlineProcessor):
    pass


class _ShortImageReference(_BoundedScan, ShortImageReferenceInlineProcessor):
    pass


class _BoundedLinks(Extension):
    """Put the bounded link patterns in place of Python-Markdown's, same names and order."""

    def extendMarkdown(self, md):
        md.link_budget = _Budget(0)
        patterns = md.inlinePatterns
        for name, cls, pattern in (
            ("reference", _Reference, REFERENCE_RE),
            ("link", _Link, LINK_RE),
            ("image_link", _Image, IMAGE_LINK_RE),
            ("image_reference", _ImageReference, IMAGE_REFERENCE_RE),
            ("short_reference", _ShortReference, REFERENCE_RE),
            ("short_image_ref", _ShortImageReference, IMAGE_REFERENCE_RE),
        ):
            priority = patterns._priority[patterns.get_index_for_name(name)].priority
            patterns.register(cls(pattern, md), name, priority)


class MarkdownModelMixin:
    """Models list ``MARKDOWN_FIELDS = {"body": "body_html"}``; save() renders them."""

    MARKDOWN_FIELDS: dict[str, str] = {}

    def render_markdown_fields(self, render=render_markdown) -> None:
        for source, target in self.MARKDOWN_FIELDS.items():
            setattr(self, target, render(getattr(self, source)))

    def save(self, *args, **kwargs):
        self.render_markdown_fields()
        update_fields = kwargs.get("update_fields")
        if update_fields is not None:
            extra = {t for s, t in self.MARKDOWN_FIELDS.items() if s in update_fields}
            kwargs["update_fields"] = set(update_fields) | extra
        super().save(*args, **kwargs)
