"""The dated snapshot: published data only, a data dictionary, and an exact round trip."""

import datetime
import json

import pytest
from django.conf import settings
from django.core.management import CommandError, call_command
from taggit.models import Tag

from casebase.analysis.models import Analysis
from casebase.cases.models import CaseStudy, Cohort, TemplateSection
from casebase.framework.models import Clause, ClauseMapping, Edition, Instrument, Principle, StakeholderRole
from casebase.organizations.models import Organization
from tests.analysis.conftest import make_cases


def empty_database():
    from casebase.commitments.models import Feedback, ReportingCycle

    Feedback.objects.all().delete()
    ReportingCycle.objects.all().delete()
    Analysis.objects.all().delete()
    CaseStudy.objects.all().delete()
    Organization.objects.all().delete()
    for edition in Edition.objects.all():
        edition.recommendations.all().delete()
        edition.sections.filter(parent__isnull=False).delete()
        edition.sections.all().delete()
        edition.delete()
    for model in (
        ClauseMapping,
        Clause,
        Instrument,
        StakeholderRole,
        Principle,
        Cohort,
        TemplateSection,
        Tag,
    ):
        model.objects.all().delete()


def file_self_assessments() -> dict:
    """A cycle with one published self-assessment (statuses, a planned measure, evidence) and one
    still a draft, as supporters and an editor make them."""
    import datetime

    from casebase.commitments import services
    from tests.conftest import make_user

    edition = Edition.objects.get(slug="2023")
    editor = make_user("snapshot-editor", is_staff=True)
    cycle = services.open_cycle(
        title="2025 review", slug="2025-review", edition=edition,
        opens_on=datetime.date(2025, 1, 1), deadline=datetime.date(2025, 3, 31), by=editor,
    )  # fmt: skip
    with_cases = Organization.objects.filter(cases__is_published=True).distinct().order_by("slug")
    published_org, draft_org = with_cases[0], with_cases[1]
    made = {}
    for org in (published_org, draft_org):
        member = make_user(f"member-{org.slug}", organization=org)
        assessment = services.start_assessment(cycle=cycle, organization=org, by=member).assessment
        evidence = list(services.evidence_choices(org).values_list("pk", flat=True))[:2]
        rows = {}
        for n, rec_id in enumerate(
            assessment.statements.order_by("pk").values_list("recommendation_id", flat=True)
        ):
            planned = n % 3 == 1
            rows[rec_id] = {
                "status": "planned"
                if planned
                else ("practised", "partly", "declined", "not_applicable")[n % 4],
                "justification": f"Statement {n} of {org.name}.",
                "planned_measure": "Adopt C2PA manifests." if planned else "",
                "planned_by": datetime.date(2025, 12, 31) if planned else None,
                "evidence": evidence if n == 0 else [],
            }
        assessment = services.save_assessment(
            assessment=assessment, data=rows, version=assessment.version, by=member
        )
        made[org.slug] = assessment
    services.submit_assessment(assessment=made[published_org.slug], by=make_user_for(published_org))
    services.publish_assessment(assessment=made[published_org.slug], by=editor)
    return {"published": published_org.slug, "draft": draft_org.slug}


def make_user_for(org):
    from django.contrib.auth import get_user_model

    return get_user_model().objects.get(username=f"member-{org.slug}")


def test_round_trip_is_identical(casebase_data, tmp_path):
    make_cases(12, seed=11)
    filed = file_self_assessments()
    first = tmp_path / "first.json"
    second = tmp_path / "second.json"
    call_command("export_snapshot", output=str(first), date="2026-01-31", stderr=open("/dev/null", "w"))
    empty_database()
    call_command("load_snapshot", str(first), stdout=open("/dev/null", "w"))
    call_command("export_snapshot", output=str(second), date="2026-01-31", stderr=open("/dev/null", "w"))
    assert first.read_text() == second.read_text()
    # Cycles and statements came back: the published assessment only, never the draft.
    data = json.loads(second.read_text())["data"]
    assert [c["slug"] for c in data["cycles"]] == ["2025-review"]
    assert [a["organization"] for a in data["self_assessments"]] == [filed["published"]]
    statements = data["self_assessments"][0]["statements"]
    assert statements and {s["status"] for s in statements} >= {"practised", "planned"}
    assert any(s["evidence"] for s in statements) and any(s["planned_by"] == "2025-12-31" for s in statements)
    from casebase.commitments.models import Statement

    assert Statement.objects.public().count() == len(statements)


