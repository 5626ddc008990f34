"""The editor's review page: comments internal by default, publishing checked, the way to the
verification worklist, and names as people read them."""

import pytest

from casebase.submissions.models import Comment, Status

pytestmark = pytest.mark.django_db


def test_a_comment_is_internal_unless_the_editor_chooses_otherwise(
    make_submission, editor_client, supporter_a_client
):
    submission = make_submission(Status.SUBMITTED)
    page = editor_client.get(f"/review/{submission.pk}/").text
    form = page[page.index('class="comment-form"') :]
    # The choice comes first, before the text box, and internal is the one already chosen.
    assert form.index("Who can read it") < form.index('name="body"')
    assert (
        'value="1"' in form and "checked" in form[form.index('value="1"') - 80 : form.index('value="1"') + 80]
    )
    assert 'value="0" checked' not in form and 'checked value="0"' not in form

    # A post that names no choice stays with PAI staff.
    editor_client.post(f"/review/{submission.pk}/comment/", {"body": "Between us: check the figures."})
    comment = Comment.objects.get(body="Between us: check the figures.")
    assert comment.internal
    assert "check the figures" not in supporter_a_client.get(f"/submit/{submission.pk}/").text
    # Choosing the supporter still reaches them.
    editor_client.post(f"/review/{submission.pk}/comment/", {"body": "Please add a date.", "internal": "0"})
    assert not Comment.objects.get(body="Please add a date.").internal
    assert "Please add a date." in supporter_a_client.get(f"/submit/{submission.pk}/").text
