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
from casebase.submissions.diff import word_diff
from casebase.submissions.forms import SECTION_MAX_LENGTH
from tests.security.forms import read_form
from tests.security.test_hostile_input import supporter_form
from tests.security.worst import DIFF_PATHOLOGIES, MARKDOWN_PATHOLOGIES


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


# --- Word diff (finding 2) -----------------------------------------------------------------


@pytest.mark.parametrize("name", sorted(DIFF_PATHOLOGIES))
def test_word_diff_work_does_not_grow_past_its_budget(name):
    """Past the matcher's budget a diff costs only reading the words: twice the text, at most twice the work.
    (difflib alone is cubic here: 2 KB took seconds, 4 KB minutes.)"""
    small, large = grows_linearly(lambda pair: word_diff(*pair), DIFF_PATHOLOGIES[name], 8000)
    assert large <= 2.3 * small, f"{name}: {small} calls, then {large} for twice the text"


@pytest.mark.parametrize("name", sorted(DIFF_PATHOLOGIES))
def test_the_largest_sections_are_compared_within_the_budget(name):
    from casebase.submissions.diff import DIFF_BUDGET, DiffBudget

    old, new = DIFF_PATHOLOGIES[name](SECTION_MAX_LENGTH)
    budget = DiffBudget()
    segments = word_diff(old, new, budget)
    assert budget.spent <= DIFF_BUDGET
    # Nothing is lost: the old text is what was kept and deleted, the new what was kept and inserted.
    assert "".join(text for op, text in segments if op != "insert") == old
    assert "".join(text for op, text in segments if op != "delete") == new


def test_a_long_section_with_one_edit_still_reads_word_by_word():
    old = "We label audio and video. " * 1500
    new = old[: 26 * 700] + "We also watermark images. " + old[26 * 700 :]
    segments = word_diff(old, new)
    assert [op for op, _ in segments] == ["equal", "insert", "equal"]
    assert "watermark images" in segments[1][1] and len(segments[1][1]) == len("We also watermark images. ")


def test_one_page_of_differences_shares_one_budget():
    from casebase.submissions.diff import DIFF_BUDGET, DiffBudget, diff_contents

    old, new = DIFF_PATHOLOGIES["swapped words"](SECTION_MAX_LENGTH)
    sections = [{"heading": f"Part {n}", "prompt": "", "response": old} for n in range(5)]
    changed = [dict(s, response=new) for s in sections]
    budget = DiffBudget()
    rows = diff_contents({"sections": sections}, {"sections": changed}, budget)
    assert len(rows) == 5 and budget.spent <= DIFF_BUDGET


def test_a_stale_save_of_the_worst_pair_shows_the_conflict_page(world):
    """A save against a version someone else changed, of a pair built to defeat the matcher: 409 with the
    other text beside what was typed, nothing lost."""
    from casebase.submissions import services
    from casebase.submissions.models import Submission

    old, new = DIFF_PATHOLOGIES["swapped words"](4000)
    draft = world.draft_a
    client = world.clients["supporter_a"]
    url = reverse("submissions:edit", args=[draft.pk])
    form = supporter_form(client, url)
    section = next(name for name in form.textareas if name.startswith("section_"))
    content = dict(draft.content, sections=[dict(s) for s in draft.content["sections"]])
    content["sections"][0]["response"] = old
    services.save_draft(
        submission=draft, content=content, expected_version=draft.version, by=world.users["editor"]
    )
    response = client.post(url, form.data({section: new}))
    assert response.status_code == 409
    assert new.strip()[:40] in response.content.decode()
    assert Submission.objects.get(pk=draft.pk).content["sections"][0]["response"] == old


# --- Formset counts (finding 3) ------------------------------------------------------------


def rows_on(page: str, prefix: str) -> int:
    import re

    return len(set(re.findall(rf'name="{prefix}-(\d+)-', page)))


def test_a_huge_formset_count_gets_a_clear_error_not_a_huge_page(world):
    """136 bytes asking for 100,000 application rows: a 422 naming the limit, at most one row per
    recommendation (and a few) built, and what was typed still on the page."""
    from casebase.submissions.forms import APPLICATION_ROWS_MARGIN

    client = world.clients["supporter_a"]
    url = reverse("submissions:new")
    form = supporter_form(client, url)
    data = form.data({"title": "How Organization A keeps its words", "apps-TOTAL_FORMS": "100000"})
    response = client.post(url, data)
    assert response.status_code == 422
    page = response.content.decode()
    recommendations = world.edition.recommendations.count()
    assert rows_on(page, "apps") <= recommendations + APPLICATION_ROWS_MARGIN
    assert f"at most {recommendations} rows" in page
    assert "How Organization A keeps its words" in page


