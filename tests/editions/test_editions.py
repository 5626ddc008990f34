"""Drafting the next edition from the real Framework: split one, merge two, publish; the crosswalk
accounts for every old recommendation once; the diff page says what changed and why; every
case's applications are shown against both editions, none lost; a draft is never public."""

import datetime
import json
from collections import Counter

import pytest

from casebase.cases.models import Application, CaseStudy
from casebase.commitments.models import Feedback, ReportingCycle, SelfAssessment, Statement
from casebase.core.evidence import SHOWN_GRADES
from casebase.editions import services
from casebase.editions.diff import word_diff
from casebase.editions.models import EditionChange
from casebase.framework.models import Edition
from tests.conftest import client_for, make_user

pytestmark = pytest.mark.django_db

SPLIT_TITLES = ("Zanzibar part one of the split", "Quixotic part two of the split")
MERGED_TITLE = "Xylophone merged recommendation"
DRAFT_ONLY = (*SPLIT_TITLES, MERGED_TITLE)


def applied_counts(old):
    """Published cases' applications of each old recommendation, as the public pages count them."""
    return Counter(
        Application.objects.of_published_cases()
        .filter(recommendation__edition=old, grade__in=SHOWN_GRADES)
        .values_list("recommendation__key", flat=True)
    )


@pytest.fixture
def editor(casebase_data):
    return make_user("editor", is_staff=True)


@pytest.fixture
def staff(editor):
    return client_for(editor)


@pytest.fixture
def picks(casebase_data):
    """The old recommendation with the most applications is split; the next two are merged."""
    counts = applied_counts(casebase_data)
    keys = [k for k, _ in counts.most_common()]
    assert len(keys) >= 4, "the real data applies at least four recommendations"
    return {"split": keys[0], "merge": sorted(keys[1:3]), "rename": keys[3]}


@pytest.fixture
def feedback(casebase_data, picks):
    """Public feedback (from a published case) and private feedback (a draft self-assessment)."""
    old = {r.key: r for r in casebase_data.recommendations.all()}
    case = CaseStudy.objects.published().order_by("slug").first()
    public = Feedback.objects.create(kind="unclear", text="Two practices hide in one sentence.", case=case)
    public.recommendations.set([old[picks["split"]]])
    cycle = ReportingCycle.objects.create(
        slug="2025-review", title="2025 review", edition=casebase_data,
        opens_on=datetime.date(2025, 1, 1), deadline=datetime.date(2025, 3, 1),
    )  # fmt: skip
    assessment = SelfAssessment.objects.create(cycle=cycle, organization=case.organization)
    statement = Statement.objects.create(assessment=assessment, recommendation=old[picks["merge"][0]])
    private = Feedback.objects.create(
        kind="conflicting", text="Secret remark of a draft.", statement=statement
    )
    private.recommendations.set([old[picks["merge"][0]]])
    return {"public": public, "private": private}


def draft_titles_absent(client, paths):
    for path in paths:
        response = client.get(path)
        assert response.status_code in (200, 404), (path, response.status_code)
        body = b"".join(response.streaming_content) if response.streaming else response.content
        for title in DRAFT_ONLY:
            assert title.encode() not in body, (path, title)
        assert b"2025-draft-title" not in body, path


