"""Feedback on the Framework: gathered from cases' answers (published cases only, once),
tagged by editors (hostile input refused with everything typed kept), filed by hand from a case."""

import io
import json
import shutil
from pathlib import Path

import pytest
from django.conf import settings
from django.core.management import call_command
from django.urls import reverse

from casebase.cases.models import CaseStudy
from casebase.commitments import feedback as service
from casebase.commitments.models import Feedback, ReportingCycle, SelfAssessment, Statement
from casebase.organizations.models import Organization
from tests.conftest import client_for, make_user

FEEDBACK_ANSWER = "Recommendation wording on consent is unclear for audio; we read it two ways."


def make_case(slug, *, published=True, answer=FEEDBACK_ANSWER, heading="Feedback on the Framework"):
    sections = [{"heading": "Organizational background", "prompt": "", "response": "About us."}]
    if answer is not None:
        sections.append({"heading": heading, "prompt": "Where could it be clearer?", "response": answer})
    return CaseStudy.objects.create(
        slug=slug,
        title=f"How {slug} did it",
        organization=Organization.objects.order_by("slug").first(),
        sections=sections,
        is_published=published,
    )


@pytest.fixture
def editor_client(casebase_data):
    return client_for(make_user("fb-editor", is_staff=True))


@pytest.fixture
def recs(casebase_data):
    return list(casebase_data.recommendations.order_by("section__order", "order", "key"))


# --- Harvesting --------------------------------------------------------------------------


def test_the_template_has_a_feedback_section_and_the_real_cases_do_not_answer_it_yet(casebase_data):
    assert service.feedback_headings() == {"feedback on the framework"}
    # The real fixtures carry no case text yet: harvesting them (done by the loader) finds nothing.
    assert service.harvest_all().read == 0
    assert not Feedback.objects.exists()


def test_the_loader_gathers_feedback_at_its_end(casebase_data, tmp_path):
    """Fixtures whose case answers the feedback section: the loader files it once, however often it runs."""
    fixtures = Path(settings.BASE_DIR, "fixtures")
    for name in ("framework.json", "analyses.json"):
        shutil.copy(fixtures / name, tmp_path / name)
    cases = json.loads((fixtures / "cases.json").read_text())
    bbc = next(c for c in cases["cases"] if c["slug"] == "bbc")
    bbc["sections"] = [
        {"heading": "Feedback on the Framework", "prompt": "", "response": "It says nothing on audio."}
    ]
    (tmp_path / "cases.json").write_text(json.dumps(cases))
    for expected in ("feedback gathered from cases: 1", "feedback gathered from cases: 0"):
        out = io.StringIO()
        call_command("load_casebase", fixtures=str(tmp_path), stdout=out)
        assert expected in out.getvalue()
    made = Feedback.objects.get()
    assert (made.case.slug, made.organization.slug, made.text) == ("bbc", "bbc", "It says nothing on audio.")


def test_harvest_creates_one_untagged_remark_per_published_case_and_is_idempotent(casebase_data):
    case = make_case("fb-published")
    made = service.harvest_case_feedback(case=case)
    assert made is not None
    assert (made.case, made.organization, made.text) == (case, case.organization, FEEDBACK_ANSWER)
    assert made.kind == Feedback.Kind.UNCLEAR  # "unclear" and nothing else: obvious
    assert not made.recommendations.exists() and made.tagged_at is None and made.tagged_by is None
    assert service.harvest_case_feedback(case=case) is None
    first, again = service.harvest_all(), service.harvest_all()
    assert (first.created, again.created, again.read) == (0, 0, 1)
    assert Feedback.objects.filter(case=case).count() == 1


def test_harvest_reads_only_published_cases_that_answer(casebase_data):
    draft = make_case("fb-draft", published=False)
    make_case("fb-silent", answer=None)
    make_case("fb-blank", answer="   ")
    make_case("fb-shouting", heading="  FEEDBACK ON THE FRAMEWORK ", answer="We would add a practice.")
    result = service.harvest_all()
    assert (result.created, result.read) == (1, 1)
    assert service.harvest_case_feedback(case=draft) is None
    assert list(Feedback.objects.values_list("case__slug", "kind")) == [("fb-shouting", "other")]


def test_an_overlong_answer_is_bounded(casebase_data):
    case = make_case("fb-long", answer="word " * 2000)
    made = service.harvest_case_feedback(case=case)
    assert len(made.text) == service.TEXT_LIMIT and made.text.endswith("…")
    assert service.harvest_case_feedback(case=case) is None


def test_gather_button(editor_client, casebase_data):
    make_case("fb-button")
    response = editor_client.post(reverse("feedback:gather"), follow=True)
    assert response.status_code == 200
    assert "Gathered 1 new remark" in response.content.decode()
    assert Feedback.objects.filter(case__slug="fb-button").count() == 1
    assert editor_client.post(reverse("feedback:gather")).status_code == 302
    assert Feedback.objects.filter(case__slug="fb-button").count() == 1
    assert editor_client.get(reverse("feedback:gather")).status_code == 405