def test_every_formset_on_the_site_is_bounded():
    """Each formset the site builds from a browser's TOTAL_FORMS has a small absolute maximum."""
    from django.contrib import admin

    from casebase.submissions.forms import ApplicationFormSet

    formset = ApplicationFormSet(prefix="apps")
    assert formset.validate_max and formset.absolute_max <= formset.max_num + 10 <= 1000
    # Ours: taggit's tag admin is the superuser's alone and lists a tag's uses, not a browser's count.
    registered = admin.site._registry.values()
    inlines = [i for m in registered for i in m.inlines if i.__module__.startswith("casebase.")]
    assert inlines
    for inline in inlines:
        assert inline.max_num is not None and inline.max_num <= 1000, inline
        assert inline.get_formset.__qualname__.startswith("BoundedInline"), inline


def test_a_huge_inline_count_in_the_admin_is_refused(world):
    from casebase.core.admin import BoundedInline

    client = world.clients["admin"]
    case = world.published_case
    url = reverse("admin:cases_casestudy_change", args=[case.pk])
    page = client.get(url).content.decode()
    prefix = next(p for p in ("applications", "application_set") if f'name="{p}-TOTAL_FORMS"' in page)
    form = read_form(page, url)
    response = client.post(url, form.data({f"{prefix}-TOTAL_FORMS": "100000"}))
    assert response.status_code < 500
    assert rows_on(response.content.decode(), prefix) <= BoundedInline.max_num + 10


# --- Previews render once per version of the text ------------------------------------------


def test_previews_render_the_worst_markdown_once_not_on_every_view(world, monkeypatch):
    """The supporter's and the editor's previews of a saved working copy render its markdown once;
    views after the first read the rendered HTML from the cache."""
    from casebase.core import markdown
    from casebase.submissions import services

    draft = world.draft_a
    content = dict(draft.content, sections=[dict(s) for s in draft.content["sections"]])
    content["sections"][0]["response"] = MARKDOWN_PATHOLOGIES["unmatched brackets"](SECTION_MAX_LENGTH)
    services.save_draft(
        submission=draft, content=content, expected_version=draft.version, by=world.users["editor"]
    )
    rendered = []
    real = markdown.render_markdown
    monkeypatch.setattr(
        markdown, "render_markdown", lambda text, **kw: rendered.append(len(text)) or real(text, **kw)
    )
    pages = [
        (world.clients["supporter_a"], reverse("submissions:preview", args=[draft.pk])),
        (world.clients["editor"], reverse("review:preview", args=[draft.pk])),
    ]
    for client, url in pages * 2:
        assert client.get(url).status_code == 200
    first = list(rendered)
    assert max(first) >= SECTION_MAX_LENGTH
    for client, url in pages * 3:
        assert client.get(url).status_code == 200
    assert rendered == first, "a later view rendered the markdown again"


# --- Every text field has a size budget -----------------------------------------------------


def test_every_text_field_of_the_workflow_forms_has_a_size_budget(world):
    """Each free-text field the supporter and review pages offer says its maximum (the form enforces
    it with a message), and no maximum is larger than a section's."""
    from tests.security.xss import parse_html

    pages = [
        ("supporter_a", reverse("submissions:new")),
        ("supporter_a", reverse("submissions:edit", args=[world.draft_a.pk])),
        ("supporter_a", reverse("submissions:detail", args=[world.draft_a.pk])),
        ("editor", reverse("review:detail", args=[world.draft_a.pk])),
    ]
    checked = 0
    for persona, url in pages:
        document = parse_html(world.clients[persona].get(url).content.decode())
        for form in document.iter("form"):
            if (form.get("method") or "").lower() != "post":
                continue
            for el in form.iter():
                kind = (el.get("type") or "text").lower()
                if el.tag == "textarea" or (el.tag == "input" and kind in ("text", "search", "email", "url")):
                    assert el.get("maxlength"), f"{url}: {el.get('name')} has no maximum length"
                    assert int(el.get("maxlength")) <= SECTION_MAX_LENGTH, (url, el.get("name"))
                    checked += 1
    assert checked > 10