def test_draft_split_merge_publish_crosswalk_and_both_editions(casebase_data, staff, editor, picks, feedback):
    old = casebase_data
    old_recs = list(old.recommendations.all())
    before = applied_counts(old)
    total_before = sum(before.values())

    # Draft the next edition through the staff page.
    response = staff.post("/review/editions/", {"slug": "2025", "title": "2025-draft-title"})
    assert response.status_code == 302
    draft = Edition.objects.get(slug="2025")
    assert draft.is_draft and not draft.is_current and draft.based_on == old
    assert draft.recommendations.count() == len(old_recs)
    assert set(draft.recommendations.values_list("key", flat=True)) == {r.key for r in old_recs}
    copy = draft.recommendations.get(key=picks["split"])
    original = old.recommendations.get(key=picks["split"])
    assert copy.previous == original and list(copy.predecessors.all()) == [original]
    assert set(copy.roles.all()) == set(original.roles.all())
    assert set(copy.principles.all()) == set(original.principles.all())

    # Split: a bad form is refused with 422 and every value kept.
    split_url = f"/review/editions/2025/split/{picks['split']}/"
    bad = {"key_0": "Not A Key!", "title_0": SPLIT_TITLES[0], "key_1": "x-2", "title_1": SPLIT_TITLES[1],
           "reason": "Kept reason " * 3}  # fmt: skip
    response = staff.post(split_url, bad)
    assert response.status_code == 422
    assert b"Not A Key!" in response.content and b"Kept reason" in response.content
    duplicate = bad | {"key_0": picks["merge"][0]}
    response = staff.post(split_url, duplicate)
    assert response.status_code == 422 and b"already has a recommendation with the key" in response.content
    too_long = bad | {"key_0": "x-1", "reason": "r" * 2001}
    assert staff.post(split_url, too_long).status_code == 422
    good = bad | {"key_0": f"{picks['split']}-a", "key_1": f"{picks['split']}-b",
                  "text_0": "Label what you make.", "text_1": "Keep records of what you label.",
                  "reason": "Feedback said two practices hid in one.", "feedback": [feedback["public"].pk]}  # fmt: skip
    response = staff.post(split_url, good)
    assert response.status_code == 302, response.content[:2000]
    # The same recommendation cannot be changed twice.
    assert staff.post(split_url, good).status_code == 404  # its copy is gone from the draft

    # Merge two into one.
    ids = list(draft.recommendations.filter(key__in=picks["merge"]).values_list("pk", flat=True))
    response = staff.post(
        "/review/editions/2025/merge/",
        {"recommendations": ids, "key": "merged-practice", "title": MERGED_TITLE, "text": "One practice.",
         "reason": "They overlapped.", "feedback": [feedback["private"].pk]},
    )  # fmt: skip
    assert response.status_code == 302, response.content[:2000]

    # A rename with a text change, through the service.
    renamed = draft.recommendations.get(key=picks["rename"])
    services.change_recommendation(
        edition=draft, recommendation=renamed, title=renamed.title + " (clarified)",
        text=(renamed.text or "It asks.") + " Clearly, <script>alert(1)</script>.",
        reason="Clearer wording.", by=editor,
    )  # fmt: skip

    # While a draft: never public.
    anonymous = client_for(None)
    public_paths = [
        "/", "/framework/", "/framework/2023/", "/framework/2025/", f"/recommendations/{picks['split']}/",
        f"/recommendations/{picks['split']}-a/", "/recommendations/merged-practice/",
        f"/cases/?rec={picks['split']}-a", "/cases/?rec=merged-practice", "/cases/?format=json",
        "/api/editions/", "/api/editions/2025/", "/api/recommendations/", "/api/recommendations/?edition=2025",
        "/api/sections/?edition=2025", "/analysis/gaps/", "/analysis/matrix/", "/analysis/matrix/?edition=2025",
        "/analysis/matrix.csv?edition=2025", "/analysis/crosstabs/", "/analysis/data/snapshot.json",
        "/framework/2025/crosswalk/", "/framework/2025/crosswalk.json", "/framework/2025/changes/",
        "/analysis/together/?rec=merged-practice",
    ]  # fmt: skip
    draft_titles_absent(anonymous, public_paths)
    # Nor in the supporter's case form (its recommendations are the current edition's).
    supporter = client_for(make_user("supporter", CaseStudy.objects.published().first().organization))
    draft_titles_absent(supporter, ["/submit/new/", "/api/recommendations/merged-practice/"])
    assert anonymous.get("/framework/2025/").status_code == 404
    assert anonymous.get("/framework/2025/changes/").status_code == 404
    assert anonymous.get("/api/editions/2025/").status_code == 404
    assert staff.get("/framework/2025/crosswalk/").status_code == 404  # public pages: drafts are 404 to all
    # Staff see the draft, its changes and the crosswalk as it stands.
    page = staff.get("/review/editions/2025/")
    assert page.status_code == 200 and MERGED_TITLE.encode() in page.content

    # Publish.
    response = staff.post("/review/editions/2025/publish/")
    assert response.status_code == 302
    draft.refresh_from_db()
    old.refresh_from_db()
    assert draft.is_current and not draft.is_draft and draft.published_on
    assert not old.is_current and Edition.objects.current() == draft

    # The crosswalk: every old recommendation exactly once, kinds right.
    data = json.loads(anonymous.get("/framework/2025/crosswalk.json").content)
    rows = data["crosswalk"]
    assert Counter(r["old_key"] for r in rows) == Counter(r.key for r in old_recs)
    kinds = {r["old_key"]: r["kind"] for r in rows}
    successors = {r["old_key"]: r["new_keys"] for r in rows}
    assert kinds[picks["split"]] == "split"
    assert successors[picks["split"]] == [f"{picks['split']}-a", f"{picks['split']}-b"]
    for key in picks["merge"]:
        assert kinds[key] == "merged" and successors[key] == ["merged-practice"]
    assert kinds[picks["rename"]] == "changed"
    untouched = {r.key for r in old_recs} - {picks["split"], picks["rename"], *picks["merge"]}
    assert all(kinds[k] == "same" and successors[k] == [k] for k in untouched)
    csv_body = anonymous.get("/framework/2025/crosswalk.csv").content.decode()
    assert len(csv_body.strip().splitlines()) == len(old_recs) + 1

    # Every application of a published case appears against both editions, none lost.
    assert sum(len(r["applications"]) for r in rows) == total_before
    assert Counter({r["old_key"]: len(r["applications"]) for r in rows if r["applications"]}) == before
    assert applied_counts(old) == before  # history is not rewritten
    assert not Application.objects.filter(recommendation__edition=draft).exists()
    crosswalk_page = anonymous.get("/framework/2025/crosswalk/").content.decode()
    for row in rows:
        assert f'id="old-{row["old_key"]}" data-kind="{row["kind"]}"' in crosswalk_page
    cases = {a["case"] for r in rows for a in r["applications"]}
    new_titles = {r.key: r.title for r in draft.recommendations.all()}
    for slug in sorted(cases):
        page = anonymous.get(f"/cases/{slug}/").content.decode()
        for row in rows:
            if any(a["case"] == slug for a in row["applications"]):
                assert "In the 2025 edition:" in page, slug
                for key in row["new_keys"]:
                    assert new_titles[key].replace("<", "&lt;") in page, (slug, key)

    # The diff page: per kind, with reasons, the word diff, and feedback only where public.
    changes = anonymous.get("/framework/2025/changes/")
    body = changes.content.decode()
    assert changes.status_code == 200
    for label in ("Split (1)", "Merged (1)", "Changed (1)"):
        assert label in body
    assert "Feedback said two practices hid in one." in body and "They overlapped." in body
    assert "Two practices hide in one sentence." in body
    assert "Secret remark of a draft." not in body and "staff feedback" in body
    assert "<ins>" in body and "[added: " in body and "&lt;script&gt;" in body and "<script>alert" not in body

    # After publishing the site keeps working: by key, filtering and analysis.
    old_page = anonymous.get(f"/recommendations/{picks['split']}/").content.decode()
    assert "In the 2025 edition:" in old_page and SPLIT_TITLES[0] in old_page and SPLIT_TITLES[1] in old_page
    assert anonymous.get(f"/recommendations/{picks['split']}-a/").status_code == 200
    assert b"/framework/2025/changes/" in anonymous.get("/framework/").content
    listed = anonymous.get(f"/cases/?rec={picks['split']}")
    assert listed.status_code == 200
    for path in (
        "/",
        "/framework/",
        "/framework/2023/",
        "/analysis/gaps/",
        "/analysis/matrix/",
        "/api/editions/",
    ):
        assert anonymous.get(path).status_code == 200, path
    assert EditionChange.objects.filter(edition=draft).count() == 3


