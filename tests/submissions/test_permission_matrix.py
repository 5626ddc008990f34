"""The permission matrix: every supporter, review, account and admin URL and action,
for each persona, with the expected outcome, and the database checked afterwards.

Outcomes: "ok" (the page or the action works: 200, or a redirect that is not to
sign-in, and for a POST the database changed), "login" (sent to sign in, nothing
changed), or an HTTP status (403, 404, 405, 409, 410) with nothing changed.
"""

from collections.abc import Callable
from dataclasses import dataclass, field
from types import SimpleNamespace

import pytest
from django.contrib.auth import get_user_model
from django.urls import reverse

from casebase.accounts import following, readers
from casebase.accounts.models import Invitation, Reader, Subscription
from casebase.accounts.services import invite_member
from casebase.analysis.models import Analysis, CollectedAnalysis
from casebase.cases.models import CaseStudy, Collection, CollectionItem
from casebase.commitments.models import DossierNote, Feedback
from casebase.corrections import services as corrections
from casebase.corrections.models import Suggestion
from casebase.corrections.pages import page_for
from casebase.framework.models import Edition, Recommendation
from casebase.organizations.models import Organization
from casebase.submissions.models import Comment, Status, Submission
from tests.conftest import PASSWORD, client_for, make_reader, make_user

from .conftest import build_framework, complete_content, publish_post, submission_in

PERSONAS = ["anonymous", "reader", "supporter_a", "supporter_b", "editor", "admin"]


def supporter_only(b="ok"):
    """A supporter page: A works, B gets ``b`` (404 for A's records), staff are turned away."""
    return {
        "anonymous": "login",
        "reader": 403,
        "supporter_a": "ok",
        "supporter_b": b,
        "editor": 403,
        "admin": 403,
    }


STAFF_ONLY = {
    "anonymous": "login",
    "reader": 403,
    "supporter_a": 403,
    "supporter_b": 403,
    "editor": "ok",
    "admin": "ok",
}
EVERYONE = dict.fromkeys(PERSONAS, "ok")
# Reader pages: supporter members and editors have their own areas and are turned away.
READER_ONLY = {
    "anonymous": "login",
    "reader": "ok",
    "supporter_a": 403,
    "supporter_b": 403,
    "editor": 403,
    "admin": 403,
}
# A reader's private collection: to everyone else, signed in or not, it does not exist.
READER_OWN = {
    "anonymous": 404,
    "reader": "ok",
    "supporter_a": 404,
    "supporter_b": 404,
    "editor": 404,
    "admin": 404,
}
# Changing it: only readers get as far as looking it up.
READER_OWN_POST = READER_ONLY
# Signing up is for people without an account: anyone signed in is sent on.
SIGNED_OUT_ONLY = {"anonymous": "ok", **dict.fromkeys(PERSONAS[1:], 302)}


def form_post(submission, **changes):
    """The case form as a browser posts it, from the submission's working copy."""
    content = complete_content(submission.organization)
    content.update(changes)
    data = {
        "version": str(submission.version),
        "title": content["title"],
        "framing_question": content["framing_question"],
        "takeaway_1": content["takeaways"][0],
        "takeaway_2": content["takeaways"][1],
        "takeaway_3": content["takeaways"][2],
        "summary": "",
        "roles": content["roles"],
        "principles": content["principles"],
        "tags": "audio",
        "apps-TOTAL_FORMS": "1",
        "apps-INITIAL_FORMS": "0",
        "apps-0-recommendation": "builders-1",
        "apps-0-status": "implemented",
        "apps-0-justification": "We label.",
        "action": "save",
    }
    from casebase.cases.models import TemplateSection

    for section in TemplateSection.objects.all():
        data[f"section_{section.pk}"] = "Answer."
    return data


@dataclass
class Row:
    id: str
    method: str
    url: Callable  # (ctx) -> str
    expect: dict
    state: str | None = Status.DRAFT
    data: Callable = lambda ctx: {}
    effect: Callable | None = None  # (ctx, persona) -> bool: did the action take effect?
    notes: dict = field(default_factory=dict)
    # For the yearly review's rows: the status of organization A's self-assessment in an open
    # cycle ("none": the cycle is open and nobody has started; "closed": a closed cycle).
    assessment: str | None = None


def sub_url(name):
    return lambda ctx: reverse(name, args=[ctx["submission"].pk])


def status_is(status):
    return lambda ctx, persona: Submission.objects.get(pk=ctx["submission"].pk).status == status


def title_is(title):
    return lambda ctx, persona: Submission.objects.get(pk=ctx["submission"].pk).content["title"] == title


ORG_OF = {"supporter_a": "org-a", "supporter_b": "org-b"}


def sa_post(ctx, action="save", justification="Matrix says so."):
    """The self-assessment form as a browser posts it: every row answered."""
    assessment = ctx.get("assessment")
    data = {"version": str(assessment.version if assessment else 0), "action": action}
    for rec in Recommendation.objects.all():
        data[f"r{rec.pk}-status"] = "practised"
        data[f"r{rec.pk}-justification"] = justification
    return data


def sa_saved(ctx, persona) -> bool:
    """The persona's organization's statements carry the posted text (A's for those refused)."""
    from casebase.commitments.models import Statement

    return Statement.objects.filter(
        justification="Matrix says so.", assessment__organization__slug=ORG_OF.get(persona, "org-a")
    ).exists()


