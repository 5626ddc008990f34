"""Supporters' statements in public: the recommendation's timeline, the organization's table, the exports."""

import csv
import io
import json
import re
from collections import Counter
from urllib.parse import urlsplit

import html5lib
import pytest
from django.conf import settings
from django.core.cache import cache
from django.db import connection
from django.db.models import Count, Exists, OuterRef
from django.test import override_settings
from django.test.utils import CaptureQueriesContext

from casebase.cases.models import Application
from casebase.commitments.models import ReportingCycle, SelfAssessment, Statement
from casebase.core.evidence import FACT_GRADES
from casebase.organizations.models import Organization
from tests.commitments import public_world
from tests.commitments.public_world import assessment, state

pytestmark = pytest.mark.django_db


@pytest.fixture
def review(casebase_data, org_a, org_b):
    return public_world.build(casebase_data, org_a, org_b)


def body(response) -> str:
    return b"".join(response.streaming_content).decode() if response.streaming else response.content.decode()


def section(html: str):
    doc = html5lib.parse(html, namespaceHTMLElements=False)
    found = doc.find(".//section[@id='commitments']")
    assert found is not None, "no Commitments section"
    return found


def text_of(element) -> str:
    return " ".join("".join(element.itertext()).split())


# --- the recommendation page ------------------------------------------------------------


def test_recommendation_page_shows_each_supporters_status_per_cycle(client, review):
    response = client.get(review.rec.get_absolute_url())
    assert response.status_code == 200
    commitments = section(response.text)
    table = commitments.find(".//table[@class='commitment-timeline']")
    headers = [text_of(th) for th in table.iterfind("./thead/tr/th")]
    assert headers[1].startswith("2024 review") and headers[2].startswith("2025 review")  # oldest first
    rows = {
        text_of(tr.find("th")): [text_of(td) for td in tr.iterfind("td")]
        for tr in table.iterfind("./tbody/tr")
    }
    assert list(rows) == ["Organization A", "Organization B"]
    assert rows["Organization A"][0].startswith("Planned") and rows["Organization A"][1].startswith(
        "Practised"
    )
    assert rows["Organization B"][0].startswith("Partly practised")
    # The justification is there, as the organization's own words.
    assert "Self-reported by Organization A" in rows["Organization A"][1]
    assert "Every video is labelled." in rows["Organization A"][1]
    assert "not verified by Casebase" in text_of(commitments)
    # Who moved from planned to practised, each linking to its page.
    movement = commitments.find(".//p[@class='commitment-movement']")
    assert text_of(movement).startswith("1 organization moved from planned to practised: Organization A.")
    assert movement.find(".//a").get("href") == "/organizations/org-a/"


def test_cases_cited_as_evidence_are_the_published_ones_linking_to_their_pages(client, review):
    commitments = section(client.get(review.rec.get_absolute_url()).text)
    cases = commitments.find(".//ul[@class='commitment-cases']")
    links = {a.get("href") for a in cases.iterfind("./li/a")}
    assert links == {review.backing.get_absolute_url(), review.unbacked.get_absolute_url()}
    assert "Unpublished case" not in text_of(commitments)


def test_planned_measures_that_came_due_say_whether_a_later_cycle_reports_them_practised(client, review):
    commitments = section(client.get(review.rec.get_absolute_url()).text)
    due = [text_of(li) for li in commitments.iterfind(".//ul[@class='commitment-due']/li")]
    # B's measure is due in 2099: not yet due, not listed.
    assert len(due) == 1
    assert "Label every generated video" in due[0] and "Reported practised in 2025 review" in due[0]


def test_a_measure_due_without_a_later_practised_report_says_so(client, review):
    review.b_planned.planned_by = review.b_planned.planned_by.replace(year=2020)
    review.b_planned.save()
    commitments = section(client.get(review.rec.get_absolute_url()).text)
    due = [text_of(li) for li in commitments.iterfind(".//ul[@class='commitment-due']/li")]
    assert any("Watermark audio" in item and "No later cycle reports on it yet" in item for item in due)


