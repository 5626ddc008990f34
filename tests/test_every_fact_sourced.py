"""Every fact a public page shows has a source and a visible grade; nothing refuted is shown.

Pages mark each fact they show with ``data-fact="app.model:pk:field"`` and its
``data-grade`` (casebase.core.templatetags.evidence.fact_attrs). This walks every public
page (each case, organization, recommendation, analysis, the lists, the analysis pages,
in both evidence settings) and checks each marked fact against the database:

- its grade is one the site shows (never refuted) and is the record's grade for that field;
- a fact shown as fact (confirmed or corroborated) names the address it was found at;
- an unverified or inferred one says so where it stands (its flag word inside the element).
"""

import re
from html.parser import HTMLParser

import pytest
from django.apps import apps

from casebase.analysis.models import Analysis
from casebase.cases.models import CaseStudy
from casebase.core.evidence import FACT_GRADES, SHOWN_GRADES, flag_of
from casebase.framework.models import Recommendation
from casebase.organizations.models import Organization

pytestmark = pytest.mark.django_db

VOID = {"area", "base", "br", "col", "embed", "hr", "img", "input", "link", "meta", "source", "track", "wbr"}


class Facts(HTMLParser):
    """(data-fact, data-grade, text inside the element) for every marked element."""

    def __init__(self):
        super().__init__()
        self.open: list[list] = []  # [tag, attrs or None, text parts]
        self.found: list[tuple[str, str, str]] = []

    def handle_starttag(self, tag, attrs):
        if tag in VOID:
            return
        attrs = dict(attrs)
        self.open.append([tag, attrs if "data-fact" in attrs else None, []])

    def handle_endtag(self, tag):
        while self.open:
            name, attrs, text = self.open.pop()
            if attrs is not None:
                self.found.append((attrs["data-fact"], attrs.get("data-grade", ""), " ".join(text)))
            if self.open:
                self.open[-1][2].extend(text)
            if name == tag:
                break

    def handle_data(self, data):
        if self.open:
            self.open[-1][2].append(data)


def public_urls() -> list[str]:
    urls = ["/", "/framework/", "/organizations/", "/cases/", "/analysis/", "/analysis/matrix/", "/analysis/gaps/",
            "/analysis/crosstabs/", "/analysis/cooccurrence/", "/analysis/analyses/", "/analysis/agreement/",
            "/analysis/compare/?cases=bbc&cases=thorn&cases=meedan"]  # fmt: skip
    urls += [c.get_absolute_url() for c in CaseStudy.objects.published()]
    urls += [o.get_absolute_url() for o in Organization.objects.all()]
    urls += [
        f"/recommendations/{key}/" for key in Recommendation.objects.values_list("key", flat=True).distinct()
    ]
    urls += [a.get_absolute_url() for a in Analysis.objects.published()]
    urls += ["/analysis/matrix/bbc/creators-3/", "/framework/2023/"]
    return urls


def record_of(label: str):
    model_label, pk, field = label.split(":")
    model = apps.get_model(model_label)
    return model._default_manager.get(pk=pk), ("" if field == "*" else field)


def problems_on(client, url: str) -> tuple[list[str], int]:
    response = client.get(url)
    assert response.status_code == 200, url
    parser = Facts()
    parser.feed(response.content.decode())
    problems = []
    for label, grade, text in parser.found:
        record, field = record_of(label)
        provenance = record.provenance(field or None)
        where = f"{url} {label}"
        if grade != provenance.grade:
            problems.append(f"{where}: page says {grade!r}, record says {provenance.grade!r}")
        if grade not in SHOWN_GRADES:
            problems.append(f"{where}: a {grade or 'ungraded'} fact is shown")
        elif grade in FACT_GRADES and not provenance.source_url:
            problems.append(f"{where}: shown as fact with no source address")
        elif grade not in FACT_GRADES and flag_of(grade) not in re.sub(r"\s+", " ", text):
            problems.append(f"{where}: {grade} but its flag is not visible where it stands")
    return problems, len(parser.found)