def sa_status_is(status):
    def effect(ctx, persona):
        from casebase.commitments.models import SelfAssessment

        return SelfAssessment.objects.filter(
            organization__slug=ORG_OF.get(persona, "org-a"), status=status
        ).exists()

    return effect


def sa_review_url(name):
    return lambda ctx: reverse(f"commitments_review:{name}", args=[ctx["assessment"].pk])


def sa_review_status_is(status):
    from casebase.commitments.models import SelfAssessment

    return lambda ctx, persona: SelfAssessment.objects.get(pk=ctx["assessment"].pk).status == status


def cycle_url(name):
    return lambda ctx: reverse(name, args=[ctx["cycle"].slug])


ROWS = [
    # --- supporter pages --------------------------------------------------------------
    Row("dashboard", "get", lambda ctx: "/submit/", supporter_only("ok")),
    Row("new-form", "get", lambda ctx: "/submit/new/", supporter_only("ok")),
    Row(
        "new-save",
        "post",
        lambda ctx: "/submit/new/",
        supporter_only("ok"),
        state=None,
        data=lambda ctx: form_post(ctx["submission_stub"], title="How Organization X tests forms"),
        effect=lambda ctx, persona: (
            Submission.objects.filter(content__title="How Organization X tests forms")
            .filter(organization__slug={"supporter_a": "org-a", "supporter_b": "org-b"}.get(persona, "-"))
            .exists()
        ),
    ),
    Row("detail", "get", sub_url("submissions:detail"), supporter_only(404)),
    Row("edit-form", "get", sub_url("submissions:edit"), supporter_only(404)),
    Row("preview", "get", sub_url("submissions:preview"), supporter_only(404)),
    Row(
        "edit-save",
        "post",
        sub_url("submissions:edit"),
        supporter_only(404),
        data=lambda ctx: form_post(ctx["submission"], title="How Organization A edits"),
        effect=title_is("How Organization A edits"),
    ),
    Row(
        "edit-save-published",
        "post",
        sub_url("submissions:edit"),
        # A supporter cannot edit a published record: turned back, nothing changes.
        {
            "anonymous": "login",
            "reader": 403,
            "supporter_a": 302,
            "supporter_b": 404,
            "editor": 403,
            "admin": 403,
        },
        state=Status.PUBLISHED,
        data=lambda ctx: form_post(ctx["submission"], title="How Organization A rewrites history"),
        effect=title_is("How Organization A rewrites history"),
    ),
    Row(
        "submit",
        "post",
        sub_url("submissions:submit"),
        supporter_only(404),
        effect=status_is(Status.SUBMITTED),
    ),
    Row("submit-get", "get", sub_url("submissions:submit"), dict.fromkeys(PERSONAS, 405)),
    Row(
        "resubmit",
        "post",
        sub_url("submissions:submit"),
        supporter_only(404),
        state=Status.CHANGES_REQUESTED,
        effect=status_is(Status.SUBMITTED),
    ),
    Row(
        "withdraw",
        "post",
        sub_url("submissions:withdraw"),
        supporter_only(404),
        state=Status.IN_REVIEW,
        effect=status_is(Status.WITHDRAWN),
    ),
    Row(
        "reopen",
        "post",
        sub_url("submissions:reopen"),
        supporter_only(404),
        state=Status.WITHDRAWN,
        effect=status_is(Status.DRAFT),
    ),
    Row(
        "supporter-comment",
        "post",
        sub_url("submissions:comment"),
        supporter_only(404),
        data=lambda ctx: {"body": "A question for the editors."},
        effect=lambda ctx, persona: Comment.objects.filter(body="A question for the editors.").exists(),
    ),
    Row(
        "revise-published",
        "post",
        lambda ctx: reverse("submissions:revise", args=[ctx["submission"].case.slug]),
        supporter_only(404),
        state=Status.PUBLISHED,
        effect=lambda ctx, persona: Submission.objects.filter(
            pk=ctx["submission"].pk, status=Status.DRAFT, revision=2, case__is_published=True
        ).exists(),
    ),
    # --- self-assessments: each organization sees and edits only its own -------------------
    Row(
        "sa-list",
        "get",
        lambda ctx: "/submit/assessments/",
        supporter_only("ok"),
        state=None,
        assessment="draft",
    ),
    # The cycle's form is every member's; it shows and saves their own organization's assessment.
    Row(
        "sa-form", "get", cycle_url("commitments:form"), supporter_only("ok"), state=None, assessment="draft"
    ),
    Row(
        "sa-save",
        "post",
        cycle_url("commitments:form"),
        supporter_only("ok"),
        state=None,
        assessment="draft",
        data=sa_post,
        effect=sa_saved,
    ),
    Row(
        "sa-save-new",
        "post",
        cycle_url("commitments:form"),
        supporter_only("ok"),
        state=None,
        assessment="none",
        data=sa_post,
        effect=sa_saved,
    ),
    Row(
        "sa-submit",
        "post",
        cycle_url("commitments:form"),
        supporter_only("ok"),
        state=None,
        assessment="draft",
        data=lambda ctx: sa_post(ctx, action="submit"),
        effect=sa_status_is("submitted"),
    ),
    # Submitted: read-only for A (409, nothing saved); B still files its own.
    Row(
        "sa-save-submitted",
        "post",
        cycle_url("commitments:form"),
        {**supporter_only("ok"), "supporter_a": 409},
        state=None,
        assessment="submitted",
        data=sa_post,
        effect=sa_saved,
    ),
    Row(
        "sa-save-closed",
        "post",
        cycle_url("commitments:form"),
        {**supporter_only(409), "supporter_a": 409},
        state=None,
        assessment="closed",
        data=sa_post,
        effect=sa_saved,
    ),
    Row("sa-cycles", "get", lambda ctx: "/review/cycles/", STAFF_ONLY, state=None, assessment="draft"),
    Row(
        "sa-open-cycle",
        "post",
        lambda ctx: "/review/cycles/",
        STAFF_ONLY,
        state=None,
        assessment="draft",
        data=lambda ctx: {
            "title": "Matrix review",
            "slug": "matrix-review",
            "edition": str(ctx["cycle"].edition_id),
            "opens_on": "2026-01-01",
            "deadline": "2026-02-01",
        },
        effect=lambda ctx, persona: ctx["cycle"].__class__.objects.filter(slug="matrix-review").exists(),
    ),
    Row("sa-cycle", "get", cycle_url("commitments_review:cycle"), STAFF_ONLY, state=None, assessment="draft"),
    Row(
        "sa-close-cycle",
        "post",
        cycle_url("commitments_review:close_cycle"),
        STAFF_ONLY,
        state=None,
        assessment="draft",
        effect=lambda ctx, persona: not ctx["cycle"].__class__.objects.get(pk=ctx["cycle"].pk).is_open,
    ),
    Row(
        "sa-reopen-cycle",
        "post",
        cycle_url("commitments_review:reopen_cycle"),
        STAFF_ONLY,
        state=None,
        assessment="closed",
        effect=lambda ctx, persona: ctx["cycle"].__class__.objects.get(pk=ctx["cycle"].pk).is_open,
    ),
    Row(
        "sa-close-get",
        "get",
        cycle_url("commitments_review:close_cycle"),
        dict.fromkeys(PERSONAS, 405),
        state=None,
        assessment="draft",
    ),
    Row(
        "sa-queue", "get", lambda ctx: "/review/assessments/", STAFF_ONLY, state=None, assessment="submitted"
    ),
    Row("sa-review", "get", sa_review_url("assessment"), STAFF_ONLY, state=None, assessment="submitted"),
    Row(
        "sa-publish",
        "post",
        sa_review_url("publish"),
        STAFF_ONLY,
        state=None,
        assessment="submitted",
        effect=sa_review_status_is("published"),
    ),
    Row(
        "sa-request-changes",
        "post",
        sa_review_url("request_changes"),
        STAFF_ONLY,
        state=None,
        assessment="submitted",
        data=lambda ctx: {"note": "Say more."},
        effect=sa_review_status_is("changes_requested"),
    ),
    # A draft cannot be published: a clear 409, nothing public.
    Row(
        "sa-publish-draft",
        "post",
        sa_review_url("publish"),
        {**STAFF_ONLY, "editor": 409, "admin": 409},
        state=None,
        assessment="draft",
        effect=sa_review_status_is("published"),
    ),
    # --- review pages -----------------------------------------------------------------
    Row("queue", "get", lambda ctx: "/review/", STAFF_ONLY),
    Row("review-detail", "get", sub_url("review:detail"), STAFF_ONLY, state=Status.SUBMITTED),
    Row("review-edit-form", "get", sub_url("review:edit"), STAFF_ONLY, state=Status.SUBMITTED),
    Row("review-preview", "get", sub_url("review:preview"), STAFF_ONLY, state=Status.SUBMITTED),
    Row("history", "get", sub_url("review:history"), STAFF_ONLY, state=Status.IN_REVIEW),
    Row(
        "review-edit-save",
        "post",
        sub_url("review:edit"),
        STAFF_ONLY,
        state=Status.IN_REVIEW,
        data=lambda ctx: form_post(ctx["submission"], title="How Organization A was copy-edited"),
        effect=title_is("How Organization A was copy-edited"),
    ),
    Row(
        "claim",
        "post",
        sub_url("review:claim"),
        STAFF_ONLY,
        state=Status.SUBMITTED,
        effect=lambda ctx, persona: Submission.objects.filter(
            pk=ctx["submission"].pk, status=Status.IN_REVIEW, assignee__username=persona
        ).exists(),
    ),
    Row(
        "assign",
        "post",
        sub_url("review:assign"),
        STAFF_ONLY,
        state=Status.SUBMITTED,
        data=lambda ctx: {"assignee": str(ctx["editor"].pk)},
        effect=lambda ctx, persona: Submission.objects.filter(
            pk=ctx["submission"].pk, assignee=ctx["editor"], status=Status.IN_REVIEW
        ).exists(),
    ),
    Row(
        "editor-comment",
        "post",
        sub_url("review:comment"),
        STAFF_ONLY,
        state=Status.IN_REVIEW,
        data=lambda ctx: {"body": "Internal note.", "internal": "1"},
        effect=lambda ctx, persona: Comment.objects.filter(body="Internal note.", internal=True).exists(),
    ),
    Row(
        "request-changes",
        "post",
        sub_url("review:request_changes"),
        STAFF_ONLY,
        state=Status.IN_REVIEW,
        data=lambda ctx: {"message": "Expand section 2."},
        effect=status_is(Status.CHANGES_REQUESTED),
    ),
    Row(
        "approve",
        "post",
        sub_url("review:approve"),
        STAFF_ONLY,
        state=Status.IN_REVIEW,
        effect=status_is(Status.APPROVED),
    ),
    Row(
        "publish",
        "post",
        sub_url("review:publish"),
        STAFF_ONLY,
        state=Status.APPROVED,
        data=lambda ctx: publish_post(),
        effect=lambda ctx, persona: CaseStudy.objects.filter(
            pk=ctx["submission"].case_id, is_published=True, published_on__isnull=False
        ).exists(),
    ),
    Row(
        "reject",
        "post",
        sub_url("review:reject"),
        STAFF_ONLY,
        state=Status.IN_REVIEW,
        data=lambda ctx: {"message": "Out of scope."},
        effect=status_is(Status.REJECTED),
    ),
    Row(
        "submit-on-behalf",
        "post",
        sub_url("review:submit"),
        STAFF_ONLY,
        state=Status.DRAFT,
        effect=status_is(Status.SUBMITTED),
    ),
    Row(
        "review-reopen",
        "post",
        sub_url("review:reopen"),
        STAFF_ONLY,
        state=Status.WITHDRAWN,
        effect=status_is(Status.DRAFT),
    ),
    Row(
        "start-revision",
        "post",
        sub_url("review:start_revision"),
        STAFF_ONLY,
        state=Status.PUBLISHED,
        effect=status_is(Status.DRAFT),
    ),
    Row(
        "restore",
        "post",
        lambda ctx: reverse("review:restore", args=[ctx["submission"].pk, ctx["first_version"]]),
        STAFF_ONLY,
        state=Status.IN_REVIEW,
        effect=lambda ctx, persona: Submission.objects.get(pk=ctx["submission"].pk).version > ctx["version"],
    ),
    # --- feedback on the Framework and review dossiers: staff only, never public ----------
    Row("feedback-worklist", "get", lambda ctx: "/review/feedback/", STAFF_ONLY, state=Status.PUBLISHED),
    Row(
        "feedback-gather",
        "post",
        lambda ctx: "/review/feedback/gather/",
        STAFF_ONLY,
        state=Status.PUBLISHED,
        effect=lambda ctx, persona: Feedback.objects.filter(text="Matrix harvest").exists(),
    ),
    Row(
        "feedback-gather-get",
        "get",
        lambda ctx: "/review/feedback/gather/",
        dict.fromkeys(PERSONAS, 405),
        state=Status.PUBLISHED,
    ),
    Row("feedback-new-form", "get", lambda ctx: "/review/feedback/new/", STAFF_ONLY, state=Status.PUBLISHED),
    Row(
        "feedback-new",
        "post",
        lambda ctx: "/review/feedback/new/",
        STAFF_ONLY,
        state=Status.PUBLISHED,
        data=lambda ctx: {
            "case": ctx["submission"].case.slug,
            "text": "Matrix excerpt",
            "kind": "missing",
            "recommendations": ["builders-1"],
        },
        effect=lambda ctx, persona: Feedback.objects.filter(text="Matrix excerpt").exists(),
    ),
    Row(
        "feedback-item",
        "get",
        lambda ctx: f"/review/feedback/{ctx['feedback'].pk}/",
        STAFF_ONLY,
        state=Status.PUBLISHED,
    ),
    Row(
        "feedback-tag",
        "post",
        lambda ctx: f"/review/feedback/{ctx['feedback'].pk}/",
        STAFF_ONLY,
        state=Status.PUBLISHED,
        data=lambda ctx: {"kind": "unclear", "recommendations": ["builders-1", "builders-2"]},
        effect=lambda ctx, persona: Feedback.objects.filter(
            pk=ctx["feedback"].pk, recommendations__key="builders-2", tagged_by__username=persona
        ).exists(),
    ),
    Row("dossiers", "get", lambda ctx: "/review/dossiers/", STAFF_ONLY, state=Status.PUBLISHED),
    Row("dossier", "get", lambda ctx: "/review/dossiers/builders-1/", STAFF_ONLY, state=Status.PUBLISHED),
    Row(
        "dossier-note",
        "post",
        lambda ctx: "/review/dossiers/builders-1/",
        STAFF_ONLY,
        state=Status.PUBLISHED,
        data=lambda ctx: {"text": "Matrix note"},
        effect=lambda ctx, persona: DossierNote.objects.filter(text="Matrix note").exists(),
    ),
    # --- accounts -----------------------------------------------------------------------
    Row(
        "login-page",
        "get",
        lambda ctx: "/accounts/login/",
        {
            "anonymous": "ok",
            "reader": 302,
            "supporter_a": 302,
            "supporter_b": 302,
            "editor": 302,
            "admin": 302,
        },
        state=None,
    ),
    Row("logout-get", "get", lambda ctx: "/accounts/logout/", dict.fromkeys(PERSONAS, 405), state=None),
    Row("logout", "post", lambda ctx: "/accounts/logout/", EVERYONE, state=None, effect=None),
    Row("password-reset-page", "get", lambda ctx: "/accounts/password-reset/", EVERYONE, state=None),
    Row(
        "password-reset",
        "post",
        lambda ctx: "/accounts/password-reset/",
        EVERYONE,
        state=None,
        data=lambda ctx: {"email": "supporter_a@example.org"},
        effect=None,
    ),
    Row("invite-page", "get", lambda ctx: "/accounts/invite/", STAFF_ONLY, state=None),
    Row(
        "invite",
        "post",
        lambda ctx: "/accounts/invite/",
        STAFF_ONLY,
        state=None,
        data=lambda ctx: {"email": "new.member@example.org", "organization": str(ctx["org_a"].pk)},
        effect=lambda ctx, persona: Invitation.objects.filter(email="new.member@example.org").exists(),
    ),
    Row(
        "accept-invitation-page",
        "get",
        lambda ctx: f"/accounts/invite/{ctx['token']}/",
        {
            "anonymous": "ok",
            "reader": 409,
            "supporter_a": 409,
            "supporter_b": 409,
            "editor": 409,
            "admin": 409,
        },
        state=None,
    ),
    Row(
        "accept-invitation",
        "post",
        lambda ctx: f"/accounts/invite/{ctx['token']}/",
        {
            "anonymous": "ok",
            "reader": 409,
            "supporter_a": 409,
            "supporter_b": 409,
            "editor": 409,
            "admin": 409,
        },
        state=None,
        data=lambda ctx: {"password1": "a-long-new-passphrase-7", "password2": "a-long-new-passphrase-7"},
        effect=lambda ctx, persona: (
            get_user_model()
            .objects.filter(email="invited@example.org", membership__organization=ctx["org_a"])
            .exists()
        ),
    ),
    # --- Suggested corrections: anyone suggests, only editors decide ----------------------
    Row(
        "correction-form", "get", lambda ctx: "/corrections/new/?page=/recommendations/builders-1/", EVERYONE
    ),
    Row(
        "correction-suggest",
        "post",
        lambda ctx: "/corrections/new/",
        EVERYONE,
        state=None,
        data=lambda ctx: {
            "page": "/recommendations/builders-1/",
            "field": "text",
            "problem": "Matrix says so.",
        },
        effect=lambda ctx, persona: Suggestion.objects.filter(problem="Matrix says so.").exists(),
    ),
    Row("correction-thanks", "get", lambda ctx: "/corrections/thanks/", EVERYONE, state=None),
    Row("change-log", "get", lambda ctx: "/changes/", EVERYONE, state=None),
    Row("correction-review", "get", lambda ctx: ctx["suggestion"].get_absolute_url(), STAFF_ONLY, state=None),
    Row(
        "correction-accept",
        "post",
        lambda ctx: ctx["suggestion"].get_absolute_url(),
        STAFF_ONLY,
        state=None,
        data=lambda ctx: {
            "decision": "accept",
            "new_value": "Corrected in the matrix.",
            "reason": "Checked.",
        },
        effect=lambda ctx, persona: Recommendation.objects.filter(text="Corrected in the matrix.").exists(),
    ),
    Row(
        "correction-decline",
        "post",
        lambda ctx: ctx["suggestion"].get_absolute_url(),
        STAFF_ONLY,
        state=None,
        data=lambda ctx: {"decision": "decline", "reason": "Not so."},
        effect=lambda ctx, persona: Suggestion.objects.filter(status=Suggestion.Status.DECLINED).exists(),
    ),
    # --- drafting the next edition: staff only; a draft's public pages do not exist ------------
    Row("edition-list", "get", lambda ctx: "/review/editions/", STAFF_ONLY, state=None),
    Row(
        "edition-new",
        "post",
        lambda ctx: "/review/editions/",
        STAFF_ONLY,
        state=None,
        data=lambda ctx: {"slug": "2098", "title": "Drafted in the matrix"},
        effect=lambda ctx, persona: Edition.objects.filter(slug="2098", is_draft=True).exists(),
    ),
    Row("edition-draft", "get", lambda ctx: "/review/editions/2099/", STAFF_ONLY, state=None),
    *[
        Row(
            f"edition-{action}-form",
            "get",
            lambda ctx, a=action: f"/review/editions/2099/{a}",
            STAFF_ONLY,
            state=None,
        )
        for action in ("change/builders-1/", "split/builders-1/", "retire/builders-1/", "merge/", "add/")
    ],
    Row(
        "edition-change",
        "post",
        lambda ctx: "/review/editions/2099/change/builders-1/",
        STAFF_ONLY,
        state=None,
        data=lambda ctx: {"title": "Renamed in the matrix", "text": "", "reason": "Clearer."},
        effect=lambda ctx, persona: Recommendation.objects.filter(title="Renamed in the matrix").exists(),
    ),
    Row(
        "edition-retire",
        "post",
        lambda ctx: "/review/editions/2099/retire/builders-2/",
        STAFF_ONLY,
        state=None,
        data=lambda ctx: {"reason": "Obsolete."},
        effect=lambda ctx, persona: (
            not Recommendation.objects.filter(edition__slug="2099", key="builders-2").exists()
        ),
    ),
    Row(
        "edition-publish",
        "post",
        lambda ctx: "/review/editions/2099/publish/",
        STAFF_ONLY,
        state=None,
        effect=lambda ctx, persona: Edition.objects.filter(slug="2099", is_current=True).exists(),
    ),
    Row(
        "edition-discard",
        "post",
        lambda ctx: "/review/editions/2099/discard/",
        STAFF_ONLY,
        state=None,
        effect=lambda ctx, persona: not Edition.objects.filter(slug="2099").exists(),
    ),
    *[
        Row(
            f"edition-draft-public-{name}",
            "get",
            lambda ctx, p=path: p,
            dict.fromkeys(PERSONAS, 404),
            state=None,
        )
        for name, path in (
            ("page", "/framework/2099/"),
            ("changes", "/framework/2099/changes/"),
            ("crosswalk", "/framework/2099/crosswalk/"),
            ("crosswalk-json", "/framework/2099/crosswalk.json"),
            ("recommendation", "/recommendations/renamed-only-in-draft/"),
        )
    ],
    # --- reader accounts -------------------------------------------------------------------
    Row("signup-page", "get", lambda ctx: "/accounts/signup/", SIGNED_OUT_ONLY, state=None),
    Row(
        "signup",
        "post",
        lambda ctx: "/accounts/signup/",
        SIGNED_OUT_ONLY,
        state=None,
        data=lambda ctx: {
            "email": "new.reader@example.org",
            "password1": "a-long-new-passphrase-7",
            "password2": "a-long-new-passphrase-7",
        },
        effect=lambda ctx, persona: get_user_model().objects.filter(email="new.reader@example.org").exists(),
    ),
    Row("signup-sent", "get", lambda ctx: "/accounts/signup/sent/", EVERYONE, state=None),
    # The link confirms whoever opens it (it is the address's proof), then asks them to sign in.
    Row(
        "signup-confirm",
        "get",
        lambda ctx: f"/accounts/signup/confirm/{ctx['confirm_token']}/",
        dict.fromkeys(PERSONAS, 302),
        state=None,
    ),
    Row(
        "signup-confirm-forged",
        "get",
        lambda ctx: "/accounts/signup/confirm/forged/",
        dict.fromkeys(PERSONAS, 410),
        state=None,
    ),
    Row("account", "get", lambda ctx: "/accounts/me/", READER_ONLY, state=None),
    Row("delete-account-page", "get", lambda ctx: "/accounts/me/delete/", READER_ONLY, state=None),
    Row(
        "delete-account",
        "post",
        lambda ctx: "/accounts/me/delete/",
        READER_ONLY,
        state=None,
        data=lambda ctx: {"password": PASSWORD},
        effect=lambda ctx, persona: (
            persona != "anonymous" and not get_user_model().objects.filter(username=persona).exists()
        ),
    ),
    Row("follow-get", "get", lambda ctx: "/accounts/follow/", dict.fromkeys(PERSONAS, 405), state=None),
    Row(
        "follow",
        "post",
        lambda ctx: "/accounts/follow/",
        READER_ONLY,
        state=None,
        data=lambda ctx: {"query": "principle=consent", "frequency": "weekly"},
        effect=lambda ctx, persona: Subscription.objects.filter(query="principle=consent").exists(),
    ),
    Row(
        "unfollow",
        "post",
        lambda ctx: f"/accounts/follow/{ctx['subscription'].pk}/stop/",
        READER_ONLY,
        state=None,
        effect=lambda ctx, persona: not Subscription.objects.filter(pk=ctx["subscription"].pk).exists(),
    ),
    # The link in an email works for whoever holds it, signed in or not.
    Row(
        "unsubscribe-page",
        "get",
        lambda ctx: f"/accounts/unsubscribe/{ctx['unsubscribe']}/",
        EVERYONE,
        state=None,
    ),
    Row(
        "unsubscribe",
        "post",
        lambda ctx: f"/accounts/unsubscribe/{ctx['unsubscribe']}/",
        EVERYONE,
        state=None,
        effect=lambda ctx, persona: not Subscription.objects.filter(pk=ctx["subscription"].pk).exists(),
    ),
    # --- readers' collections: a private one is nobody else's business (404) -------------------
    Row("collections", "get", lambda ctx: "/collections/", READER_ONLY, state=None),
    Row(
        "collection-create",
        "post",
        lambda ctx: "/collections/",
        READER_ONLY,
        state=None,
        data=lambda ctx: {"name": "Reading list"},
        effect=lambda ctx, persona: Collection.objects.filter(name="Reading list").exists(),
    ),
    Row(
        "collection",
        "get",
        lambda ctx: f"/collections/{ctx['collection'].pk}/",
        READER_OWN,
        state=Status.PUBLISHED,
    ),
    Row(
        "collection-export",
        "get",
        lambda ctx: f"/collections/{ctx['collection'].pk}/export.bib",
        READER_OWN,
        state=Status.PUBLISHED,
    ),
    Row(
        "collection-add",
        "post",
        lambda ctx: "/collections/add/",
        READER_ONLY,
        state=Status.PUBLISHED,
        data=lambda ctx: {
            "case": ctx["submission"].case.slug,
            "collection": "new",
            "name": "Added",
            "note": "Why",
        },
        effect=lambda ctx, persona: CollectionItem.objects.filter(
            collection__name="Added", note="Why"
        ).exists(),
    ),
    Row(
        "collection-add-analysis",
        "post",
        lambda ctx: "/collections/add/",
        READER_ONLY,
        state=Status.PUBLISHED,
        data=lambda ctx: {
            "analysis": ctx["analysis"].slug,
            "collection": "new",
            "name": "Added analysis",
            "note": "Why",
        },
        effect=lambda ctx, persona: CollectedAnalysis.objects.filter(
            collection__name="Added analysis", note="Why"
        ).exists(),
    ),
    Row(
        "collection-update",
        "post",
        lambda ctx: f"/collections/{ctx['collection'].pk}/edit/",
        READER_OWN_POST,
        state=Status.PUBLISHED,
        data=lambda ctx: {"name": "Renamed", "is_public": "on"},
        effect=lambda ctx, persona: Collection.objects.filter(name="Renamed", is_public=True).exists(),
    ),
    Row(
        "collection-note",
        "post",
        lambda ctx: f"/collections/{ctx['collection'].pk}/cases/{ctx['submission'].case_id}/",
        READER_OWN_POST,
        state=Status.PUBLISHED,
        data=lambda ctx: {"note": "Changed note"},
        effect=lambda ctx, persona: CollectionItem.objects.filter(note="Changed note").exists(),
    ),
    Row(
        "collection-analysis-note",
        "post",
        lambda ctx: f"/collections/{ctx['collection'].pk}/analyses/{ctx['analysis'].pk}/",
        READER_OWN_POST,
        state=Status.PUBLISHED,
        data=lambda ctx: {"note": "Changed note"},
        effect=lambda ctx, persona: CollectedAnalysis.objects.filter(note="Changed note").exists(),
    ),
    Row(
        "collection-delete",
        "post",
        lambda ctx: f"/collections/{ctx['collection'].pk}/delete/",
        READER_OWN_POST,
        state=Status.PUBLISHED,
        effect=lambda ctx, persona: not Collection.objects.filter(pk=ctx["collection"].pk).exists(),
    ),
    # --- Django admin: read-only views of the workflow ------------------------------------
    Row(
        "admin-submissions",
        "get",
        lambda ctx: "/admin/submissions/submission/",
        {
            "anonymous": 302,
            "reader": 302,
            "supporter_a": 302,
            "supporter_b": 302,
            "editor": 403,
            "admin": "ok",
        },
        state=Status.SUBMITTED,
    ),
    Row(
        "admin-submission-add",
        "get",
        lambda ctx: "/admin/submissions/submission/add/",
        {
            "anonymous": 302,
            "reader": 302,
            "supporter_a": 302,
            "supporter_b": 302,
            "editor": 403,
            "admin": 403,
        },
        state=None,
    ),
]


