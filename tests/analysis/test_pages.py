"""The analysis pages: they render for everyone, without JavaScript, with bounded queries."""

import csv
import html
import io
import re
import xml.etree.ElementTree as ET

from django.db import connection
from django.test.utils import CaptureQueriesContext

from casebase.analysis.models import Analysis
from casebase.cases.models import CaseStudy
from tests.analysis.conftest import make_cases

PAGES = [
    "/analysis/",
    "/analysis/matrix/",
    "/analysis/gaps/",
    "/analysis/crosstabs/",
    "/analysis/cooccurrence/",
    "/analysis/compare/",
    "/analysis/compare/?case=bbc&case=d-id&case=openai",
    "/analysis/analyses/",
    "/analysis/analyses/march-2024-cross-case-themes/",
    "/analysis/analyses/november-2024-direct-disclosure-policy/",
    "/analysis/data/",
    "/analysis/matrix/bbc/creators-3/",
    "/analysis/together/?rec=distributors-1&rec=distributors-4",
]


def test_every_page_answers_every_persona(persona_clients, casebase_data):
    for name, client in persona_clients.items():
        for url in PAGES:
            response = client.get(url)
            assert response.status_code == 200, (name, url)
            html = response.content.decode()
            # Progressive enhancement: no page of ours needs script.
            assert "<script" not in html.split("</main>")[0].split('<main id="main"')[1], url


def test_queries_stay_bounded_as_cases_grow(client, casebase_data):
    def counts():
        out = {}
        for url in PAGES:
            with CaptureQueriesContext(connection) as ctx:
                assert client.get(url).status_code == 200
            out[url] = len(ctx.captured_queries)
        return out

    few = counts()
    make_cases(40, seed=3, published_share=0.9, prefix="many")
    many = counts()
    assert few == many
    assert max(many.values()) <= 40, many


def test_matrix_cells_show_status_by_shape_and_link_to_justification(client, casebase_data):
    html = client.get("/analysis/matrix/").content.decode()
    assert 'class="mark status-considered" href="/analysis/matrix/cbc-radio-canada/creators-3/"' in html
    assert 'class="mark status-implemented" href="/analysis/matrix/bbc/creators-3/"' in html
    cell = client.get("/analysis/matrix/cbc-radio-canada/creators-3/").content.decode()
    assert "Considered, not adopted" in cell and "anonymisation" in cell
    assert "inferred" in cell.lower()


def test_matrix_hides_unpublished_cases(client, casebase_data):
    bbc = CaseStudy.objects.get(slug="bbc")
    bbc.is_published = False
    bbc.save()
    html = client.get("/analysis/matrix/").content.decode()
    assert "/analysis/matrix/bbc/" not in html
    assert client.get("/analysis/matrix/bbc/creators-3/").status_code == 404
    compare = client.get("/analysis/compare/?case=bbc&case=d-id").content.decode()
    assert "How the BBC used face swapping" not in compare


def test_gap_cells_invite_a_submission(client, casebase_data):
    html = client.get("/analysis/gaps/").content.decode()
    assert 'href="/submit/new/?rec=collective-1&amp;role=builder"' in html
    assert "submit a case study" in html


def test_compare_aligns_by_recommendation(client, casebase_data):
    html = client.get("/analysis/compare/?case=bbc&case=cbc-radio-canada").content.decode()
    assert html.count("Disclose synthetic elements in media you create") >= 1
    assert "badge status-considered" in html and "badge status-implemented" in html
    assert "3 recommendations addressed by at least one of these cases; 2 by all of them" in html
    one = client.get("/analysis/compare/?case=bbc").content.decode()
    assert "Choose at least two" in one


def test_analyses_keep_confidence_and_link_cases(client, casebase_data):
    html = client.get("/analysis/analyses/march-2024-cross-case-themes/").content.decode()
    assert "flag-inferred" in html  # candidate themes are flagged
    assert (
        "Casebase editors&#x27; reading, not PAI&#x27;s" in html
        or "Casebase editors' reading, not PAI's" in html
    )
    assert "PAI's words" in html
    assert 'href="/cases/d-id/"' in html
    analysis = Analysis.objects.get(slug="march-2024-cross-case-themes")
    # PAI's own words are quoted with a source; the editors' candidate themes are flagged inferred.
    quoted = analysis.findings.filter(voice="pai")
    assert quoted.exists() and all(f.source_url and f.grade in ("confirmed", "corroborated") for f in quoted)
    themes = analysis.findings.exclude(voice="pai")
    assert themes.exists() and set(themes.values_list("grade", flat=True)) == {"inferred"}
    assert html.count("flag-inferred") >= themes.count()
    assert all(f.cases.exists() for f in analysis.findings.all())


def test_draft_analyses_are_not_public(client, casebase_data):
    Analysis.objects.create(slug="secret", title="Work in progress", status="draft", body="Not yet")
    assert client.get("/analysis/analyses/secret/").status_code == 404
    assert "Work in progress" not in client.get("/analysis/analyses/").content.decode()
    assert client.get("/analysis/cite/analyses/secret.bib").status_code == 404


