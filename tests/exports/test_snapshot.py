"""The dated snapshot: published data only, a data dictionary, and an exact round trip."""

import json

import pytest
from django.conf import settings
from django.core.management import CommandError, call_command
from taggit.models import Tag

from casebase.analysis.models import Analysis
from casebase.cases.models import CaseStudy, Cohort, TemplateSection
from casebase.framework.models import Edition, Principle, StakeholderRole
from casebase.organizations.models import Organization
from tests.analysis.conftest import make_cases


def empty_database():
    Analysis.objects.all().delete()
    CaseStudy.objects.all().delete()
    Organization.objects.all().delete()
    for edition in Edition.objects.all():
        edition.recommendations.all().delete()
        edition.sections.filter(parent__isnull=False).delete()
        edition.sections.all().delete()
        edition.delete()
    for model in (StakeholderRole, Principle, Cohort, TemplateSection, Tag):
        model.objects.all().delete()


def test_round_trip_is_identical(casebase_data, tmp_path):
    make_cases(12, seed=11)
    first = tmp_path / "first.json"
    second = tmp_path / "second.json"
    call_command("export_snapshot", output=str(first), date="2026-01-31", stderr=open("/dev/null", "w"))
    empty_database()
    call_command("load_snapshot", str(first), stdout=open("/dev/null", "w"))
    call_command("export_snapshot", output=str(second), date="2026-01-31", stderr=open("/dev/null", "w"))
    assert first.read_text() == second.read_text()


def test_round_trip_keeps_editions_and_their_crosswalk(casebase_data, tmp_path):
    """A published second edition (a split, a merge, a retirement, feedback from a published
    case) and a draft third: the published ones and their changes round-trip, the draft is left out."""
    from casebase.commitments.models import Feedback
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
    services.merge_recommendations(edition=draft, recommendations=recs[1:3], key="joined", title="Joined",
                                   text="", reason="Overlap.", by=editor)  # fmt: skip
    services.retire_recommendation(edition=draft, recommendation=recs[3], reason="Gone.", by=editor)
    services.publish_edition(edition=draft, by=editor)
    services.draft_next_edition(slug="2026", title="Secret third", by=editor)
    first, second = tmp_path / "first.json", tmp_path / "second.json"
    call_command("export_snapshot", output=str(first), date="2026-01-31", stderr=open("/dev/null", "w"))
    data = json.loads(first.read_text())["data"]
    assert {e["slug"] for e in data["editions"]} == {"2023", "2025"}
    assert sorted(c["kind"] for c in data["edition_changes"]) == ["merged", "retired", "split"]
    empty_database()
    Feedback.objects.all().delete()
    call_command("load_snapshot", str(first), stdout=open("/dev/null", "w"))
    assert Edition.objects.get(slug="2025").based_on.slug == "2023"
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
    assert data["snapshot"]["format_version"] == 2 and data["data"]["cases"]