@pytest.mark.parametrize("evidence", ["", "?evidence=confirmed"])
def test_every_fact_on_every_public_page_has_a_source_and_a_visible_grade(client, casebase_data, evidence):
    problems, checked = [], 0
    for url in public_urls():
        joined = url + (evidence.replace("?", "&") if "?" in url else evidence)
        found, n = problems_on(client, joined)
        problems += found
        checked += n
    assert checked > 500  # the pages do mark their facts
    assert not problems, f"{len(problems)} problems:\n" + "\n".join(problems[:60])


def refuted_texts() -> list[tuple[str, str]]:
    """(where, a distinctive stretch of what was refuted) for every refuted field value kept."""
    out = []
    for model in apps.get_models():
        if not hasattr(model, "refuted"):
            continue
        for record in model._default_manager.exclude(field_sources={}):
            for entry in record.refuted():
                value = entry.get("value")
                text = " ".join(value) if isinstance(value, list) else str(value or "")
                # A stretch past any shared opening ("The case text has not yet been checked.").
                words = text.split()
                if len(words) >= 8:
                    out.append(
                        (f"{model._meta.label}:{record.pk}:{entry.get('field')}", " ".join(words[7:14]))
                    )
    return out


def test_refuted_facts_are_never_shown_exported_or_counted(client, casebase_data):
    refuted = refuted_texts()
    assert len(refuted) >= 2  # the Stanford and Thorn corrections at least
    outputs = {url: client.get(url).content.decode() for url in public_urls()}
    for url in ("/cases/?format=csv", "/cases/?format=json", "/api/cases/?page_size=100", "/feeds/cases/",
                "/analysis/matrix.csv", "/analysis/data/snapshot.json"):  # fmt: skip
        response = client.get(url)
        assert response.status_code == 200, url
        outputs[url] = (
            b"".join(response.streaming_content).decode() if response.streaming else response.content.decode()
        )
    for where, text in refuted:
        shown = [url for url, body in outputs.items() if text in body and "snapshot" not in url]
        assert not shown, f"refuted {where} ({text!r}) appears on {shown}"
    # The snapshot keeps refuted facts as data, marked refuted, for researchers and staff.
    assert '"refuted"' in outputs["/analysis/data/snapshot.json"]
    # Thorn's refuted builder role is neither listed nor counted, under either setting.
    thorn = CaseStudy.objects.get(slug="thorn")
    for evidence in ("all", "confirmed"):
        listed = {c.slug for c in client.get(f"/cases/?role=builder&evidence={evidence}").context["cases"]}
        assert thorn.slug not in listed
    api = client.get("/api/cases/thorn/").json()
    assert "builder" not in {r["slug"] for r in api["roles"]}


@pytest.mark.parametrize("evidence", ["", "?evidence=confirmed"])
def test_the_crosswalk_to_other_instruments_is_sourced_and_graded_where_shown(
    client, casebase_data, evidence
):
    """The recommendation pages mark every instrument, clause and mapping they show (walked above with
    every other fact); here, that they do show them, and that an inferred mapping is hidden when only
    confirmed evidence counts."""
    from casebase.framework.models import ClauseMapping

    shown: set[str] = set()
    for key in ClauseMapping.objects.values_list("recommendation_key", flat=True).distinct():
        url = f"/recommendations/{key}/{evidence}"
        problems, _ = problems_on(client, url)
        assert not problems, problems
        parser = Facts()
        parser.feed(client.get(url).content.decode())
        shown |= {label.split(":")[0] for label, _, _ in parser.found}
    if evidence:
        # Every shipped mapping is the editors' inference: none counts as confirmed evidence.
        assert "framework.clausemapping" not in shown
    else:
        assert {"framework.instrument", "framework.clause", "framework.clausemapping"} <= shown