# --- The worklist ------------------------------------------------------------------------


def statement_feedback(recommendation, *, published=False, text="Statement feedback"):
    org = Organization.objects.order_by("slug").last()
    cycle, _ = ReportingCycle.objects.get_or_create(
        slug="2025-review",
        defaults={
            "title": "2025 review",
            "edition": recommendation.edition,
            "opens_on": "2025-01-01",
            "deadline": "2025-03-01",
        },
    )
    status = SelfAssessment.Status.PUBLISHED if published else SelfAssessment.Status.SUBMITTED
    assessment, _ = SelfAssessment.objects.get_or_create(
        cycle=cycle, organization=org, defaults={"status": status}
    )
    statement = Statement.objects.create(
        assessment=assessment, recommendation=recommendation, status="planned"
    )
    return Feedback.objects.create(text=text, organization=org, statement=statement)


def test_worklist_puts_untagged_first_and_filters(editor_client, recs, casebase_data):
    tagged = service.harvest_case_feedback(case=make_case("fb-one"))
    untagged = service.harvest_case_feedback(case=make_case("fb-two", answer="A missing practice."))
    service.tag_feedback(feedback=tagged, kind="conflicting", recommendation_keys=[recs[0].key], by=None)
    from_statement = statement_feedback(recs[1])

    def listed(query=""):
        response = editor_client.get(reverse("feedback:worklist") + query)
        assert response.status_code == 200
        return [item.pk for item, form in response.context["items"]]

    everything = listed()
    assert set(everything) == {tagged.pk, untagged.pk, from_statement.pk}
    assert everything[-1] == tagged.pk  # untagged first
    assert listed("?tagged=yes") == [tagged.pk]
    assert set(listed("?tagged=no")) == {untagged.pk, from_statement.pk}
    assert listed("?kind=conflicting") == [tagged.pk]
    assert listed("?source=statement") == [from_statement.pk]
    assert set(listed("?source=case")) == {tagged.pk, untagged.pk}
    # Nonsense filters are ignored, never a 500.
    assert set(listed("?kind=%00<x>&tagged=" + "y" * 5000 + "&source=nope&page=-1")) == set(everything)
    body = editor_client.get(reverse("feedback:worklist")).content.decode()
    assert reverse("dossiers:detail", args=[recs[0].key]) in body  # each tag links its dossier
    assert reverse("cases:detail", args=["fb-one"]) in body  # the source
    assert "Not published: staff only" in body  # a statement of an unpublished self-assessment


def test_the_text_is_escaped(editor_client, casebase_data):
    service.harvest_case_feedback(case=make_case("fb-xss", answer="<script>alert(1)</script> & more"))
    body = editor_client.get(reverse("feedback:worklist")).content.decode()
    assert "<script>alert(1)</script>" not in body
    assert "&lt;script&gt;alert(1)&lt;/script&gt; &amp; more" in body


# --- Tagging -------------------------------------------------------------------------------


def test_tagging_records_kind_recommendations_and_who(editor_client, recs, casebase_data):
    item = service.harvest_case_feedback(case=make_case("fb-tag"))
    url = reverse("feedback:item", args=[item.pk])
    response = editor_client.post(
        url,
        {
            "kind": "missing",
            "recommendations": [recs[0].key, recs[2].key],
            "next": "/review/feedback/?tagged=no",
        },
    )
    assert response.status_code == 302 and response["Location"] == "/review/feedback/?tagged=no"
    item.refresh_from_db()
    assert item.kind == "missing"
    assert set(item.recommendations.values_list("key", flat=True)) == {recs[0].key, recs[2].key}
    assert item.tagged_by.username == "fb-editor" and item.tagged_at is not None
    # Choosing none leaves it untagged again.
    editor_client.post(url, {"kind": "missing"})
    item.refresh_from_db()
    assert not item.recommendations.exists() and item.tagged_at is None