@pytest.fixture(scope="module")
def matrix_world(module_transaction, django_db_blocker):
    """The framework, both organizations, the personas and one submission of A in each state,
    built once for the module; each test runs in a savepoint, so what it changes is undone."""
    with django_db_blocker.unblock():
        build_framework()
        org_a = Organization.objects.create(slug="org-a", name="Organization A", kind="industry")
        org_b = Organization.objects.create(slug="org-b", name="Organization B", kind="media")
        users = {
            "anonymous": None,
            "reader": make_reader("reader"),
            "supporter_a": make_user("supporter_a", organization=org_a),
            "supporter_b": make_user("supporter_b", organization=org_b),
            "editor": make_user("editor", is_staff=True),
            "admin": make_user("admin", is_staff=True, is_superuser=True),
        }
        states = {row.state for row in ROWS if row.state is not None}
        submissions = {
            state: submission_in(state, organization=org_a, by=users["supporter_a"], editor=users["editor"])
            for state in states
        }
        return SimpleNamespace(org_a=org_a, org_b=org_b, users=users, submissions=submissions)


@pytest.fixture
def ctx(matrix_world, db, request):
    row = request.node.callspec.params["row"]
    editor, org_a = matrix_world.users["editor"], matrix_world.org_a
    context = {"editor": editor, "org_a": org_a}
    if row.state is not None:
        submission = Submission.objects.select_related("case").get(pk=matrix_world.submissions[row.state].pk)
        context["submission"] = submission
        context["version"] = submission.version
        context["first_version"] = submission.history.order_by("history_id").first().history_id
    else:
        context["submission_stub"] = Submission(organization=org_a, version=0)
    context["token"] = "not-a-token"
    if row.id.startswith("correction-"):
        page = page_for("/recommendations/builders-1/")
        context["suggestion"] = corrections.suggest(page=page, target=page.target("text"), problem="Wrong.")
    if row.id.startswith("edition-") and row.id not in ("edition-list", "edition-new"):
        from casebase.editions import services as editions

        draft = editions.draft_next_edition(slug="2099", title="Matrix draft", by=editor)
        Recommendation.objects.filter(edition=draft, key="builders-2").update(key="renamed-only-in-draft")
        if row.id != "edition-draft-public-recommendation":
            Recommendation.objects.filter(edition=draft, key="renamed-only-in-draft").update(key="builders-2")
    reader = matrix_world.users["reader"]
    context["subscription"] = Subscription.objects.create(user=reader, query="role=builder", label="Builders")
    context["unsubscribe"] = following.unsubscribe_token(context["subscription"])
    if row.id.startswith("collection") and row.state is not None:
        context["collection"] = Collection.objects.create(owner=reader, name="Private reading")
        CollectionItem.objects.create(
            collection=context["collection"], case=context["submission"].case, note="Mine"
        )
        context["analysis"] = Analysis.objects.create(
            slug="kept-analysis", title="Kept analysis", author="Editors", status=Analysis.Status.PUBLISHED
        )
        CollectedAnalysis.objects.create(collection=context["collection"], analysis=context["analysis"])
    if row.id.startswith(("feedback-", "dossier")):
        case = context["submission"].case
        context["feedback"] = Feedback.objects.create(
            text="Matrix feedback", case=case, organization=case.organization
        )
        # The case answers the template's feedback section, for the gathering button to find.
        CaseStudy.objects.filter(pk=case.pk).update(
            sections=[{"heading": "Feedback on the Framework", "prompt": "", "response": "Matrix harvest"}]
        )
    if row.assessment is not None:
        context.update(_review_setup(row.assessment, matrix_world))
    if row.id == "signup-confirm":
        pending = make_user("pending@example.org", is_active=False)
        Reader.objects.create(user=pending)
        context["confirm_token"] = readers.confirmation_token(pending)
    if row.id.startswith("accept-invitation"):
        invitation = invite_member(email="invited@example.org", organization=org_a, by=editor)
        from casebase.accounts import services

        token = "fixed-token-for-tests"
        Invitation.objects.filter(pk=invitation.pk).update(token_digest=services.token_digest(token))
        context["token"] = token
    return context