def test_round_trip_keeps_the_crosswalk_to_other_instruments(casebase_data, tmp_path):
    """Instruments, clauses and mappings by their stable keys (slugs, recommendation keys), with
    their provenance: a field's own, and a refuted record kept as data."""
    mapping = ClauseMapping.objects.get(recommendation_key="builders-2", clause__slug="eu-ai-act-art-50-2")
    mapping.set_provenance("relation", grade="corroborated", source_url="https://example.org/says-so")
    mapping.save()
    Clause.objects.filter(slug="eu-ai-act-art-50-4").update(grade="refuted")
    before = {
        (m.recommendation_key, m.clause.slug, m.relation, m.note, m.grade, m.voice, m.source_url, m.locator)
        for m in ClauseMapping.objects.select_related("clause")
    }
    first = tmp_path / "first.json"
    call_command("export_snapshot", output=str(first), date="2026-01-31", stderr=open("/dev/null", "w"))
    data = json.loads(first.read_text())["data"]
    assert len(data["clause_mappings"]) == len(before) > 0
    assert {c["slug"]: c["provenance"]["grade"] for c in data["clauses"]}["eu-ai-act-art-50-4"] == "refuted"
    row = next(
        m
        for m in data["clause_mappings"]
        if m["recommendation"] == "builders-2" and m["clause"] == "eu-ai-act-art-50-2"
    )
    assert (
        row["provenance"]["grade"] == "inferred"
        and row["field_sources"]["relation"]["grade"] == "corroborated"
    )
    empty_database()
    call_command("load_snapshot", str(first), stdout=open("/dev/null", "w"))
    after = {
        (m.recommendation_key, m.clause.slug, m.relation, m.note, m.grade, m.voice, m.source_url, m.locator)
        for m in ClauseMapping.objects.select_related("clause")
    }
    assert after == before
    loaded = ClauseMapping.objects.get(recommendation_key="builders-2", clause__slug="eu-ai-act-art-50-2")
    assert loaded.provenance("relation").source_url == "https://example.org/says-so"
    assert Instrument.objects.count() == len(data["instruments"])


def test_round_trip_keeps_editions_and_their_crosswalk(casebase_data, tmp_path):
    """A published second edition (a split, a merge, a retirement, feedback from a published
    case) and a draft third: the published ones and their changes round-trip, the draft is left out."""
    from django.utils import timezone

    from casebase.commitments.models import Feedback, ReportingCycle, SelfAssessment, Statement
    from casebase.editions import services
    from tests.conftest import make_user

    editor = make_user("snapshot-editor", is_staff=True)
    draft = services.draft_next_edition(slug="2025", title="Second", by=editor)
    recs = list(draft.recommendations.order_by("key"))
    case = CaseStudy.objects.published().order_by("slug").first()
    feedback = Feedback.objects.create(case=case, kind="unclear", text="Two in one.")
    feedback.recommendations.set(recs[0].predecessors.all())
    services.split_recommendation(
        edition=draft, recommendation=recs[0], reason="Two in one.", feedback=[feedback], by=editor,
        parts=[{"key": "part-a", "title": "A", "text": ""}, {"key": "part-b", "title": "B", "text": ""}],
    )  # fmt: skip
    # The merge answers a supporter's feedback, filed with a statement of a published self-assessment.
    cycle = ReportingCycle.objects.create(
        slug="2024-review", title="2024 review", edition=Edition.objects.get(slug="2023"),
        opens_on=datetime.date(2024, 1, 1), deadline=datetime.date(2024, 3, 1),
    )  # fmt: skip
    assessment = SelfAssessment.objects.create(
        cycle=cycle, organization=case.organization, status="published", published_at=timezone.now()
    )
    statement = Statement.objects.create(
        assessment=assessment,
        recommendation=recs[1].predecessors.get(),
        status="partly",
        justification="Half.",
    )
    said = Feedback.objects.create(
        statement=statement, organization=case.organization, kind="conflicting", text="These overlap."
    )
    said.recommendations.set([statement.recommendation])
    services.merge_recommendations(edition=draft, recommendations=recs[1:3], key="joined", title="Joined",
                                   text="", reason="Overlap.", feedback=[said], by=editor)  # fmt: skip
    services.retire_recommendation(edition=draft, recommendation=recs[3], reason="Gone.", by=editor)
    services.publish_edition(edition=draft, by=editor)
    services.draft_next_edition(slug="2026", title="Secret third", by=editor)
    first, second = tmp_path / "first.json", tmp_path / "second.json"
    call_command("export_snapshot", output=str(first), date="2026-01-31", stderr=open("/dev/null", "w"))
    data = json.loads(first.read_text())["data"]
    assert {e["slug"] for e in data["editions"]} == {"2023", "2025"}
    assert sorted(c["kind"] for c in data["edition_changes"]) == ["merged", "retired", "split"]
    merged = next(c for c in data["edition_changes"] if c["kind"] == "merged")
    assert merged["feedback"] == [{
        "case": None, "statement": ["2024-review", case.organization.slug, ["2023", statement.recommendation.key]],
        "kind": "conflicting", "text": "These overlap.",
    }]  # fmt: skip
    empty_database()
    Feedback.objects.all().delete()
    call_command("load_snapshot", str(first), stdout=open("/dev/null", "w"))
    assert Edition.objects.get(slug="2025").based_on.slug == "2023"
    assert (
        Edition.objects.get(slug="2025").changes.get(kind="merged").feedback.get().statement.justification
        == "Half."
    )
    call_command("export_snapshot", output=str(second), date="2026-01-31", stderr=open("/dev/null", "w"))
    assert first.read_text() == second.read_text()


