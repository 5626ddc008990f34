"""Related cases, counted on the facet index, against an independent count from plain rows,
after each publish, edit and unpublish; and the reason each one gives."""

import pytest
from django.db import connection

from casebase.cases import collections, writing
from casebase.cases.models import CaseStudy
from casebase.cases.related import Counter, reason
from casebase.framework.models import Recommendation
from tests.cases.factories import make_case
from tests.conftest import client_for, make_reader
from tests.independent import Records

pytestmark = pytest.mark.django_db

# Written out here on purpose, not imported: what sharing one value weighs.
WEIGHTS = {"recs": 3, "tags": 2, "principles": 1, "roles": 1}


def expected(slug: str, limit: int = 5) -> list[tuple[str, dict[str, int]]]:
    """The most related published cases and how many values of each kind they share, from plain rows."""
    records = Records("all")
    by_slug = {r.slug: r for r in records.cases.values()}
    me = by_slug[slug]
    scored = []
    for other in records.cases.values():
        if other.pk == me.pk:
            continue
        shared = {kind: len(getattr(me, kind) & getattr(other, kind)) for kind in WEIGHTS}
        if shared["recs"] or shared["tags"]:
            score = sum(WEIGHTS[kind] * n for kind, n in shared.items())
            scored.append((score, shared["recs"], other.pk, shared))
    newest = {pk: i for i, pk in enumerate(records.newest_first([pk for *_, pk, _ in scored]))}
    scored.sort(key=lambda s: (-s[0], -s[1], newest[s[2]]))
    return [(records.cases[pk].slug, shared) for _, _, pk, shared in scored[:limit]]


def expected_for_collection(slugs: list[str], limit: int = 5) -> list[tuple[str, int]]:
    """The cases most like a collection's, from plain rows: a case related to any of its cases
    (a recommendation or topic in common), scored by the sum of what it shares with each of
    them; ties to more distinct shared recommendations, then the newest."""
    records = Records("all")
    by_slug = {r.slug: r for r in records.cases.values()}
    items = [by_slug[slug] for slug in slugs]
    scored = []
    for other in records.cases.values():
        if other.slug in slugs:
            continue
        score = sum(
            WEIGHTS[kind] * len(getattr(item, kind) & getattr(other, kind))
            for item in items
            for kind in WEIGHTS
        )
        recs = set().union(*(item.recs for item in items)) & other.recs
        tags = set().union(*(item.tags for item in items)) & other.tags
        if recs or tags:
            scored.append((score, len(recs), other.pk))
    newest = {pk: i for i, pk in enumerate(records.newest_first([pk for *_, pk in scored]))}
    scored.sort(key=lambda s: (-s[0], -s[1], newest[s[2]]))
    return [(records.cases[pk].slug, score) for score, _, pk in scored[:limit]]


def collection_of(owner, slugs: list[str]):
    collection = collections.create(owner=owner, name="Mine")
    for slug in slugs:
        collections.add_case(collection=collection, case=CaseStudy.objects.get(slug=slug))
    return collection


def shown(client, slug: str) -> list[tuple[str, dict[str, int]]]:
    related = client.get(f"/cases/{slug}/").context["related"]
    return [
        (
            case.slug,
            {
                "recs": len(case.shared["rec"]),
                "tags": len(case.shared["tag"]),
                "principles": len(case.shared["principle"]),
                "roles": len(case.shared["role"]),
            },
        )
        for case in related
    ]


def test_related_cases_equal_an_independent_count_after_publish_edit_and_unpublish(
    client, casebase_data, org_a
):
    base = make_case(
        org_a,
        "base",
        tags=["alpha", "beta"],
        roles=["builder"],
        principles=["consent"],
        recs=[("collective-1", "implemented"), ("creators-2", "partial")],
    )
    make_case(org_a, "shares-a-rec", roles=["builder"], recs=[("collective-1", "implemented")])
    make_case(org_a, "shares-a-topic", tags=["alpha"], principles=["consent"])
    make_case(org_a, "shares-only-a-role", roles=["builder"], principles=["consent"])
    assert shown(client, "base") == expected("base")
    assert "shares-only-a-role" not in [slug for slug, _ in shown(client, "base")]

    # Publish: a case sharing more comes first at once.
    make_case(org_a, "shares-most", tags=["alpha", "beta"], recs=[("collective-1", "implemented")])
    assert shown(client, "base")[0][0] == "shares-most"
    assert shown(client, "base") == expected("base")

    # Edit: the base case drops a topic and a recommendation; another gains the one it keeps.
    collective_1 = Recommendation.objects.filter(key="collective-1").latest("edition__published_on")
    writing.save_case(
        base, tags=["alpha"], applications=[writing.ApplicationData(collective_1, {"status": "implemented"})]
    )
    writing.save_case(
        CaseStudy.objects.get(slug="shares-a-topic"),
        applications=[writing.ApplicationData(collective_1, {"status": "partial"})],
    )
    # It now shares the recommendation, the topic and the principle: 3 + 2 + 1.
    assert shown(client, "base")[0] == ("shares-a-topic", {"recs": 1, "tags": 1, "principles": 1, "roles": 0})
    assert shown(client, "base") == expected("base")

    # Unpublish: the case is gone from every related list.
    writing.save_case(CaseStudy.objects.get(slug="shares-most"), fields={"is_published": False})
    assert "shares-most" not in [slug for slug, _ in shown(client, "base")]
    assert shown(client, "base") == expected("base")