def _review_setup(state, matrix_world) -> dict:
    """An open cycle and organization A's self-assessment in ``state`` (see Row.assessment)."""
    import datetime

    from casebase.commitments import services as commitments
    from casebase.framework.models import Edition

    users = matrix_world.users
    cycle = commitments.open_cycle(
        title="Matrix cycle",
        slug="matrix-cycle",
        edition=Edition.objects.get(slug="2023"),
        opens_on=datetime.date(2025, 1, 1),
        deadline=datetime.date(2025, 12, 31),
        by=users["editor"],
    )
    context = {"cycle": cycle}
    if state != "none":
        a = commitments.start_assessment(
            cycle=cycle, organization=matrix_world.org_a, by=users["supporter_a"]
        )
        assessment = a.assessment
        rows = {
            pk: {"status": "partly", "justification": "Organization A speaks for itself."}
            for pk in assessment.statements.values_list("recommendation_id", flat=True)
        }
        assessment = commitments.save_assessment(
            assessment=assessment, data=rows, version=assessment.version, by=users["supporter_a"]
        )
        if state == "submitted":
            assessment = commitments.submit_assessment(assessment=assessment, by=users["supporter_a"])
        context["assessment"] = assessment
    if state == "closed":
        commitments.close_cycle(cycle=cycle, by=users["editor"])
    return context


