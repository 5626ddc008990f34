"""Feedback in the snapshot: only feedback whose source is public, and an exact round trip."""

import json

from django.core.management import call_command
from django.utils import timezone

from casebase.cases.models import CaseStudy
from casebase.commitments.models import DossierNote, Feedback, ReportingCycle, SelfAssessment, Statement
from casebase.datasets import snapshot
from casebase.organizations.models import Organization
from tests.exports.test_snapshot import empty_database


def _feedback(case=None, statement=None, text="", recs=(), tagged=False):
    item = Feedback.objects.create(
        text=text,
        kind="unclear",
        case=case,
        statement=statement,
        organization=(case or statement.assessment).organization,
        tagged_at=timezone.now().replace(microsecond=123000) if tagged else None,
    )
    item.recommendations.set(recs)
    return item


def _world(edition):
    published = CaseStudy.objects.published().order_by("slug")
    recs = list(edition.recommendations.order_by("key")[:3])
    draft_case = CaseStudy.objects.create(
        slug="fb-draft-case", title="Draft", organization=Organization.objects.first(), is_published=False
    )
    cycle = ReportingCycle.objects.create(
        slug="2025-review", title="2025 review", edition=edition, opens_on="2025-01-01", deadline="2025-03-01"
    )
    orgs = list(Organization.objects.order_by("slug")[:2])
    public = SelfAssessment.objects.create(cycle=cycle, organization=orgs[0], status="published")
    hidden = SelfAssessment.objects.create(cycle=cycle, organization=orgs[1], status="submitted")
    public_statement = Statement.objects.create(assessment=public, recommendation=recs[0], status="planned")
    hidden_statement = Statement.objects.create(assessment=hidden, recommendation=recs[0], status="planned")
    _feedback(case=published[0], text="From a published case", recs=recs[:2], tagged=True)
    _feedback(case=published[1], text="Untagged, from a published case")
    _feedback(case=draft_case, text="From a draft case")
    _feedback(statement=public_statement, text="From a published statement", recs=recs[2:])
    _feedback(statement=hidden_statement, text="From a submitted statement")
    _feedback(statement=public_statement, case=draft_case, text="Names a draft case")
    DossierNote.objects.create(recommendation=recs[0], text="Editors only")
    return published, recs, public


def test_only_public_feedback_is_exported(casebase_data):
    published, recs, public = _world(casebase_data)
    data = snapshot.build(timezone.localdate())
    rows = {row["text"]: row for row in data["data"]["feedback"]}
    assert set(rows) == {
        "From a published case",
        "Untagged, from a published case",
        "From a published statement",
    }
    first = rows["From a published case"]
    assert first["case"] == published[0].slug and first["organization"] == published[0].organization.slug
    assert first["recommendations"] == sorted(["2023", r.key] for r in recs[:2])
    assert first["tagged_at"] and rows["Untagged, from a published case"]["tagged_at"] is None
    assert rows["From a published statement"]["statement"] == [
        "2025-review",
        public.organization.slug,
        ["2023", recs[0].key],
    ]
    assert set(first) == set(data["data_dictionary"]["feedback"]["fields"])
    assert data["snapshot"]["counts"]["feedback"] == 3
    assert "Editors only" not in json.dumps(data)
    assert "".join(snapshot.stream(timezone.localdate())) == snapshot.dumps(data)


def test_round_trip_keeps_case_feedback(casebase_data, tmp_path):
    published = CaseStudy.objects.published().order_by("slug")
    recs = list(casebase_data.recommendations.order_by("key")[:2])
    _feedback(case=published[0], text="Tagged", recs=recs, tagged=True)
    _feedback(case=published[2], text="Untagged <b>as typed</b>")
    first, second = tmp_path / "first.json", tmp_path / "second.json"
    call_command("export_snapshot", output=str(first), date="2026-01-31", stderr=open("/dev/null", "w"))
    empty_database()
    assert not Feedback.objects.exists()  # went with their cases
    call_command("load_snapshot", str(first), stdout=open("/dev/null", "w"))
    call_command("export_snapshot", output=str(second), date="2026-01-31", stderr=open("/dev/null", "w"))
    assert first.read_text() == second.read_text()
    loaded = Feedback.objects.get(text="Tagged")
    assert loaded.case.slug == published[0].slug and {r.key for r in loaded.recommendations.all()} == {
        r.key for r in recs
    }
    assert len(json.loads(first.read_text())["data"]["feedback"]) == 2
