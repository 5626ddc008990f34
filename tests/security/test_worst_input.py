"""The worst input the site accepts is processed in bounded work.

For every form field, formset and public parameter, the largest and most
pathological value the site accepts (runs of brackets, nested emphasis, long
link references, deeply nested lists, diff inputs that defeat the matcher,
huge formset counts, NUL and combining characters) must cost work that grows
linearly with its size. Budgets are counted in operations (Python calls, link
characters scanned, tokens fed to the matcher) or in input size, never in
seconds: the suite gives the same answer on a slow machine.

``bench/worst.py`` times the same inputs, in milliseconds, for ``make bench``.
"""

import sys

import pytest
from django.urls import reverse

from casebase.core.markdown import render_markdown
from casebase.submissions.forms import SECTION_MAX_LENGTH
from tests.security.worst import MARKDOWN_PATHOLOGIES


def work_of(function, *args) -> int:
    """Python calls (including calls into C) that ``function(*args)`` makes: a deterministic measure of work."""
    calls = 0

    def count(frame, event, arg):
        nonlocal calls
        calls += 1

    sys.setprofile(count)
    try:
        function(*args)
    finally:
        sys.setprofile(None)
    return calls


def grows_linearly(function, make, size: int) -> tuple[int, int]:
    """Work for an input of ``size`` and of twice that (after a warm-up that fills regex caches)."""
    function(make(size // 4))
    return work_of(function, make(size)), work_of(function, make(2 * size))


# --- Markdown (finding 1) ------------------------------------------------------------------

# Above the chunk size, so the tests see what the renderer does with many chunks, and small
# enough that counting every call stays quick.
MARKDOWN_SIZE = 12_000


@pytest.mark.parametrize("name", sorted(MARKDOWN_PATHOLOGIES))
def test_markdown_work_grows_linearly(name):
    """Doubling a pathological text at most doubles the renderer's work (quadratic would be 4x)."""
    small, large = grows_linearly(render_markdown, MARKDOWN_PATHOLOGIES[name], MARKDOWN_SIZE)
    assert large <= 2.3 * small, f"{name}: {small} calls for {MARKDOWN_SIZE} chars, {large} for twice that"


@pytest.mark.parametrize("name", sorted(MARKDOWN_PATHOLOGIES))
def test_the_largest_section_is_rendered_in_bounded_chunks(name):
    """A section of the largest size a form accepts: no pass of Python-Markdown sees more than a chunk,
    and link scanning stays within its budget."""
    from casebase.core import markdown

    text = MARKDOWN_PATHOLOGIES[name](SECTION_MAX_LENGTH)
    assert len(text) <= SECTION_MAX_LENGTH
    work = markdown.Work()
    markdown.render_markdown(text, work=work)
    assert work.largest_chunk <= markdown.CHUNK_CHARS
    assert sum(work.chunks) <= len(text) + len(work.chunks) * 2 * markdown.MAX_FENCE_LINE
    budget = markdown.LINK_SCAN_PER_CHAR * sum(work.chunks) + markdown.LINK_SCAN_FLOOR * len(work.chunks)
    assert work.link_scan <= budget


@pytest.mark.parametrize(
    "line", ["- " * 20_000 + "x", "1. " * 15_000 + "x", "> " * 20_000 + "x", "> - " * 10_000]
)
def test_deep_nesting_on_one_line_renders_instead_of_overflowing_the_stack(line):
    html = render_markdown(line)
    assert html.count("<ul>") + html.count("<ol>") + html.count("<blockquote>") <= 8 * 13
    assert "x" in html or "&gt;" in html


def test_ordinary_writing_renders_exactly_as_python_markdown_does():
    """The bounds never touch ordinary text: links, references, images, nesting and code as before."""
    import markdown as md

    from casebase.core.markdown import _clean

    text = (
        "# Title\n\nA [link](https://example.org/a_(b) 'T') and [a ref][r], *em*, **strong**, "
        "![alt](https://example.org/i.png), [nested [brackets]](https://example.org).\n\n"
        "- one\n    - two\n        - three\n\n> quoted\n> > twice\n\n"
        "```\ncode [ with ( brackets\n```\n\nTerm\n: definition\n\n| a | b |\n|---|---|\n| 1 | 2 |\n\n"
        '[r]: https://example.org/ref "Ref"\n'
    )
    expected = md.markdown(text, extensions=["extra", "sane_lists"], output_format="html")
    expected = _clean(_clean(expected.replace("<h1>", "<h2>").replace("</h1>", "</h2>")))
    assert render_markdown(text) == expected


def test_a_long_text_keeps_its_links_and_code_across_chunks():
    from casebase.core.markdown import CHUNK_CHARS

    paragraph = "Plain words about provenance and disclosure. " * 20 + "\n\n"
    code = "```\n" + "x = [1, 2]\n" * (CHUNK_CHARS // 5) + "```\n\n"
    text = (
        "See [the source][src].\n\n"
        + paragraph * 10
        + code
        + paragraph * 10
        + "[src]: https://example.org/src\n"
    )
    html = render_markdown(text)
    assert '<a href="https://example.org/src"' in html
    # The code block that had to be cut is still code on both sides of the cut, and nothing else.
    assert "x = [1, 2]" in html and "<li>" not in html
    assert html.count("<pre>") >= 2 and "```" not in html


def test_a_comment_of_the_worst_markdown_is_saved_not_a_500(world):
    """The largest comment a supporter may post, of nested list markers: saved and shown, no 500."""
    from casebase.submissions.forms import CommentForm
    from casebase.submissions.models import Comment

    limit = CommentForm.base_fields["body"].max_length
    body = ("- " * limit)[: limit - 1] + "x"
    client = world.clients["supporter_a"]
    url = reverse("submissions:detail", args=[world.draft_a.pk])
    response = client.post(reverse("submissions:comment", args=[world.draft_a.pk]), {"body": body})
    assert response.status_code in (302, 303), response.status_code
    comment = Comment.objects.filter(submission=world.draft_a).latest("pk")
    assert comment.body == body and comment.body_html
    assert client.get(url).status_code == 200