def _snapshot(ctx):
    assessment = ctx.get("assessment")
    if assessment is not None:
        from casebase.commitments.models import ReportingCycle, SelfAssessment, Statement

        a = SelfAssessment.objects.get(pk=assessment.pk)
        statements = list(Statement.objects.order_by("pk").values_list("status", "justification"))
        return (a.status, a.version, statements, ReportingCycle.objects.filter(is_open=True).count())
    submission = ctx.get("submission")
    if submission is None:
        return None
    s = Submission.objects.get(pk=submission.pk)
    return (s.status, s.version, s.content, s.assignee_id, s.comments.count(), s.case.is_published)


@pytest.mark.parametrize("persona", PERSONAS)
@pytest.mark.parametrize("row", ROWS, ids=[r.id for r in ROWS])
def test_permission_matrix(row, persona, ctx, matrix_world):
    client = client_for(matrix_world.users[persona])
    url = row.url(ctx)
    before = _snapshot(ctx)
    response = getattr(client, row.method)(url, row.data(ctx))
    expected = row.expect[persona]
    location = response.headers.get("Location", "")

    if expected == "ok":
        assert response.status_code in (200, 302), (response.status_code, location)
        assert not location.startswith("/accounts/login/"), location
        if row.method == "post" and row.effect is not None:
            assert row.effect(ctx, persona), "the action should have taken effect"
    elif expected == "login":
        assert response.status_code == 302
        assert location.startswith("/accounts/login/"), location
    else:
        assert response.status_code == expected, (response.status_code, location)

    if expected != "ok" and row.method == "post":
        if row.effect is not None:
            assert not row.effect(ctx, persona), "the action must not have taken effect"
        if before is not None and expected != 302:
            assert _snapshot(ctx) == before, "nothing about the submission may change"


@pytest.mark.parametrize("persona", PERSONAS)
def test_self_assessments_are_never_public_until_published(persona, matrix_world, db):
    """Drafts and submitted assessments: no public statement, and no other organization reads them."""
    from casebase.commitments.models import Statement

    context = _review_setup("submitted", matrix_world)
    assert not Statement.objects.public().exists()
    page = client_for(matrix_world.users[persona]).get(
        reverse("commitments:form", args=[context["cycle"].slug])
    )
    assert ("Organization A speaks for itself." in page.content.decode()) == (persona == "supporter_a")