@pytest.mark.parametrize(
    "data, problem",
    [
        ({"kind": "unclear", "recommendations": ["keep", "no-such-rec"]}, "no-such-rec"),
        ({"kind": "unclear", "recommendations": ["keep", "999999"]}, "999999"),
        ({"kind": "unclear", "recommendations": ["keep", "<b>forged</b>"]}, "&lt;b&gt;forged&lt;/b&gt;"),
        ({"kind": "unclear", "recommendations": ["keep", "x\x00y"]}, "x"),
        ({"kind": "bogus", "recommendations": ["keep"]}, "Select a valid choice"),
        ({"kind": "unclear\x00", "recommendations": ["keep"]}, "Kind of feedback"),
        ({"kind": "unclear", "recommendations": ["keep"] + [f"r{i}" for i in range(11)]}, "at most 10"),
    ],
    ids=["unknown-key", "forged-id", "markup", "nul", "kind", "kind-nul", "too-many"],
)
def test_hostile_tagging_is_refused_with_the_choice_kept(editor_client, recs, casebase_data, data, problem):
    item = service.harvest_case_feedback(case=make_case("fb-hostile"))
    keep = recs[1].key
    data = dict(data, recommendations=[keep if k == "keep" else k for k in data["recommendations"]])
    response = editor_client.post(reverse("feedback:item", args=[item.pk]), data)
    assert response.status_code == 422
    body = response.content.decode()
    assert problem in body
    # What was typed is still chosen: the kind (when it was one) and the real recommendation.
    assert f'value="{keep}" id="fb{item.pk}-recommendations-{keep}" checked' in body
    form = response.context["form"]
    assert keep in form["recommendations"].value()
    if data["kind"] == "unclear":
        assert form["kind"].value() == "unclear"
    item.refresh_from_db()
    assert not item.recommendations.exists() and item.kind == Feedback.Kind.UNCLEAR and item.tagged_at is None


def test_a_recommendation_of_an_older_edition_is_refused(editor_client, recs, casebase_data):
    from casebase.framework.models import Edition, Recommendation, Section

    old = Edition.objects.create(slug="2019", title="Old", is_current=False)
    section = Section.objects.create(edition=old, key="old", order=1, title="Old")
    Recommendation.objects.create(edition=old, section=section, key="old-1", title="Old one")
    item = service.harvest_case_feedback(case=make_case("fb-old"))
    response = editor_client.post(
        reverse("feedback:item", args=[item.pk]), {"kind": "other", "recommendations": ["old-1"]}
    )
    assert response.status_code == 422
    with pytest.raises(service.FeedbackRefused):
        service.tag_feedback(feedback=item, kind="other", recommendation_keys=["old-1"], by=None)
    assert not item.recommendations.exists()


def test_next_never_leaves_the_worklist(editor_client, recs, casebase_data):
    item = service.harvest_case_feedback(case=make_case("fb-next"))
    for target in (
        "https://evil.example/",
        "//evil.example/review/feedback/",
        "/review/feedback//evil",
        "/admin/",
    ):
        response = editor_client.post(
            reverse("feedback:item", args=[item.pk]), {"kind": "other", "next": target}
        )
        assert response["Location"] == "/review/feedback/", target


def test_unknown_feedback_is_404(editor_client, casebase_data):
    assert editor_client.get(reverse("feedback:item", args=[99999999])).status_code == 404


# --- Filing by hand from a case ---------------------------------------------------------------


def test_editor_files_an_excerpt_from_a_published_case(editor_client, recs, casebase_data):
    case = CaseStudy.objects.published().order_by("slug").first()
    assert editor_client.get(reverse("feedback:new") + f"?case={case.slug}").status_code == 200
    response = editor_client.post(
        reverse("feedback:new"),
        {"case": case.slug.upper(), "text": "  The Framework says nothing on audio.  ", "kind": "missing",
         "recommendations": [recs[0].key]},
    )  # fmt: skip
    assert response.status_code == 302
    made = Feedback.objects.get(case=case)
    assert (made.text, made.kind, made.organization) == (
        "The Framework says nothing on audio.",
        "missing",
        case.organization,
    )
    assert made.tagged_by is not None and list(made.recommendations.all()) == [recs[0]]


@pytest.mark.parametrize(
    "change, message",
    [
        ({"case": "fb-unpublished"}, "No published case has that name."),
        ({"case": "no-such-case\x00"}, "Null characters are not allowed"),
        ({"case": "x" * 500}, "at most 120 characters"),
        ({"text": "y" * 2001}, "at most 2000 characters"),
        ({"text": ""}, "This field is required"),
        ({"recommendations": ["forged"]}, "forged is not one of the available choices"),
    ],
    ids=["unpublished", "nul", "long-slug", "long-text", "empty", "forged"],
)
def test_filing_refuses_hostile_input_and_keeps_what_was_typed(
    editor_client, recs, casebase_data, change, message
):
    make_case("fb-unpublished", published=False)
    published = CaseStudy.objects.published().order_by("slug").first()
    data = {"case": published.slug, "text": "Kept excerpt <i>as typed</i>", "kind": "conflicting",
            "recommendations": [recs[0].key]} | change  # fmt: skip
    response = editor_client.post(reverse("feedback:new"), data)
    assert response.status_code == 422
    body = response.content.decode()
    assert message in body
    form = response.context["form"]
    assert form["text"].value() == data["text"] and form["kind"].value() == "conflicting"
    if "text" not in change:
        assert "Kept excerpt &lt;i&gt;as typed&lt;/i&gt;" in body
    assert not Feedback.objects.exists()