def test_each_related_case_says_why(client, casebase_data, org_a):
    make_case(
        org_a,
        "why-base",
        tags=["consent-tag"],
        roles=["creator"],
        recs=[("collective-1", "implemented"), ("creators-2", "implemented")],
    )
    make_case(
        org_a,
        "why-twin",
        title="The twin",
        tags=["consent-tag"],
        roles=["creator"],
        recs=[("collective-1", "implemented"), ("creators-2", "partial")],
    )
    response = client.get("/cases/why-base/")
    twin = next(c for c in response.context["related"] if c.slug == "why-twin")
    assert twin.reason.startswith("Shares 2 recommendations (")
    assert "the topic consent-tag" in twin.reason and "the stakeholder role Creator" in twin.reason
    assert twin.reason in response.text.replace("&#x27;", "'")


def test_a_reason_names_a_few_and_counts_the_rest():
    assert reason({"rec": ["A"]}) == "Shares the recommendation A."
    assert reason({"rec": ["A", "B", "C", "D", "E"], "tag": ["x", "y"]}) == (
        "Shares 5 recommendations (A, B, C and 2 more) and the topics x and y."
    )
    assert reason({"rec": [], "tag": ["x"], "principle": ["Consent"], "role": ["Builder"]}) == (
        "Shares the topic x, the principle Consent and the stakeholder role Builder."
    )


def test_the_counter_adds_weighted_masks_per_position():
    counter = Counter()
    masks = [0b1011, 0b0110, 0b0011, 0b1000]
    weights = [3, 2, 1, 5]
    for mask, weight in zip(masks, weights, strict=True):
        counter.add(mask, weight)
    for p in range(4):
        want = sum(w for m, w in zip(masks, weights, strict=True) if m >> p & 1)
        got = sum(1 << j for j, plane in enumerate(counter.planes) if plane >> p & 1)
        assert got == want, p
    assert counter.best(0b1111) == 0b1000  # 3 + 5


def test_the_counter_starts_with_any_weight():
    """A case sharing only topics adds weight 2 first: bit 1 before any bit 0."""
    counter = Counter()
    counter.add(0b01, 2)
    counter.add(0b11, 4)
    assert counter.planes == [0, 0b01, 0b11]


def test_a_case_sharing_only_a_topic_is_related(client, casebase_data, org_a):
    make_case(org_a, "topic-only", tags=["only-a-topic"])
    make_case(org_a, "topic-twin", tags=["only-a-topic"])
    related = client.get("/cases/topic-only/").context["related"]
    assert [c.slug for c in related] == ["topic-twin"]
    assert related[0].reason == "Shares the topic only-a-topic."


def test_cases_like_a_collection_count_a_value_once_for_each_case_that_has_it(casebase_data, org_a):
    """Two of the collection's cases have the topic alpha-x, one has beta-x and consent. A case
    sharing alpha-x relates to two of them (2 + 2); one sharing beta-x and the principle to one
    (2 + 1): the first comes first, though counted once alpha-x would weigh less."""
    make_case(org_a, "item-1", tags=["alpha-x"])
    make_case(org_a, "item-2", tags=["alpha-x"])
    make_case(org_a, "item-3", tags=["beta-x"], principles=["consent"])
    make_case(org_a, "like-alpha", tags=["alpha-x"])
    make_case(org_a, "like-beta", tags=["beta-x"], principles=["consent"])  # newer, so first on a tie
    ada = make_reader("ada")
    collection = collection_of(ada, ["item-1", "item-2", "item-3"])
    related = client_for(ada).get(collection.get_absolute_url()).context["related"]
    assert [(c.slug, c.overlap) for c in related] == [("like-alpha", 4), ("like-beta", 3)]
    assert [c.reason for c in related] == [
        "Shares the topic alpha-x.",  # named once, though two of the cases have it
        "Shares the topic beta-x and the principle Consent.",
    ]
    assert [(c.slug, c.overlap) for c in related] == expected_for_collection(["item-1", "item-2", "item-3"])


