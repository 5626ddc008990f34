"""Other instruments, their clauses and the crosswalk from recommendations to them: the fixtures, the
recommendation page's section, the case list's ``clause`` filter (counted again from the database), the
API, the admin."""

import io
import json
from pathlib import Path

import pytest
from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.management import call_command

from casebase.cases.models import Application, CaseStudy
from casebase.core import pagecache
from casebase.core.evidence import FACT_GRADES, SHOWN_GRADES
from casebase.framework.models import Clause, ClauseMapping, Instrument
from tests.independent import Records

pytestmark = pytest.mark.django_db

FIXTURE = json.loads((Path(settings.BASE_DIR) / "fixtures" / "instruments.json").read_text())
ART_50_2 = "eu-ai-act-art-50-2"


def applying_slugs(keys, grades=SHOWN_GRADES) -> set[str]:
    """Published cases applying any of these keys, read from the applications (not the facet index)."""
    return set(
        Application.objects.filter(
            case__is_published=True,
            recommendation__key__in=keys,
            status__in=["implemented", "partial", "considered"],
            grade__in=grades,
        ).values_list("case__slug", flat=True)
    )


def clause_slugs(clause: str, grades=SHOWN_GRADES) -> set[str]:
    keys = ClauseMapping.objects.filter(clause__slug=clause, grade__in=grades).values_list(
        "recommendation_key", flat=True
    )
    return applying_slugs(list(keys), grades)


def listed(client, query: str) -> set[str]:
    response = client.get(f"/cases/?{query}&page_size=100")
    assert response.status_code == 200
    paginator = response.context["paginator"]
    return {case.slug for page in paginator.page_range for case in paginator.page(page).object_list}


# --- the data -----------------------------------------------------------------------------------


def test_fixtures_load_every_instrument_clause_and_mapping(casebase_data):
    assert set(Instrument.objects.values_list("slug", flat=True)) >= {
        i["slug"] for i in FIXTURE["instruments"]
    }
    assert set(Clause.objects.values_list("slug", flat=True)) >= {c["slug"] for c in FIXTURE["clauses"]}
    assert ClauseMapping.objects.count() == len(FIXTURE["mappings"]) > 0


def test_every_loaded_fact_names_its_source_and_mappings_are_the_editors_inference(casebase_data):
    for record in [*Instrument.objects.all(), *Clause.objects.all()]:
        provenance = record.provenance()
        assert provenance.grade in SHOWN_GRADES, record
        if provenance.grade in FACT_GRADES:
            assert provenance.source_url and provenance.checked_on, record
    for mapping in ClauseMapping.objects.all():
        # No page states these links: each is an inference, in the editors' voice, resting on the clause's words.
        assert (mapping.grade, mapping.voice) == ("inferred", "editors"), mapping
        assert mapping.source_url and mapping.locator, mapping
        assert mapping.clean() is None  # its key names a recommendation


def test_loading_again_changes_nothing_and_reports_the_mappings(casebase_data):
    counts = (Instrument.objects.count(), Clause.objects.count(), ClauseMapping.objects.count())
    out = io.StringIO()
    call_command("load_casebase", stdout=out)
    assert (Instrument.objects.count(), Clause.objects.count(), ClauseMapping.objects.count()) == counts
    text = out.getvalue()
    assert "  clause mappings: " in text
    assert f"clause_mappings={counts[2]}" in text


def test_a_mapping_must_name_a_known_recommendation_key(casebase_data):
    mapping = ClauseMapping(recommendation_key="no-such-key", clause=Clause.objects.get(slug=ART_50_2))
    with pytest.raises(ValidationError) as raised:
        mapping.full_clean()
    assert "recommendation_key" in raised.value.message_dict


# --- the recommendation page --------------------------------------------------------------------


def test_recommendation_page_shows_its_related_rules_with_their_grades(client, casebase_data):
    text = client.get("/recommendations/builders-2/").text
    assert "Related rules in other instruments" in text
    clause = Clause.objects.get(slug=ART_50_2)
    assert clause.reference in text and clause.title in text and clause.instrument.name in text
    assert f'href="{clause.url}"' in text
    assert "<strong>partly addresses</strong>" in text
    assert text.count('class="flag flag-inferred"') >= 2  # each mapping says it is inferred where it stands
    assert f"/cases/?clause={ART_50_2}" in text


def test_confirmed_evidence_hides_inferred_mappings_and_says_so(client, casebase_data):
    text = client.get("/recommendations/builders-2/?evidence=confirmed").text
    assert "Related rules in other instruments" in text
    assert "<strong>partly addresses</strong>" not in text
    assert "2 inferred links left out" in text
    # A mapping a source states is shown under either setting.
    mapping = ClauseMapping.objects.get(recommendation_key="builders-2", clause__slug=ART_50_2)
    mapping.grade = "corroborated"
    mapping.save()
    text = client.get("/recommendations/builders-2/?evidence=confirmed").text
    assert "<strong>partly addresses</strong>" in text and "1 inferred link left out" in text


def test_refuted_clause_or_mapping_is_never_shown(client, casebase_data):
    ClauseMapping.objects.filter(recommendation_key="builders-2", clause__slug=ART_50_2).update(
        grade="refuted"
    )
    Clause.objects.filter(slug="c2pa-2-1-section-1-1").update(grade="refuted")
    text = client.get("/recommendations/builders-2/").text
    assert "<strong>partly addresses</strong>" not in text
    assert "C2PA Technical Specification" not in text
    assert "No rule of another instrument is linked to this recommendation yet" in text


def test_a_recommendation_without_mappings_says_none_yet(client, casebase_data):
    text = client.get("/recommendations/collective-1/").text
    assert "No rule of another instrument is linked to this recommendation yet" in text