def test_each_count_links_to_exactly_its_statements(client, review):
    response = client.get(review.rec.get_absolute_url())
    counts = section(response.text).find(".//table[@class='commitment-counts']")
    links = [a.get("href") for a in counts.iterfind(".//td/a")]
    assert len(links) == 2 * len(Statement.Status.values)
    seen = 0
    for link, (cycle, numbers) in zip(
        links, [(c, n) for c, ns in response.context["commitments"].counts for n in ns], strict=True
    ):
        status, _, n, url = numbers
        assert link == url
        data = json.loads(client.get(link).content)
        assert data["count"] == n == len(data["results"])
        assert all(r["cycle"] == cycle.slug and r["status"] == status for r in data["results"])
        seen += n
    assert seen == 4  # A: planned, practised; B: partly, planned; never a draft's


def test_empty_state_is_a_plain_sentence(client, review):
    other = review.other.__class__.objects.filter(edition=review.rec.edition).order_by("-key").first()
    commitments = section(client.get(other.get_absolute_url()).text)
    assert text_of(commitments) == (
        "Commitments No supporter has published a self-assessment on this recommendation yet."
    )


def test_cycles_on_different_editions_line_up_by_key(client, review, casebase_data):
    from casebase.framework.models import Edition, Recommendation

    newer = Edition.objects.create(slug="2026", title="2026 edition", published_on="2026-01-01")
    section_ = review.rec.section
    section_.pk, section_.edition = None, newer
    section_.save()
    carried = Recommendation.objects.create(
        edition=newer, section=section_, key=review.rec.key, title="Carried forward", order=1
    )
    c2026 = public_world.cycle(newer, 2026)
    state(assessment(c2026, review.org_a), carried, "practised", "Still labelled.")
    response = client.get(review.rec.get_absolute_url())
    table = section(response.text).find(".//table[@class='commitment-timeline']")
    headers = [text_of(th) for th in table.iterfind("./thead/tr/th")]
    assert [h.split(" (")[0] for h in headers[1:]] == ["2024 review", "2025 review", "2026 review"]
    row_a = next(tr for tr in table.iterfind("./tbody/tr") if text_of(tr.find("th")) == "Organization A")
    assert text_of(row_a.findall("td")[2]).startswith("Practised")


# --- the evidence control ---------------------------------------------------------------


def test_by_default_every_public_statement_counts_flagged_as_self_reported(client, review):
    response = client.get(review.rec.get_absolute_url())
    commitments = response.context["commitments"]
    assert not commitments.is_confirmed_only and commitments.uncounted == 0
    assert len(commitments.rows) == 2
    note = text_of(section(response.text).find(".//p[@class='evidence-control small']"))
    assert note.startswith("Self-reported.") and "Counting every published statement." in note


def test_confirmed_evidence_counts_only_statements_a_confirmed_coding_backs(client, review):
    response = client.get(review.rec.get_absolute_url() + "?evidence=confirmed")
    commitments = response.context["commitments"]
    assert commitments.is_confirmed_only
    # Only A's 2025 statement cites a published case whose confirmed coding applies the recommendation.
    assert [row.subject.slug for row in commitments.rows] == ["org-a"]
    assert [cell and cell.pk for cell in commitments.rows[0].cells] == [None, review.a_practised.pk]
    assert commitments.uncounted == 3
    assert commitments.moved == []  # the planned statement does not count here
    note = text_of(section(response.text).find(".//p[@class='evidence-control small']"))
    assert "Counting confirmed evidence only" in note and "3 published statements" in note
    # The numbers and their links carry the setting.
    totals = {(c.slug, s): n for c, numbers in commitments.counts for s, _, n, _ in numbers}
    assert sum(totals.values()) == 1 and totals[("2025-review", "practised")] == 1
    assert all("evidence=confirmed" in url for _, numbers in commitments.counts for *_, url in numbers)


def test_a_refuted_or_unpublished_backing_does_not_count(client, review):
    Application.objects.filter(case=review.backing, recommendation=review.rec).update(grade="refuted")
    assert client.get(review.rec.get_absolute_url() + "?evidence=confirmed").context["commitments"].rows == []
    Application.objects.filter(case=review.backing, recommendation=review.rec).update(grade="corroborated")
    assert (
        len(client.get(review.rec.get_absolute_url() + "?evidence=confirmed").context["commitments"].rows)
        == 1
    )
    type(review.backing).objects.filter(pk=review.backing.pk).update(is_published=False)
    assert client.get(review.rec.get_absolute_url() + "?evidence=confirmed").context["commitments"].rows == []