def test_cases_like_a_collection_of_real_cases_equal_an_independent_count(casebase_data):
    slugs = ["bbc", "d-id", "meta"]
    ada = make_reader("ada")
    collection = collection_of(ada, slugs)
    related = client_for(ada).get(collection.get_absolute_url()).context["related"]
    assert len(related) == 5
    assert not {c.slug for c in related} & set(slugs)  # never the collection's own cases
    assert [(c.slug, c.overlap) for c in related] == expected_for_collection(slugs)
    assert all(c.reason.startswith("Shares ") for c in related)


def test_a_case_page_and_a_collection_of_that_one_case_show_the_same(client, casebase_data):
    ada = make_reader("ada")
    collection = collection_of(ada, ["meta"])
    on_case = client.get("/cases/meta/").context["related"]
    on_collection = client_for(ada).get(collection.get_absolute_url()).context["related"]
    assert [(c.slug, c.reason) for c in on_case] == [(c.slug, c.reason) for c in on_collection]
    assert on_case


postgres_only = pytest.mark.skipif(
    connection.vendor != "postgresql", reason="PostgreSQL-only feature (pg_trgm similarity of wording)"
)
ALIKE = (
    "How quillwort ferns were surveyed along the lake shore",
    "Volunteers counted quillwort ferns along the lake shore each spring, using the same transects.",
)


def wording_cases(org_a):
    title, summary = ALIKE
    make_case(org_a, "wording-base", title=title, summary=summary, tags=["lake-survey"])
    make_case(
        org_a,
        "wording-twin",
        title=title.replace("were", "are"),
        summary=summary.replace("each spring", "every spring"),
        tags=["lake-survey"],
    )
    # Shares as much by the facets, and is newer: first when wording does not count.
    make_case(
        org_a,
        "wording-other",
        title="Labelling synthetic voices in radio adverts",
        summary="A broadcaster added spoken notices before adverts that used cloned voices.",
        tags=["lake-survey"],
    )


@postgres_only
def test_on_postgresql_cases_worded_alike_rank_above_those_sharing_only_the_facets(
    client, casebase_data, org_a
):
    wording_cases(org_a)
    related = client.get("/cases/wording-base/").context["related"]
    assert [c.slug for c in related] == ["wording-twin", "wording-other"]
    twin, other = related
    assert twin.overlap == other.overlap == 2  # the same facets: only the wording differs
    assert twin.similarity > 0.5 > other.similarity
    assert twin.reason == "Shares the topic lake-survey and similar wording."
    assert other.reason == "Shares the topic lake-survey."


def test_without_postgresql_related_cases_are_by_the_facets_alone(client, casebase_data, org_a, monkeypatch):
    """SQLite has no trigram similarity: the facets decide, newest first on a tie, and no reason
    speaks of wording (on PostgreSQL the same path is taken with the wording step turned off)."""
    from casebase.cases import related as related_module

    wording_cases(org_a)
    if connection.vendor == "postgresql":
        monkeypatch.setattr(related_module, "wording", lambda ids, texts: {})
    related = client.get("/cases/wording-base/").context["related"]
    assert [c.slug for c in related] == ["wording-other", "wording-twin"]
    assert all("wording" not in c.reason for c in related)
    if connection.vendor != "postgresql":
        assert all(c.similarity is None for c in related)


@postgres_only
def test_the_wording_is_compared_for_a_bounded_number_of_cases(client, casebase_data, org_a, monkeypatch):
    """Never every case: a case page compares at most CANDIDATES; a collection, with one text
    per case (at most TEXTS_MAX), fewer, so that the pairs stay within WORDING_PAIRS."""
    from casebase.cases import related as related_module

    for n in range(60):
        make_case(org_a, f"many-{n}", summary=f"Case number {n} of many alike, " * 4, tags=["many-alike"])
    seen = []
    real = related_module.wording
    monkeypatch.setattr(
        related_module, "wording", lambda ids, texts: seen.append((ids, texts)) or real(ids, texts)
    )
    client.get("/cases/many-0/")
    [(ids, texts)] = seen
    assert len(ids) == related_module.CANDIDATES and len(texts) == 1
    seen.clear()
    ada = make_reader("ada")
    collection = collection_of(ada, [f"many-{n}" for n in range(8)])
    related = client_for(ada).get(collection.get_absolute_url()).context["related"]
    [(ids, texts)] = seen
    assert len(texts) == related_module.TEXTS_MAX
    assert len(ids) * len(texts) <= related_module.WORDING_PAIRS
    assert len(related) == 5 and all("similar wording" in c.reason for c in related)
