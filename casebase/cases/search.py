"""Searching case studies.

PostgreSQL: full-text search with web-search syntax (``"exact phrase"``,
``-exclude``, ``or``) over each case's stored, weighted search vector (A title;
B summary, framing question, organization, takeaways and tags; C body), ranked
with ts_rank over its A and B parts (the "head"), with highlighted snippets
from ts_headline; when nothing matches, trigram similarity on titles and
organization names finds near misses (misspellings). Both vectors live in a
narrow table of their own that the database keeps (migration 0009), so that a
match goes through the GIN index alone and reads no vector, and ranking reads
only the small head kept in the row: a word most of the bank contains costs
tens of milliseconds, not the half second of reading every matching vector.
A case that matches only in its body ranks 0: such cases follow those that
match in a title or summary, newest first.

SQLite: every word (or quoted phrase) must appear in the title, summary,
framing question, organization/takeaway/tag text or body; ``-word`` excludes.
Ranked crudely by where the words appear. Same page, simpler engine.

A leaf module: it works on whatever queryset of cases it is given and imports
nothing of the site's but casebase.core (CaseStudyQuerySet.search() is its front door).
"""

import re
from contextlib import contextmanager
from dataclasses import dataclass

from django.contrib.postgres.search import TrigramWordSimilarity
from django.db import connections, transaction
from django.db.models import Case, F, FloatField, Func, Q, TextField, Value, When
from django.db.models.expressions import RawSQL
from django.db.models.functions import Concat, Greatest
from django.utils.html import escape
from django.utils.safestring import SafeString, mark_safe

from casebase.core.params import clean_text

CONFIG = "english"
# Longer queries are cut to this many characters (the list page says so).
MAX_QUERY_LENGTH = 200
# Both engines use at most this many words or phrases (the list page says so): it keeps
# the SQLite matcher's SQL bounded, and the query PostgreSQL parses small.
MAX_TERMS = 8
# Minimum trigram word similarity for a "did you mean" near miss.
FUZZY_THRESHOLD = 0.5
# How far back a snippet may reach for the start of a word it would otherwise cut.
WORD_REACH = 40
# Private-use characters delimit highlights inside ts_headline's output, so that
# the text can be escaped first and only our own <mark> tags added afterwards.
START, STOP = "\ue000", "\ue001"

# PostgreSQL: one row per case (migration 0009, kept by the database): ``vector`` to match
# and ``head`` (its A and B parts) to rank. The one spelling of both.
TABLE = "cases_casesearch"
TSQUERY = f"websearch_to_tsquery('{CONFIG}', %s)"
MATCH = f"vector @@ {TSQUERY}"
RANK = f"ts_rank(head, {TSQUERY})"


def is_postgres(queryset) -> bool:
    return connections[queryset.db].vendor == "postgresql"


def clean_query(q: str) -> str:
    """A query as the search reads it: cleaned by casebase.core.params, at most MAX_QUERY_LENGTH."""
    return clean_text(q, MAX_QUERY_LENGTH)


@dataclass(frozen=True)
class Term:
    text: str
    negated: bool = False  # -word, -"phrase"
    phrase: bool = False  # "quoted words"
    either: bool = False  # "or" stood between this term and the one before


# A "phrase" (its closing quote may be missing), or a run of anything but spaces; either
# may start with minus signs.
TOKEN = re.compile(r'(-*)"([^"]*)"?|(-*)(\S+)')


def query_terms(q: str) -> tuple[list[Term], bool]:
    """The words and phrases of a query, at most MAX_TERMS; and whether some were left out.

    The one reading of the search syntax. What reaches PostgreSQL is rebuilt from
    these terms (websearch_text), never the raw text: websearch_to_tsquery keeps an
    operator stack of fixed depth, and a run of 33 minus signs overflows it ("tsquery
    stack too small", a server error). Rebuilt, a term carries at most one minus,
    "or" stands only between two terms, and no stray quote is left inside a word.
    """
    terms: list[Term] = []
    either = False
    cut = False
    for match in TOKEN.finditer(clean_query(q)):
        phrase = match.group(2) is not None
        negated = bool(match.group(1) if phrase else match.group(3))
        text = match.group(2) if phrase else match.group(4).replace('"', "")
        text = " ".join(text.split()).strip(" '-")
        if not text:
            continue
        if not phrase and text.lower() == "or":
            either = bool(terms)  # an "or" with no term before it means nothing
            continue
        if len(terms) == MAX_TERMS:
            cut = True
            break
        terms.append(Term(text, negated=negated, phrase=phrase, either=either))
        either = False
    return terms, cut


def websearch_text(q: str) -> str:
    """The query in web-search syntax, rebuilt from its terms (see query_terms)."""
    parts = []
    for term in query_terms(q)[0]:
        text = f'"{term.text}"' if term.phrase else term.text
        parts.append(("or " if term.either else "") + ("-" if term.negated else "") + text)
    return " ".join(parts)