# --- the case list filter -----------------------------------------------------------------------


@pytest.mark.parametrize("clause", [c["slug"] for c in FIXTURE["clauses"]])
def test_clause_filter_lists_the_cases_applying_any_mapped_recommendation(client, casebase_data, clause):
    expected = clause_slugs(clause)
    assert listed(client, f"clause={clause}") == expected
    assert expected  # the real cases apply the mapped recommendations


def test_clause_filter_is_an_or_over_the_mapped_recommendations(client, casebase_data):
    keys = ["builders-2", "builders-4"]
    assert set(
        ClauseMapping.objects.filter(clause__slug=ART_50_2).values_list("recommendation_key", flat=True)
    ) == set(keys)
    shown = listed(client, f"clause={ART_50_2}")
    assert shown == applying_slugs(keys) == applying_slugs(keys[:1]) | applying_slugs(keys[1:])
    assert shown == Records().matching({"rec": keys})


def test_clause_filter_respects_the_evidence_control_for_the_mapping(client, casebase_data):
    # Every shipped mapping is inferred: counting confirmed evidence only, no mapping counts.
    assert listed(client, f"clause={ART_50_2}&evidence=confirmed") == set()
    ClauseMapping.objects.filter(recommendation_key="builders-2", clause__slug=ART_50_2).update(
        grade="confirmed"
    )
    # The real codings are all inferred too: one confirmed coding of builders-2, and one of a key not mapped.
    coding = Application.objects.filter(recommendation__key="builders-2", status="implemented").first()
    Application.objects.filter(pk=coding.pk).update(grade="confirmed")
    Application.objects.filter(recommendation__key="creators-3").update(grade="confirmed")
    pagecache.bump()
    expected = applying_slugs(["builders-2"], FACT_GRADES)
    assert listed(client, f"clause={ART_50_2}&evidence=confirmed") == expected
    assert expected


def test_clause_filter_combines_with_the_others(client, casebase_data):
    both = listed(client, f"clause={ART_50_2}&role=builder")
    assert both == Records().matching({"clause": [ART_50_2], "role": ["builder"]})
    assert both <= clause_slugs(ART_50_2)


def test_clause_filter_shows_as_a_facet_and_a_chip(client, casebase_data):
    response = client.get(f"/cases/?clause={ART_50_2}")
    clause = Clause.objects.get(slug=ART_50_2)
    facets = {facet.param: facet for facet in response.context["facets"]}
    choice = next(c for c in facets["clause"].choices if c.value == ART_50_2)
    assert choice.active and choice.count == len(clause_slugs(ART_50_2))
    assert f"Related rule: {clause.label}" in response.text  # the active-filter chip


def test_unknown_clause_is_reported_and_ignored_like_an_unknown_recommendation(client, casebase_data):
    rec = client.get("/cases/?rec=no-such-rec")
    clause = client.get("/cases/?clause=no-such-clause")
    assert clause.status_code == rec.status_code == 200
    assert "No related rule matches “no-such-clause”; that filter was ignored." in clause.text
    assert clause.context["filter"].unknown == {"clause": ["no-such-clause"]}
    assert (
        clause.context["paginator"].count
        == rec.context["paginator"].count
        == CaseStudy.objects.published().count()
    )


def test_api_accepts_the_clause_filter(client, casebase_data):
    data = client.get(f"/api/cases/?clause={ART_50_2}&page_size=100").json()
    assert data["count"] == len(clause_slugs(ART_50_2))
    assert {case["slug"] for case in data["results"]} == clause_slugs(ART_50_2)


# --- the admin ----------------------------------------------------------------------------------


@pytest.mark.parametrize("model", ["instrument", "clause", "clausemapping"])
def test_admin_list_add_and_change_pages_render(admin_client_, casebase_data, model):
    record = {"instrument": Instrument, "clause": Clause, "clausemapping": ClauseMapping}[
        model
    ].objects.first()
    for url in (
        f"/admin/framework/{model}/",
        f"/admin/framework/{model}/?worklist=yes",
        f"/admin/framework/{model}/add/",
        f"/admin/framework/{model}/{record.pk}/change/",
        f"/admin/framework/{model}/{record.pk}/history/",
    ):
        assert admin_client_.get(url).status_code == 200, url


def test_admin_adds_a_mapping_as_an_inference_by_default(admin_client_, casebase_data):
    clause = Clause.objects.get(slug="eu-ai-act-art-50-4")
    response = admin_client_.post(
        "/admin/framework/clausemapping/add/",
        {"recommendation_key": "distributors-1", "clause": clause.pk, "relation": "related", "note": "x",
         "grade": "inferred", "voice": "editors", "field_sources": "{}"},
    )  # fmt: skip
    assert response.status_code == 302, response.context["adminform"].form.errors
    mapping = ClauseMapping.objects.get(recommendation_key="distributors-1", clause=clause)
    assert mapping.grade == "inferred"
    bad = admin_client_.post(
        "/admin/framework/clausemapping/add/",
        {"recommendation_key": "nope", "clause": clause.pk, "relation": "related", "note": "kept text",
         "grade": "inferred", "voice": "editors", "field_sources": "{}"},
    )  # fmt: skip
    assert bad.status_code == 200 and "No recommendation has this key" in bad.text and "kept text" in bad.text


def test_inferred_mappings_are_on_the_staff_worklist(editor_client, casebase_data):
    response = editor_client.get("/review/quality/?list=check&kind=clause-mapping")
    worklist = response.context["worklist"]
    assert len(worklist) == ClauseMapping.objects.count()
    assert all(item.kind.key == "clause-mapping" and item.provenance.needs_check for item in worklist)
    assert "builders-2 → " in response.text