def test_word_diff_is_bounded_and_right():
    pieces = word_diff("Label the content you make.", "Label all the synthetic content you make.")
    assert [p.op for p in pieces] == ["same", "ins", "same", "ins", "same"]
    assert "".join(p.text for p in pieces if p.op != "del") == "Label all the synthetic content you make."
    hostile_a, hostile_b = "a " * 200_000, "b a " * 200_000
    pieces = word_diff(hostile_a, hostile_b)  # capped: too many edits to diff, shown old then new
    assert sum(len(p.text) for p in pieces) <= 2 * 20_000 + 10
    assert [p.op for p in pieces] == ["del", "ins", "same", "del", "ins"]


def test_word_diff_removes_and_adds_exactly_the_words_that_differ():
    import random

    rng = random.Random(15)
    for _ in range(500):
        vocab = rng.choice(["ab", "abcd", "abcdefghij"])
        old = " ".join(rng.choice(vocab) for _ in range(rng.randint(0, 40)))
        new = " ".join(rng.choice(vocab) for _ in range(rng.randint(0, 40)))
        pieces = word_diff(old, new)
        # Each side reads back word for word, spaces kept between removed and kept words.
        assert "".join(p.text for p in pieces if p.op != "ins").split() == old.split()
        assert "".join(p.text for p in pieces if p.op != "del").split() == new.split()
    # Few edits, whatever the length: only the changed words are marked.
    old = " ".join(f"w{i}" for i in range(1500))
    new = old.replace("w700 ", "w700 inserted ").replace(" w1200 ", " ")
    pieces = word_diff(old, new)
    assert [(p.op, p.text.strip()) for p in pieces if p.op != "same"] == [
        ("ins", "inserted"),
        ("del", "w1200"),
    ]