def test_snapshot_holds_only_published_records_with_dictionary(casebase_data, tmp_path):
    make_cases(12, seed=12)
    Analysis.objects.create(slug="draft-analysis", title="Draft", status="draft")
    path = tmp_path / "s.json"
    call_command("export_snapshot", output=str(path), date="2026-02-01", stderr=open("/dev/null", "w"))
    data = json.loads(path.read_text())
    assert data["snapshot"]["date"] == "2026-02-01"
    slugs = {c["slug"] for c in data["data"]["cases"]}
    assert slugs == set(CaseStudy.objects.published().values_list("slug", flat=True))
    assert "draft-analysis" not in {a["slug"] for a in data["data"]["analyses"]}
    for table, rows in data["data"].items():
        described = data["data_dictionary"][table]["fields"]
        for row in rows:
            assert set(row) == set(described), table
    assert data["data_dictionary"]["cases"]["fields"]["applications"]
    assert "@dataset{" in data["snapshot"]["citation"]["bibtex"]
    # Evidence is data: every record's provenance and each field's kept, not flattened.
    adobe = next(c for c in data["data"]["cases"] if c["slug"] == "adobe")
    assert adobe["provenance"]["grade"] in ("confirmed", "corroborated", "recalled", "inferred")
    assert adobe["field_sources"]["summary"]["grade"] == "inferred"
    fixture_slugs = {
        c["slug"] for c in json.loads((settings.BASE_DIR / "fixtures" / "cases.json").read_text())["cases"]
    }
    real = [c for c in data["data"]["cases"] if c["slug"] in fixture_slugs]
    assert len(real) == 19
    assert {a["provenance"]["grade"] for c in real for a in c["applications"]} == {"inferred"}
    thorn = next(c for c in real if c["slug"] == "thorn")
    assert {r["slug"]: r["provenance"]["grade"] for r in thorn["roles"]}["builder"] == "refuted"
    # Findings never cite an unpublished case.
    all_cases = {s for a in data["data"]["analyses"] for f in a["findings"] for s in f["cases"]}
    assert all_cases <= slugs


def test_load_refuses_a_database_that_is_not_empty(casebase_data, tmp_path):
    path = tmp_path / "s.json"
    call_command("export_snapshot", output=str(path), stderr=open("/dev/null", "w"))
    with pytest.raises(CommandError, match="empty"):
        call_command("load_snapshot", str(path))


def test_load_rejects_a_file_that_is_not_a_snapshot(db, tmp_path):
    path = tmp_path / "x.json"
    path.write_text('{"hello": 1}')
    with pytest.raises(CommandError):
        call_command("load_snapshot", str(path))


def test_snapshot_download_page(client, casebase_data):
    response = client.get("/analysis/data/snapshot.json")
    assert response.status_code == 200 and "attachment" in response["Content-Disposition"]
    assert response.streaming
    data = json.loads(b"".join(response.streaming_content))
    assert data["snapshot"]["format_version"] == 3 and data["data"]["cases"]
