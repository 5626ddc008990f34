"""Review dossiers: every recommendation of the current edition with its counts and gaps, each
recomputed here from the database (and the case counts through the filter engine), and one
recommendation's dossier with its feedback, cases, statements (published or not, marked) and notes."""

import pytest
from django.urls import reverse

from casebase.cases.filters import CaseFilter
from casebase.cases.models import Application, CaseStudy
from casebase.commitments import feedback as service
from casebase.commitments.models import DossierNote, Feedback, ReportingCycle, SelfAssessment, Statement
from casebase.framework.models import Recommendation
from casebase.organizations.models import Organization
from tests.conftest import client_for, make_user


@pytest.fixture
def editor_client(casebase_data):
    return client_for(make_user("dossier-editor", is_staff=True))


@pytest.fixture
def review(casebase_data):
    """A cycle with a published and an unpublished self-assessment, feedback tagged to a few
    recommendations, and three recommendations made for the gaps."""
    edition = casebase_data
    section = edition.sections.order_by("order").first()
    bare, claimed, evidenced = (
        Recommendation.objects.create(edition=edition, section=section, key=key, order=90 + i, title=title)
        for i, (key, title) in enumerate(
            [
                ("zz-bare", "Nobody does this"),
                ("zz-claimed", "Said, not shown"),
                ("zz-evidenced", "Said and shown"),
            ]
        )
    )
    applied = (
        Recommendation.objects.filter(edition=edition, applications__case__is_published=True)
        .order_by("key")
        .first()
    )
    orgs = list(Organization.objects.order_by("slug")[:2])
    cycle = ReportingCycle.objects.create(
        slug="2025-review", title="2025 review", edition=edition, opens_on="2025-01-01", deadline="2025-03-01"
    )
    published = SelfAssessment.objects.create(cycle=cycle, organization=orgs[0], status="published")
    draft = SelfAssessment.objects.create(cycle=cycle, organization=orgs[1], status="draft")
    Statement.objects.create(
        assessment=published, recommendation=claimed, status="practised", justification="We do."
    )
    shown = Statement.objects.create(
        assessment=published, recommendation=evidenced, status="partly", justification="Partly, see case."
    )
    shown.evidence_cases.set([CaseStudy.objects.published().order_by("slug").first()])
    Statement.objects.create(
        assessment=published, recommendation=applied, status="planned", planned_measure="Soon"
    )
    # A draft says practised: shown to staff, marked, never counted.
    Statement.objects.create(
        assessment=draft, recommendation=bare, status="practised", justification="Draft words <b>secret</b>"
    )
    case = CaseStudy.objects.published().order_by("slug").last()
    for text, kind, recs in [
        ("Unclear on consent", "unclear", [applied, bare]),
        ("Add a practice", "missing", [bare]),
        ("Untagged remark", "other", []),
    ]:
        item = Feedback.objects.create(text=text, kind=kind, case=case, organization=case.organization)
        item.recommendations.set(recs)
    return {"bare": bare, "claimed": claimed, "evidenced": evidenced, "applied": applied, "draft": draft}


def recomputed(rec) -> dict:
    """Counts and gaps from first principles: what the dossier index must say."""
    cases = CaseFilter({"rec": [rec.key]}).count
    public = Statement.objects.filter(recommendation=rec, assessment__status="published").exclude(status="")
    statements = {}
    for status in public.values_list("status", flat=True):
        statements[status] = statements.get(status, 0) + 1
    practising = public.filter(status__in=["practised", "partly"])
    evidence = CaseStudy.objects.filter(is_published=True, statements__in=practising).exists()
    gaps = []
    if not cases:
        gaps.append("no_case")
    if not practising.exists():
        gaps.append("no_practice")
    if practising.exists() and not cases and not evidence:
        gaps.append("unevidenced")
    return {
        "feedback": Feedback.objects.filter(recommendations=rec).count(),
        "cases": cases,
        "statements": statements,
        "gaps": gaps,
    }


