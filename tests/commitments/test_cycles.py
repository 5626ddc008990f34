"""Staff open, list and close reporting cycles."""

import pytest

from casebase.commitments.models import ReportingCycle
from casebase.organizations.models import Organization

pytestmark = pytest.mark.django_db


def open_post(**changes):
    from casebase.framework.models import Edition

    data = {
        "title": "2026 review",
        "slug": "2026-review",
        "edition": str(Edition.objects.get(slug="2023").pk),
        "opens_on": "2026-01-01",
        "deadline": "2026-03-31",
        "notes": "",
    }
    return data | changes


def test_the_form_defaults_to_the_current_edition_and_today(cycle, editor_client):
    from django.utils import timezone

    page = editor_client.get("/review/cycles/").content.decode()
    assert "Open cycle" in page and "2025 review" in page
    assert f'value="{timezone.localdate().isoformat()}"' in page
    assert "selected>Framework 2023</option>" in page


def test_staff_open_a_cycle(cycle, editor_client, editor):
    response = editor_client.post("/review/cycles/", open_post())
    assert response.status_code == 302 and response["Location"] == "/review/cycles/2026-review/"
    new = ReportingCycle.objects.get(slug="2026-review")
    assert new.is_open and new.created_by == editor


@pytest.mark.parametrize(
    "changes, message",
    [
        ({"deadline": "2025-12-31"}, "The deadline cannot be before the cycle opens."),
        ({"slug": "2025-review"}, "A cycle already uses this address."),
        ({"slug": "not a slug!"}, "Enter a valid"),
        ({"title": "t" * 201}, "at most 200 characters"),
        ({"slug": "s" * 81}, "at most 80 characters"),
        ({"notes": "n" * 5001}, "at most 5000 characters"),
        ({"opens_on": "2026-13-45"}, "Enter a valid date"),
        ({"edition": "999999"}, "Select a valid choice"),
        ({"title": ""}, "This field is required"),
    ],
)
def test_bad_input_is_422_with_everything_kept(cycle, editor_client, changes, message):
    kept_title = "title" not in changes
    response = editor_client.post("/review/cycles/", open_post(**({"title": "Kept title"} | changes)))
    page = response.content.decode()
    assert response.status_code == 422
    assert message in page
    assert ReportingCycle.objects.count() == 1
    if kept_title:
        assert 'value="Kept title"' in page


def test_counts_per_cycle(cycle, org_a, supporter_a, editor_client):
    from casebase.commitments import services

    services.start_assessment(cycle=cycle, organization=org_a, by=supporter_a)
    supporters = Organization.objects.supporters().count()
    page = editor_client.get("/review/cycles/").content.decode()
    row = page[page.index("2025 review") :].split("</tr>")[0]
    cells = [c.split("</td>")[0] for c in row.split("<td>")[1:]]
    assert cells[-4:] == ["1", "0", "0", str(supporters - 1)]


def test_cycle_page_lists_every_supporter_and_closes(
    cycle, org_a, org_b, supporter_a, editor_client, supporter_a_client
):
    from casebase.commitments import services

    services.start_assessment(cycle=cycle, organization=org_a, by=supporter_a)
    Organization.objects.create(
        slug="not-a-supporter", name="Not A Supporter", kind="media", is_supporter=False
    )
    page = editor_client.get("/review/cycles/2025-review/").content.decode()
    assert "Organization A" in page and "Organization B" in page and "Not A Supporter" not in page
    assert "Not started" in page and "Draft" in page
    assert "Close cycle" in page
    assert editor_client.post("/review/cycles/2025-review/close/").status_code == 302
    assert not ReportingCycle.objects.get(pk=cycle.pk).is_open
    assert "Reopen cycle" in editor_client.get("/review/cycles/2025-review/").content.decode()
    # Closing twice is refused with a message, not an error.
    response = editor_client.post("/review/cycles/2025-review/close/", follow=True)
    assert "already closed" in response.content.decode()
    # A closed cycle no longer lists for supporters who did not take part.
    editor_client.post("/review/cycles/2025-review/reopen/")
    assert ReportingCycle.objects.get(pk=cycle.pk).is_open


def test_unknown_cycle_is_404(cycle, editor_client):
    assert editor_client.get("/review/cycles/nope/").status_code == 404
    assert editor_client.post("/review/cycles/nope/close/").status_code == 404
    assert editor_client.get("/review/assessments/999999/").status_code == 404


def test_supporters_and_readers_cannot_open_cycles(cycle, supporter_a_client, reader_client, anon_client):
    for client in (supporter_a_client, reader_client):
        assert client.post("/review/cycles/", open_post()).status_code == 403
    assert anon_client.post("/review/cycles/", open_post()).status_code == 302
    assert ReportingCycle.objects.count() == 1


def test_admin_lists_the_review_records(cycle, admin_client_):
    for model in ("reportingcycle", "selfassessment", "statement"):
        assert admin_client_.get(f"/admin/commitments/{model}/").status_code == 200


def test_a_draft_edition_is_never_offered_nor_accepted(cycle, editor_client, editor):
    from django.core.exceptions import ValidationError
    from django.utils import timezone

    from casebase.commitments import services
    from casebase.framework.models import Edition

    draft = Edition.objects.create(slug="2099", title="Draft of 2099", is_draft=True)
    page = editor_client.get("/review/cycles/").content.decode()
    assert "Draft of 2099" not in page
    response = editor_client.post("/review/cycles/", open_post(edition=str(draft.pk)))
    assert response.status_code == 422 and "Select a valid choice" in response.content.decode()
    with pytest.raises(ValidationError, match="Choose a published edition"):
        services.open_cycle(
            title="x", slug="x", edition=draft, opens_on=timezone.localdate(),
            deadline=timezone.localdate(), by=editor,
        )  # fmt: skip
    assert ReportingCycle.objects.count() == 1
