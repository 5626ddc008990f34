"""The yearly review in the read API: /api/commitments/ and /api/cycles/."""

import json

import pytest
from openapi_spec_validator import validate

from tests.commitments import public_world

pytestmark = pytest.mark.django_db


@pytest.fixture
def review(casebase_data, org_a, org_b):
    return public_world.build(casebase_data, org_a, org_b)


def get(client, url, status=200):
    response = client.get(url)
    assert response.status_code == status, response.content[:300]
    assert response["Content-Type"] == "application/json"
    return json.loads(response.content)


def test_commitments_are_the_public_statements_paginated(client, review):
    data = get(client, "/api/commitments/")
    assert set(data) == {"count", "next", "previous", "results"}
    assert data["count"] == 5  # A: 3, B: 2 answered; never a draft's or an unanswered one
    first = data["results"][0]
    assert set(first) == {
        "cycle", "cycle_title", "organization", "organization_name", "recommendation", "recommendation_label",
        "status", "status_label", "justification", "planned_measure", "planned_by", "evidence_cases", "voice",
        "backed_by_confirmed_evidence", "published_at",
    }  # fmt: skip
    assert {r["voice"] for r in data["results"]} == {"supporter"}
    texts = json.dumps(data)
    assert all(secret not in texts for secret in review.secrets)
    assert "a-draft-case" not in texts  # an unpublished case cited as evidence is not served
    paged = get(client, "/api/commitments/?page_size=2&page=3")
    assert len(paged["results"]) == 1 and paged["next"] is None


@pytest.mark.parametrize(
    "query, expected",
    [
        (
            "recommendation={rec}",
            {
                ("org-a", "2024-review"),
                ("org-a", "2025-review"),
                ("org-b", "2024-review"),
                ("org-b", "2025-review"),
            },
        ),
        ("organization=org-b", {("org-b", "2024-review"), ("org-b", "2025-review")}),
        ("cycle=2024-review", {("org-a", "2024-review"), ("org-b", "2024-review")}),
        ("status=planned", {("org-a", "2024-review"), ("org-b", "2025-review")}),
        ("recommendation={rec}&evidence=confirmed", {("org-a", "2025-review")}),
        ("organization=ORG-A&status=Declined", {("org-a", "2025-review")}),
        ("recommendation=nothing-here", set()),
        ("cycle=%00%ff", set()),
    ],
)
def test_commitments_filter(client, review, query, expected):
    data = get(client, "/api/commitments/?" + query.format(rec=review.rec.key))
    assert {(r["organization"], r["cycle"]) for r in data["results"]} == expected
    assert data["count"] == len(data["results"])


def test_confirmed_evidence_serves_only_backed_statements(client, review):
    everything = get(client, "/api/commitments/")["results"]
    confirmed = get(client, "/api/commitments/?evidence=confirmed")["results"]
    assert confirmed == [r for r in everything if r["backed_by_confirmed_evidence"]]
    assert len(confirmed) == 1 and confirmed[0]["status"] == "practised"


def test_an_unknown_status_is_a_clear_400(client, review):
    data = get(client, "/api/commitments/?status=%3Cb%3Emaybe", status=400)
    assert "Unknown status" in data["status"][0] and "<b>" not in json.dumps(data)
    get(client, "/api/commitments/?page=999", status=404)


def test_cycles_list_counts_public_statements_only(client, review):
    data = get(client, "/api/cycles/")
    assert [c["slug"] for c in data["results"]] == ["2024-review", "2025-review"]
    counts = {c["slug"]: c["public_statements"] for c in data["results"]}
    assert counts == {"2024-review": 2, "2025-review": 3}
    assert set(data["results"][0]) == {
        "slug", "title", "edition", "opens_on", "deadline", "is_open", "public_statements"
    }  # fmt: skip


def test_the_api_stays_read_only_and_described(client, review):
    assert client.post("/api/commitments/", {}).status_code == 405
    assert client.get("/api/commitments/1/").status_code == 404
    schema = json.loads(client.get("/api/schema/?format=json").content)
    validate(schema)
    params = {p["name"] for p in schema["paths"]["/api/commitments/"]["get"]["parameters"]}
    assert {"recommendation", "organization", "cycle", "status", "evidence", "page", "page_size"} <= params
    assert "/api/cycles/" in schema["paths"]