def test_one_change_per_recommendation_and_nothing_lost(casebase_data, editor):
    draft = services.draft_next_edition(slug="2025", title="Next", by=editor)
    rec = draft.recommendations.order_by("key").first()
    services.retire_recommendation(edition=draft, recommendation=rec, reason="Obsolete.", by=editor)
    other = draft.recommendations.order_by("key").first()
    services.change_recommendation(edition=draft, recommendation=other, title="New name", text=other.text,
                                   reason="Rename.", by=editor)  # fmt: skip
    with pytest.raises(services.EditionError):
        services.change_recommendation(edition=draft, recommendation=other, title="Again", text="",
                                       reason="Twice.", by=editor)  # fmt: skip
    with pytest.raises(services.EditionError):
        services.draft_next_edition(slug="2026", title="Another", by=editor)
    section = draft.sections.order_by("order").first()
    # A retired key is never given to another recommendation: it would inherit the retired one's cases.
    with pytest.raises(services.EditionError, match="belonged to another recommendation"):
        services.add_recommendation(edition=draft, section=section, key=rec.key, title="Not it", text="",
                                    reason="Reuse.", by=editor)  # fmt: skip
    services.add_recommendation(edition=draft, section=section, key="brand-new", title="New one", text="",
                                reason="Missing.", by=editor)  # fmt: skip
    entries = services.crosswalk(draft)
    assert len(entries) == casebase_data.recommendations.count()
    kinds = Counter(e.kind for e in entries)
    assert kinds["retired"] == 1 and kinds["renamed"] == 1
    services.publish_edition(edition=draft, by=editor)
    from casebase.framework.crosswalk import later_versions

    retired_old = casebase_data.recommendations.get(key=rec.key)
    kept_old = casebase_data.recommendations.get(key=other.key)
    later = later_versions([retired_old, kept_old])
    assert later[retired_old.pk].is_retired and later[retired_old.pk].retired_in == draft
    assert [r.title for r in later[kept_old.pk].successors] == ["New name"]
    with pytest.raises(services.EditionError):
        services.retire_recommendation(edition=draft, recommendation=other, reason="Late.", by=editor)


def test_staff_pages_and_publics_refusals(casebase_data, staff, editor):
    assert staff.get("/review/editions/").status_code == 200
    response = staff.post("/review/editions/", {"slug": "2023", "title": "x" * 10})
    assert response.status_code == 422 and b"already exists" in response.content
    response = staff.post("/review/editions/", {"slug": "bad slug!", "title": "Kept title"})
    assert response.status_code == 422 and b"Kept title" in response.content
    # The first edition was drafted from none: it has no crosswalk.
    assert client_for(None).get("/framework/2023/crosswalk/").status_code == 404
    assert client_for(None).get("/framework/2023/crosswalk.xml").status_code == 404


def test_snapshot_holds_published_editions_and_their_changes_only(casebase_data, editor):
    from casebase.datasets import snapshot

    draft = services.draft_next_edition(slug="2025", title="Next", by=editor)
    recs = list(draft.recommendations.order_by("key"))
    services.merge_recommendations(edition=draft, recommendations=recs[:2], key="joined", title="Joined",
                                   text="", reason="Overlap.", by=editor)  # fmt: skip
    while_draft = snapshot.build(datetime.date(2026, 1, 1))["data"]
    assert {e["slug"] for e in while_draft["editions"]} == {"2023"}
    assert while_draft["edition_changes"] == []
    assert not [r for r in while_draft["recommendations"] if r["edition"] == "2025"]
    services.publish_edition(edition=draft, by=editor)
    data = snapshot.build(datetime.date(2026, 1, 1))["data"]
    assert any(e["slug"] == "2025" and e["based_on"] == "2023" for e in data["editions"])
    assert data["edition_changes"] == [
        {"edition": "2025", "kind": "merged", "old": sorted([["2023", recs[0].key], ["2023", recs[1].key]]),
         "new": [["2025", "joined"]], "reason": "Overlap.", "feedback": []}
    ]  # fmt: skip
    joined = next(r for r in data["recommendations"] if r["key"] == "joined")
    assert joined["predecessors"] == sorted([["2023", recs[0].key], ["2023", recs[1].key]])


def test_drafting_keeps_the_cached_pages_and_publishing_renews_them(
    casebase_data, editor, django_capture_on_commit_callbacks
):
    from casebase.core import pagecache

    before = pagecache.content_version()
    with django_capture_on_commit_callbacks(execute=True):
        draft = services.draft_next_edition(slug="2025", title="Next", by=editor)
        rec = draft.recommendations.order_by("key").first()
        services.retire_recommendation(edition=draft, recommendation=rec, reason="Obsolete.", by=editor)
    assert pagecache.content_version() == before  # a draft is on no public page
    with django_capture_on_commit_callbacks(execute=True):
        services.publish_edition(edition=draft, by=editor)
    assert pagecache.content_version() != before