def test_markdown_in_analyses_is_sanitised(client, casebase_data):
    Analysis.objects.create(
        slug="x",
        title="X",
        status="published",
        body="**bold** <script>alert(1)</script> [a](javascript:alert(1))",
    )
    html = client.get("/analysis/analyses/x/").content.decode()
    assert "<strong>bold</strong>" in html and "<script>alert" not in html and "javascript:alert" not in html


CHARTS = ["recommendation-role", "principle-role", "principle-cohort", "role-cohort", "recommendation-cohort",
          "cohort-totals", "cooccurrence"]  # fmt: skip


def test_each_chart_downloads_as_svg_and_csv(client, casebase_data):
    for chart in CHARTS:
        svg = client.get(f"/analysis/charts/{chart}.svg?cohort=2024-03")
        assert svg.status_code == 200 and svg["Content-Type"] == "image/svg+xml"
        assert "attachment" in svg["Content-Disposition"]
        root = ET.fromstring(svg.content)
        assert root.tag == "{http://www.w3.org/2000/svg}svg"
        data = client.get(f"/analysis/charts/{chart}.csv?cohort=2024-03")
        rows = list(csv.reader(io.StringIO(data.content.decode())))
        assert len(rows) > 1 and all(len(r) == len(rows[0]) for r in rows)


def test_chart_csv_has_the_numbers_on_the_page(client, casebase_data):
    rows = list(
        csv.reader(io.StringIO(client.get("/analysis/charts/recommendation-role.csv").content.decode()))
    )
    header = rows[0]
    by_key = {r[1]: dict(zip(header, r, strict=True)) for r in rows[1:]}
    # Headers people read are labels; the rows keep a key column for machines.
    assert header[:2] == ["Recommendation", "Recommendation key"] and "builder" not in header
    assert by_key["builders-2"]["Builder"] == "5"  # adobe, openai, respeecher, microsoft, truepic
    assert by_key["builders-2"]["total"] == "5"
    assert by_key["distributors-4"]["Recommendation"].startswith("No. 20: ")


def test_one_label_for_a_recommendation_wherever_a_person_reads_it(client, casebase_data):
    """No. 20 is distributors-4: readers see "No. 20: <title>" (or the title, while a number is
    unconfirmed) on both axes of the co-occurrence chart, in its table and CSV, in the case
    list's facets and on the pages; the key only in addresses and key columns."""
    from casebase.framework.models import Recommendation

    rec = Recommendation.objects.filter(key="distributors-4").order_by("-edition__published_on").first()
    label = f"No. 20: {rec.title}"
    assert rec.reader_label == label
    unconfirmed = Recommendation.objects.filter(key="builders-2").first()
    assert unconfirmed.reader_label == unconfirmed.title

    rows = list(csv.reader(io.StringIO(client.get("/analysis/charts/cooccurrence.csv").content.decode())))
    header, body = rows[0], rows[1:]
    assert label in header and "distributors-4" not in header
    assert [row[0] for row in body] == header[2:]  # rows and columns carry the same labels
    svg = client.get("/analysis/charts/cooccurrence.svg").content.decode()
    texts = re.findall(r"<text[^>]*>([^<]*)<title>([^<]*)</title>", svg)
    keys = set(Recommendation.objects.values_list("key", flat=True))
    assert texts and not [t for t in texts if t[0].strip() in keys or t[1].strip() in keys]
    assert sum(1 for t in texts if t[1] == label) == 2  # once as a row, once as a column

    listing = client.get("/cases/?rec=distributors-4").content.decode()
    assert f"Recommendation: {label}" in html.unescape(re.sub(r"<[^>]+>", "", listing))
    assert "distributors-4:" not in listing and "builders-2:" not in listing
    page = html.unescape(client.get("/recommendations/builders-2/").content.decode())
    assert "<title>builders-2" not in page and f"<title>{unconfirmed.title}" in page


def test_unknown_chart_or_format_is_404(client, casebase_data):
    assert client.get("/analysis/charts/nope.svg").status_code == 404
    assert client.get("/analysis/charts/cooccurrence.png").status_code == 404
    assert client.get("/analysis/matrix.png").status_code == 404


HOSTILE = [
    "role=%00",
    "role=" + "x" * 5000,
    "cohort=<script>",
    "edition=nope",
    "page=abc",
    "page=-5",
    "case=%00&case=bbc",
    "edition=%00",
    "rec=%00&rec=builders-2",
    "rec='%20OR%201=1",
    "principle=disclosure&principle=consent&principle=zzz",
]


def test_hostile_parameters_never_break_a_page(client, casebase_data):
    for query in HOSTILE:
        check_hostile(client, query)


def check_hostile(client, query):
    for url in ("/analysis/matrix/", "/analysis/gaps/", "/analysis/crosstabs/", "/analysis/cooccurrence/",
                "/analysis/compare/", "/analysis/together/", "/analysis/charts/cooccurrence.csv"):  # fmt: skip
        response = client.get(f"{url}?{query}")
        assert response.status_code in (200, 404), (url, query)
        assert b"<script>" not in response.content.replace(b"<script>alert", b"")