# --- the organization page --------------------------------------------------------------


def test_organization_page_shows_its_statuses_by_recommendation_and_cycle_beside_its_cases(client, review):
    response = client.get("/organizations/org-a/")
    assert response.status_code == 200
    assert "Case studies" in response.text  # the case list stays
    commitments = section(response.text)
    table = commitments.find(".//table[@class='commitment-timeline']")
    rows = {
        tr.find("th/a").get("href"): [text_of(td) for td in tr.iterfind("td")]
        for tr in table.iterfind("./tbody/tr")
    }
    assert rows[review.rec.get_absolute_url()][0].startswith("Planned")
    assert rows[review.rec.get_absolute_url()][1].startswith("Practised")
    other = rows[review.other.get_absolute_url()]
    assert other[0] == "No statement" and other[1].startswith("Considered and declined")
    assert "Self-reported by Organization A" in text_of(commitments)
    confirmed = client.get("/organizations/org-a/?evidence=confirmed").context["commitments"]
    assert [row.subject.key for row in confirmed.rows] == [review.rec.key] and confirmed.uncounted == 2


def test_organization_without_statements_says_so(client, review):
    Organization.objects.create(slug="quiet", name="Quiet Org", kind="media")
    commitments = section(client.get("/organizations/quiet/").text)
    assert "Quiet Org has no published self-assessment yet." in text_of(commitments)


# --- exports ----------------------------------------------------------------------------


def _csv(client, url):
    response = client.get(url)
    assert response.status_code == 200, body(response)
    assert response["Content-Type"] == "text/csv; charset=utf-8"
    assert re.fullmatch(
        r'attachment; filename="casebase-commitments-[-\w]+-\d{4}-\d\d-\d\d\.csv"',
        response["Content-Disposition"],
    )
    return list(csv.DictReader(io.StringIO(body(response))))


def _counts_from_the_database(key, *, confirmed=False):
    """Per (cycle, status): published assessments' answered statements, written here independently."""
    statements = Statement.objects.filter(
        assessment__status=SelfAssessment.Status.PUBLISHED, recommendation__key=key
    ).exclude(status="")
    if confirmed:
        applies = Application.objects.filter(
            case__is_published=True,
            case__statements=OuterRef("pk"),
            recommendation__key=key,
            grade__in=list(FACT_GRADES),
            status__in=["implemented", "partial", "considered"],
        )
        statements = statements.filter(Exists(applies))
    rows = statements.values("assessment__cycle__slug", "status").annotate(n=Count("pk"))
    return Counter({(r["assessment__cycle__slug"], r["status"]): r["n"] for r in rows})


@pytest.mark.parametrize("confirmed", [False, True])
def test_csv_counts_are_the_databases(client, review, confirmed):
    url = f"/recommendations/{review.rec.key}/commitments.csv" + ("?evidence=confirmed" if confirmed else "")
    rows = _csv(client, url)
    assert Counter((r["cycle"], r["status"]) for r in rows) == _counts_from_the_database(
        review.rec.key, confirmed=confirmed
    )
    # The page's numbers are the export's.
    page = client.get(review.rec.get_absolute_url() + ("?evidence=confirmed" if confirmed else ""))
    shown = Counter(
        {(c.slug, s): n for c, numbers in page.context["commitments"].counts for s, _, n, _ in numbers if n}
    )
    assert shown == Counter((r["cycle"], r["status"]) for r in rows)


