"""Versions, readable differences, restore, and the public change log."""

import pytest

from casebase.cases.models import CaseStudy
from casebase.submissions import services
from casebase.submissions.diff import diff_contents, word_diff
from casebase.submissions.models import ReviewEvent, Status, Submission


def test_word_diff_marks_only_what_changed():
    assert word_diff("We label audio.", "We watermark audio.") == [
        ("equal", "We "),
        ("delete", "label"),
        ("insert", "watermark"),
        ("equal", " audio."),
    ]


@pytest.mark.django_db
def test_every_save_is_a_version_with_who_and_why(make_submission, supporter_a):
    submission = make_submission(Status.DRAFT)
    content = dict(submission.content, title="How Organization A labels audio, version two")
    services.save_draft(
        submission=submission, content=content, expected_version=submission.version, by=supporter_a
    )
    versions = list(submission.history.order_by("history_id"))
    assert len(versions) == 2
    assert versions[0].history_change_reason == "Created by supporter_a"
    assert versions[1].history_change_reason == "Saved by supporter_a"
    diff = diff_contents(versions[0].content, versions[1].content)
    assert [row.label for row in diff] == ["Title"]


@pytest.mark.django_db
def test_history_page_shows_a_readable_diff(make_submission, supporter_a, editor_client):
    submission = make_submission(Status.DRAFT)
    content = dict(submission.content)
    content["sections"] = [dict(s) for s in content["sections"]]
    content["sections"][1]["response"] = "Our answer about the scenario, now <b>longer</b>."
    services.save_draft(
        submission=submission, content=content, expected_version=submission.version, by=supporter_a
    )
    services.submit(submission=submission, by=supporter_a)
    first, second = submission.history.order_by("history_id")[:2]
    page = editor_client.get(f"/review/{submission.pk}/history/?a={first.history_id}&b={second.history_id}")
    html = page.content.decode()
    assert "2. The scenario" in html
    assert "<ins>longer</ins>" not in html  # escaped: user text never becomes markup
    assert "&lt;b&gt;longer&lt;/b&gt;" in html
    assert "<del>" in html and "<ins>" in html


@pytest.mark.django_db
def test_restore_brings_back_an_old_version_as_a_new_one(make_submission, supporter_a, editor, editor_client):
    submission = make_submission(Status.DRAFT)
    original_title = submission.content["title"]
    content = dict(submission.content, title="How Organization A got it wrong")
    submission = services.save_draft(
        submission=submission, content=content, expected_version=submission.version, by=supporter_a
    )
    services.submit(submission=submission, by=supporter_a)
    services.claim(submission=submission, by=editor)
    first = submission.history.order_by("history_id").first()
    versions_before = submission.history.count()
    response = editor_client.post(f"/review/{submission.pk}/history/{first.history_id}/restore/")
    assert response.status_code == 302
    restored = Submission.objects.get(pk=submission.pk)
    assert restored.content["title"] == original_title
    assert restored.status == Status.IN_REVIEW
    assert restored.history.count() == versions_before + 1, "restoring adds a version; none is erased"
    assert ReviewEvent.objects.filter(submission=restored, kind="restored", actor=editor).exists()


@pytest.mark.django_db
def test_restore_is_refused_for_a_published_case(make_submission, editor):
    submission = make_submission(Status.PUBLISHED)
    first = submission.history.order_by("history_id").first()
    with pytest.raises(services.TransitionNotAllowed):
        services.restore_version(submission=submission, history_id=first.history_id, by=editor)


@pytest.mark.django_db
def test_public_case_page_shows_last_updated_and_change_log(
    make_submission, supporter_a, editor, anon_client
):
    submission = make_submission(Status.PUBLISHED)
    case = CaseStudy.objects.get(pk=submission.case_id)
    services.start_revision(case=case, by=supporter_a)
    services.submit(submission=submission, by=supporter_a)
    services.approve(submission=submission, by=editor)
    services.publish(
        submission=submission, by=editor, note="Section 3 updated with 2025 results.", no_official_page=True
    )
    # Make the revision a later day than the first publication.
    from datetime import timedelta

    CaseStudy.objects.filter(pk=case.pk).update(published_on=case.published_on - timedelta(days=30))
    page = anon_client.get(case.get_absolute_url()).content.decode()
    assert "Last revised" in page
    assert "Change log" in page
    assert "revision 2 published. Section 3 updated with 2025 results." in page
    assert "first published" in page


@pytest.mark.django_db
def test_change_log_for_a_case_published_before_the_workflow(framework, org_a, anon_client):
    from datetime import date

    case = CaseStudy.objects.create(
        organization=org_a,
        slug="old-case",
        title="How A did it",
        is_published=True,
        published_on=date(2024, 3, 1),
        published_precision="month",
    )
    page = anon_client.get(case.get_absolute_url()).content.decode()
    # Only the month of the release is known: no day is shown, none is made up.
    assert "March 2024" in page and "1 March 2024" not in page
    assert "No revision of this case has been published since it was first published" in page