def search(queryset, q: str):
    q = clean_query(q)
    if not q:
        return _nothing(queryset)
    if is_postgres(queryset):
        text = websearch_text(q)
        if not text:
            return _nothing(queryset)
        matching = RawSQL(f"SELECT case_id FROM {TABLE} WHERE {MATCH}", (text,))
        return queryset.filter(pk__in=matching).annotate(rank=_HeadRank(F("pk"), Value(text)))
    return _simple_search(queryset, q)


class _HeadRank(Func):
    """RANK of a case (its id, then the query's web-search text), read from TABLE."""

    output_field = FloatField()

    def as_sql(self, compiler, connection, **extra_context):
        (pk_sql, pk_params), (text_sql, text_params) = (
            compiler.compile(expression) for expression in self.get_source_expressions()
        )
        rank = RANK.replace("%s", text_sql)
        return f"(SELECT {rank} FROM {TABLE} WHERE case_id = {pk_sql})", [*text_params, *pk_params]


@contextmanager
def _settings(using: str, **values):
    """PostgreSQL settings for the statements run inside (in a transaction, or a savepoint of
    the caller's), put back to their defaults after."""
    with transaction.atomic(using=using), connections[using].cursor() as cursor:
        for name, value in values.items():
            cursor.execute("SELECT set_config(%s, %s, true)", [name.replace("__", "."), str(value)])
        yield cursor
        for name in values:
            cursor.execute(f"RESET {name.replace('__', '.')}")


def ranks(q: str, using: str) -> dict[int, float]:
    """id -> rank of every case, published or not, that ``q`` matches: what search() annotates,
    read from TABLE alone (PostgreSQL), for the filter engine's hits.

    Always through the GIN index: for a word most cases contain the planner would rather
    scan the table, which reads every matching case's vector; the index answers a match of
    words exactly and reads none (a "phrase" still reads the vectors of the cases that have
    all its words, to check their positions).
    """
    text = websearch_text(q)
    if not text:
        return {}
    with _settings(using, enable_seqscan="off") as cursor:
        cursor.execute(f"SELECT case_id, {RANK} FROM {TABLE} WHERE {MATCH}", [text, text])
        return dict(cursor.fetchall())


def fuzzy_search(queryset, q: str):
    """Cases whose title or organization name looks like ``q`` (word similarity at least
    FUZZY_THRESHOLD), annotated with it as ``rank``. PostgreSQL only.

    The candidates are found first, through the trigram indexes of titles and organization
    names (the similarity operators, at FUZZY_THRESHOLD), rather than by comparing ``q``
    with every title.
    """
    q = clean_query(q)
    # Trigrams of one or two letters match almost anything: not worth a guess.
    if sum(ch.isalnum() for ch in q) < 4 or not is_postgres(queryset):
        return _nothing(queryset)
    cases = queryset.model._base_manager.using(queryset.db)
    near = (
        cases.filter(title__trigram_word_similar=q)
        .values_list("pk", flat=True)
        .union(cases.filter(organization__name__trigram_word_similar=q).values_list("pk", flat=True))
    )
    with _settings(queryset.db, pg_trgm__word_similarity_threshold=FUZZY_THRESHOLD):
        ids = list(near)
    similarity = Greatest(
        TrigramWordSimilarity(Value(q), "title"),
        TrigramWordSimilarity(Value(q), "organization__name"),
    )
    return queryset.filter(pk__in=ids).annotate(rank=similarity).filter(rank__gte=FUZZY_THRESHOLD)


def _nothing(queryset):
    """No cases, still annotated with ``rank`` so that callers may sort by it."""
    return queryset.none().annotate(rank=Value(0.0, output_field=FloatField()))


# ts_headline's options for a snippet: two fragments of 15-35 words, terms between markers.
HEADLINE = {
    "StartSel": START,
    "StopSel": STOP,
    "MaxWords": 35,
    "MinWords": 15,
    "MaxFragments": 2,
    "FragmentDelimiter": " … ",
}
# ts_headline parses the whole text it is given (6.6 KB of body on average at 20,000
# synthetic cases: 2-3 ms a case). It is first given the summary and this much of the body,
# which holds a match in most cases; the whole text only when that holds none and the
# body has a match (the C part of the case's stored vector says so).
SNIPPET_REACH = 2000