def test_csv_has_every_column_labels_the_voice_and_neutralises_formulas(client, review):
    rows = _csv(client, f"/recommendations/{review.rec.key}/commitments.csv")
    assert list(rows[0]) == [
        "cycle", "cycle_title", "organization", "organization_name", "recommendation", "recommendation_label",
        "status", "status_label", "justification", "planned_measure", "planned_by", "evidence_cases", "voice",
        "published_at",
    ]  # fmt: skip
    assert {r["voice"] for r in rows} == {"supporter"}
    b = next(r for r in rows if r["organization"] == "org-b" and r["cycle"] == "2024-review")
    assert b["justification"] == '\'=HYPERLINK("http://evil.example")'
    assert b["status_label"] == "Partly practised" and b["recommendation_label"] == review.rec.reader_label
    a = next(r for r in rows if r["organization"] == "org-a" and r["cycle"] == "2024-review")
    assert a["planned_by"] == "2024-12-31" and a["planned_measure"] == "Label every generated video"
    # Only published cases are cited.
    assert [urlsplit(u).path for u in a["evidence_cases"].split(";")] == [review.unbacked.get_absolute_url()]


def test_json_export_of_an_organization(client, review):
    response = client.get("/organizations/org-a/commitments.json")
    assert response.status_code == 200 and response["Content-Type"] == "application/json"
    assert response["Content-Disposition"].startswith('inline; filename="casebase-commitments-org-a-')
    data = json.loads(response.content)
    assert data["organization"] == {"slug": "org-a", "name": "Organization A"}
    assert data["evidence"] == "all" and "own words" in data["evidence_note"]
    assert data["count"] == 3 and {r["organization"] for r in data["results"]} == {"org-a"}
    first = data["results"][0]
    assert (
        first["cycle"] == "2024-review"
        and first["planned_by"] == "2024-12-31"
        and first["voice"] == "supporter"
    )
    confirmed = json.loads(client.get("/organizations/org-a/commitments.json?evidence=confirmed").content)
    assert [r["status"] for r in confirmed["results"]] == ["practised"]


def test_exports_refuse_what_they_cannot_serve(client, review):
    key = review.rec.key
    assert client.get(f"/recommendations/{key}/commitments.xml").status_code == 404
    assert client.get("/recommendations/no-such-key/commitments.csv").status_code == 404
    assert client.get("/organizations/nobody/commitments.json").status_code == 404
    refused = client.get(f"/recommendations/{key}/commitments.csv?status=%3Cscript%3E")
    assert refused.status_code == 400 and "Unknown status" in refused.text and "<script>" not in refused.text
    empty = json.loads(client.get(f"/recommendations/{key}/commitments.json?cycle=nope%00x").content)
    assert empty["count"] == 0


# --- never a draft; the page cache; the query count ------------------------------------


def test_words_of_assessments_not_published_appear_nowhere_public(client, review):
    key = review.rec.key
    urls = [
        review.rec.get_absolute_url(),
        review.rec.get_absolute_url() + "?evidence=confirmed",
        f"/recommendations/{key}/commitments.csv",
        f"/recommendations/{key}/commitments.json",
        "/organizations/org-a/",
        "/organizations/org-a/commitments.json",
        "/api/commitments/",
        f"/api/commitments/?recommendation={key}",
        "/api/cycles/",
    ]
    urls += [f"/organizations/hidden-{i}/" for i in range(len(review.secrets))]
    urls += [f"/organizations/hidden-{i}/commitments.csv" for i in range(len(review.secrets))]
    for url in urls:
        response = client.get(url)
        assert response.status_code == 200, url
        text = body(response)
        for secret in review.secrets:
            assert secret not in text, url
    for i in range(len(review.secrets)):
        assert "has no published self-assessment yet" in client.get(f"/organizations/hidden-{i}/").text
        assert body(client.get(f"/organizations/hidden-{i}/commitments.csv")).count("\n") == 1  # the header


MIDDLEWARE = list(settings.MIDDLEWARE)
if "casebase.core.pagecache.PublicPageCacheMiddleware" not in MIDDLEWARE:
    MIDDLEWARE.insert(
        MIDDLEWARE.index("django.contrib.messages.middleware.MessageMiddleware") + 1,
        "casebase.core.pagecache.PublicPageCacheMiddleware",
    )


