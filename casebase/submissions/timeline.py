"""Reads for the submission pages: the timeline of events and the comment threads."""

from casebase.submissions.models import Comment


def timeline(submission) -> list:
    """Every recorded step, oldest first. Both sides see all of it: internal remarks are comments."""
    return list(submission.events.select_related("actor", "assignee").order_by("created_at", "pk"))


def comment_threads(submission, *, staff: bool) -> list[tuple[Comment, list[Comment]]]:
    """Top-level comments with their replies, oldest first; internal ones only for staff."""
    comments = submission.comments.select_related("author").order_by("created_at", "pk")
    if not staff:
        comments = comments.visible_to_supporter()
    replies: dict[int, list[Comment]] = {}
    roots = []
    for comment in comments:
        if comment.parent_id:
            replies.setdefault(comment.parent_id, []).append(comment)
        else:
            roots.append(comment)
    return [(root, replies.get(root.pk, [])) for root in roots]