def snippet_sources(queryset, q: str) -> dict[int, str]:
    """id -> the text a snippet is made from, for the cases of ``queryset`` (the page's):
    PostgreSQL's headline with START/STOP markers, else the summary and body as they are."""
    if not is_postgres(queryset):
        text = Concat(F("summary"), Value("\n"), F("body_text"), output_field=TextField())
        return dict(queryset.annotate(snippet_source=text).values_list("pk", "snippet_source"))
    connection = connections[queryset.db]
    options = ", ".join(connection.ops.compose_sql(f"{name}=%s", [value]) for name, value in HEADLINE.items())
    text = websearch_text(q)

    def headline(body: str) -> str:
        return f"ts_headline('{CONFIG}', coalesce(c.summary, '') || E'\\n' || {body}, {TSQUERY}, %s)"

    cases, params = queryset.values("pk").query.sql_with_params()
    sql = f"""
        SELECT c.id,
            CASE WHEN strpos(h.first, %s) > 0
                    OR NOT coalesce(ts_filter(s.vector, '{{c}}') @@ {TSQUERY}, false)
                THEN h.first ELSE {headline("coalesce(c.body_text, '')")} END
        FROM {queryset.model._meta.db_table} c
        LEFT JOIN {TABLE} s ON s.case_id = c.id
        CROSS JOIN LATERAL (SELECT {headline(f"left(coalesce(c.body_text, ''), {SNIPPET_REACH})")} AS first) h
        WHERE c.id IN ({cases})
    """
    with connection.cursor() as cursor:
        cursor.execute(sql, [START, text, text, options, text, options, *params])
        return dict(cursor.fetchall())


def snippet_html(case, q: str) -> SafeString:
    """Safe HTML for a search result's snippet: escaped text plus our own <mark> tags."""
    source = getattr(case, "snippet_source", "") or ""
    if START in source or STOP in source:
        return _markers_to_html(source)
    return _highlight_terms(source, [term for term, negated in parse_terms(q) if not negated])


def parse_terms(q: str) -> list[tuple[str, bool]]:
    """Words and "quoted phrases" of a query, each with whether it is excluded (-word)."""
    return [(term.text, term.negated) for term in query_terms(q)[0]]


FIELDS_BY_WEIGHT = (
    (4, ("title",)),
    (2, ("summary", "framing_question", "search_text")),
    (1, ("body_text",)),
)


def _simple_search(queryset, q: str):
    terms = parse_terms(q)
    if not any(not negated for _, negated in terms):
        # Only exclusions ("-word"): nothing to rank by, but callers still sort by rank.
        return _nothing(queryset)
    condition, scores = Q(), []
    for term, negated in terms:
        matches = Q()
        for _weight, fields in FIELDS_BY_WEIGHT:
            for field in fields:
                matches |= Q(**{f"{field}__icontains": term})
        if negated:
            condition &= ~matches
            continue
        condition &= matches
        scores.append(
            Case(
                *[
                    When(
                        Q.create([(f"{field}__icontains", term) for field in fields], connector=Q.OR),
                        then=Value(w),
                    )
                    for w, fields in FIELDS_BY_WEIGHT
                ],
                default=Value(0),
                output_field=FloatField(),
            )
        )
    rank = scores[0]
    for score in scores[1:]:
        rank = rank + score
    return queryset.filter(condition).annotate(rank=rank)


def _markers_to_html(source: str) -> SafeString:
    out, open_ = [], False
    for part in re.split(f"([{START}{STOP}])", source):
        if part == START:
            if not open_:
                out.append("<mark>")
                open_ = True
        elif part == STOP:
            if open_:
                out.append("</mark>")
                open_ = False
        else:
            out.append(str(escape(part)))
    if open_:
        out.append("</mark>")
    return mark_safe("".join(out))  # noqa: S308 - every piece of text above is escaped


def _word_start(text: str, start: int, limit: int) -> int:
    """``start`` moved to the beginning of a word, so a snippet never opens mid-word:
    forward to the next word, not past ``limit`` (the first match); else back to the
    start of the word cut, looking no further than WORD_REACH characters."""
    if start == 0 or text[start - 1].isspace():
        return start
    space = text.find(" ", start, limit)
    if space >= 0:
        return space + 1
    space = text.rfind(" ", max(0, start - WORD_REACH), start)
    return space + 1 if space >= 0 else start


def _highlight_terms(text: str, terms: list[str], width: int = 240) -> SafeString:
    """A window of plain text around the first term, escaped, with terms marked."""
    text = " ".join(text.split())
    if not text:
        return mark_safe("")
    lowered = text.lower()
    positions = [lowered.find(t.lower()) for t in terms if t and lowered.find(t.lower()) >= 0]
    start = max(0, min(positions) - width // 3) if positions else 0
    start = _word_start(text, start, min(positions) if positions else start)
    window = text[start : start + width]
    if start + width < len(text) and not text[start + width].isspace():
        # End on a whole word too, unless that would leave too little.
        cut = window.rfind(" ")
        window = window[:cut] if cut > width // 2 else window
    prefix = "… " if start > 0 else ""
    suffix = " …" if start + width < len(text) else ""
    if not terms:
        return mark_safe(str(escape(prefix + window + suffix)))  # noqa: S308
    pattern = re.compile("|".join(re.escape(t) for t in sorted(terms, key=len, reverse=True)), re.IGNORECASE)
    out, last = [], 0
    for match in pattern.finditer(window):
        out.append(str(escape(window[last : match.start()])))
        out.append(f"<mark>{escape(match.group(0))}</mark>")
        last = match.end()
    out.append(str(escape(window[last:])))
    return mark_safe(str(escape(prefix)) + "".join(out) + str(escape(suffix)))  # noqa: S308