def test_index_counts_and_gaps_match_the_database(editor_client, review, casebase_data):
    response = editor_client.get(reverse("dossiers:index"))
    assert response.status_code == 200
    summaries = response.context["summaries"]
    assert [s.recommendation.pk for s in summaries] == list(
        Recommendation.objects.filter(edition=casebase_data)
        .order_by("section__order", "order", "key")
        .values_list("pk", flat=True)
    )
    for s in summaries:
        got = {"feedback": s.feedback, "cases": s.cases, "statements": s.statements, "gaps": s.gaps}
        assert got == recomputed(s.recommendation), s.recommendation.key
    by_key = {s.recommendation.key: s for s in summaries}
    assert by_key["zz-bare"].gaps == ["no_case", "no_practice"]  # the draft's "practised" does not count
    assert by_key["zz-claimed"].gaps == ["no_case", "unevidenced"]
    assert by_key["zz-evidenced"].gaps == ["no_case"]
    assert "no_case" not in by_key[review["applied"].key].gaps
    body = response.content.decode()
    for label, meaning in service.GAPS.values():
        assert label in body and meaning in body  # each gap is defined on the page
    assert reverse("dossiers:detail", args=["zz-claimed"]) in body


def test_a_dossier_shows_feedback_cases_statements_and_notes(editor_client, review):
    applied = review["applied"]
    response = editor_client.get(reverse("dossiers:detail", args=[applied.key]))
    assert response.status_code == 200
    dossier = response.context["dossier"]
    assert [(label, [f.text for f in items]) for label, items in dossier.feedback_by_kind] == [
        ("Unclear wording", ["Unclear on consent"])
    ]
    expected = Application.objects.filter(recommendation=applied, case__is_published=True)
    assert {a.pk for a in dossier.applications} == set(expected.values_list("pk", flat=True))
    body = response.content.decode()
    for a in expected.select_related("case"):
        assert a.case.get_absolute_url() in body
        assert a.get_status_display() in body and a.get_grade_display() in body
    assert [(c.slug, [s.status for s in st]) for c, st in dossier.statements_by_cycle] == [
        ("2025-review", ["planned"])
    ]
    assert "Soon" in body and "Untagged remark" not in body
    # The draft's statement: visible to staff, marked not public, escaped.
    bare = editor_client.get(reverse("dossiers:detail", args=["zz-bare"])).content.decode()
    assert "Draft: not public" in bare
    assert "Draft words &lt;b&gt;secret&lt;/b&gt;" in bare
    assert [
        label
        for label, _ in editor_client.get(reverse("dossiers:detail", args=["zz-bare"]))
        .context["dossier"]
        .feedback_by_kind
    ] == ["Unclear wording", "Missing practice"]


def test_notes_are_added_bounded_and_escaped(editor_client, review):
    url = reverse("dossiers:detail", args=["zz-bare"])
    response = editor_client.post(url, {"text": "Consider merging with <script>x</script>"})
    assert response.status_code == 302 and response["Location"].endswith("#notes")
    note = DossierNote.objects.get()
    assert note.author.username == "dossier-editor" and note.recommendation.key == "zz-bare"
    body = editor_client.get(url).content.decode()
    assert "Consider merging with &lt;script&gt;x&lt;/script&gt;" in body
    for text, message in [
        ("n" * 5001, "at most 5000 characters"),
        ("", "This field is required"),
        ("a\x00b", "Null"),
    ]:
        response = editor_client.post(url, {"text": text})
        assert response.status_code == 422 and message in response.content.decode()
        assert response.context["form"]["text"].value() == text
    assert DossierNote.objects.count() == 1


def test_unknown_or_old_keys_are_404(editor_client, review):
    assert editor_client.get("/review/dossiers/no-such-rec/").status_code == 404
    assert editor_client.get("/review/dossiers/" + "x" * 3000 + "/").status_code == 404


def test_feedback_items_link_their_dossiers(editor_client, review):
    body = editor_client.get(reverse("feedback:worklist")).content.decode()
    assert reverse("dossiers:detail", args=["zz-bare"]) in body
    assert reverse("dossiers:detail", args=[review["applied"].key]) in body