def test_a_newly_published_assessment_shows_at_once_on_the_cached_page(
    anon_client, review, django_capture_on_commit_callbacks
):
    cache.clear()
    hidden = SelfAssessment.objects.get(organization__slug="hidden-0")
    url = review.rec.get_absolute_url()
    with override_settings(PAGE_CACHE_SECONDS=60, MIDDLEWARE=MIDDLEWARE):
        assert anon_client.get(url)["X-Page-Cache"] == "miss"
        cached = anon_client.get(url)
        assert cached["X-Page-Cache"] == "hit" and "Hidden 0" not in cached.text
        with django_capture_on_commit_callbacks(execute=True):
            hidden.status = SelfAssessment.Status.PUBLISHED
            hidden.save()
        fresh = anon_client.get(url)
    cache.clear()
    assert fresh["X-Page-Cache"] == "miss"
    assert "Self-reported by Hidden 0" in fresh.text and review.secrets[0] in fresh.text


def _queries(client, url) -> int:
    with CaptureQueriesContext(connection) as queries:
        assert client.get(url).status_code == 200
    return len(queries)


def test_pages_do_not_query_per_organization_or_cycle(client, review, django_assert_max_num_queries):
    rec_url, org_url = review.rec.get_absolute_url(), "/organizations/org-a/"
    few = _queries(client, rec_url), _queries(client, org_url)
    cycles = [public_world.cycle(review.rec.edition, year) for year in range(2026, 2031)]
    for i in range(12):
        organization = Organization.objects.create(slug=f"many-{i}", name=f"Many {i}", kind="industry")
        for cycle in cycles:
            state(
                assessment(cycle, organization),
                review.rec,
                "partly",
                "Some.",
                [review.backing, review.unbacked],
            )
    for cycle in cycles:
        state(assessment(cycle, review.org_a), review.rec, "practised", "Yes.", [review.backing])
    assert ReportingCycle.objects.count() == 7
    many = _queries(client, rec_url), _queries(client, org_url)
    assert few == many, f"{few} queries with 2 organizations and 2 cycles, {many} with 14 and 7"
    with django_assert_max_num_queries(few[0]):
        client.get(rec_url)


def test_a_supporters_words_are_escaped_everywhere(client, review):
    review.a_practised.justification = "<script>alert(1)</script> & <b>bold</b>"
    review.a_practised.planned_measure = '"><img src=x onerror=alert(2)>'
    review.a_practised.save()
    for url in (review.rec.get_absolute_url(), "/organizations/org-a/"):
        html = client.get(url).text
        assert "<script>alert(1)" not in html and "<img src=x" not in html and "<b>bold</b>" not in html
        assert "&lt;script&gt;alert(1)&lt;/script&gt; &amp; &lt;b&gt;bold&lt;/b&gt;" in html


def test_a_measure_left_on_a_statement_that_plans_nothing_more_is_not_due(client, review):
    review.a_planned.status = Statement.Status.DECLINED
    review.a_planned.save()
    commitments = section(client.get(review.rec.get_absolute_url()).text)
    due = [text_of(li) for li in commitments.iterfind(".//ul[@class='commitment-due']/li")]
    assert not any("Label every generated video" in item for item in due)


def test_a_key_only_a_draft_edition_has_exports_nothing(client, review):
    from casebase.framework.models import Edition, Recommendation, Section

    draft = Edition.objects.create(slug="2099", title="Draft", is_draft=True)
    section_ = Section.objects.create(edition=draft, key="drafting", title="Drafting")
    Recommendation.objects.create(
        edition=draft, section=section_, key="draft-only", title="Secret draft title"
    )
    for ext in ("csv", "json"):
        response = client.get(f"/recommendations/draft-only/commitments.{ext}")
        assert response.status_code == 404 and "Secret draft title" not in body(response)


def test_saving_an_unpublished_self_assessment_keeps_the_cached_pages(
    review, django_capture_on_commit_callbacks
):
    from casebase.core import pagecache

    draft = SelfAssessment.objects.get(organization__slug="hidden-0")
    statement = draft.statements.get()
    before = pagecache.content_version()
    with django_capture_on_commit_callbacks(execute=True):
        statement.justification = "Still drafting."
        statement.save()
        statement.evidence_cases.set([])
        draft.save()
    assert pagecache.content_version() == before
    with django_capture_on_commit_callbacks(execute=True):
        draft.status = SelfAssessment.Status.PUBLISHED
        draft.save()
    assert pagecache.content_version() != before
