"""Suggesting a correction, and an editor's decision on it: keyword-only, one transaction each.

Accepting makes the change through the same write path as every other edit (the case
writer for a case and what hangs off it, the record's own save for a recommendation), so
derived fields, history and the page cache stay right; the fact's provenance then says it
was checked against the suggestion's source, and the suggestion becomes the public
change-log entry. Declining records the reason. Either way a suggester who left an
address is told, by one email after the transaction commits.
"""

import hashlib
from dataclasses import replace

from django.core.exceptions import ValidationError
from django.db import transaction
from django.template import loader
from django.utils import timezone

from casebase.cases.models import Application, CaseCredit, CaseStudy, TaggedPrinciple, TaggedRole
from casebase.cases.writing import ApplicationData, Credit, TagClaim, provenance_columns, save_case
from casebase.core import throttle
from casebase.core.evidence import TEXT_BUDGET, Grade, Voice
from casebase.core.mail import queue_email
from casebase.core.siteurl import site_url
from casebase.corrections.models import Suggestion
from casebase.corrections.pages import CASE_TEXT_FIELDS, RECOMMENDATION_TEXT_FIELDS, Page, Target
from casebase.framework.models import Recommendation

# --- Throttle: counted per hour like password reset requests (casebase.core.throttle) --------
LIMIT = throttle.Limit(
    name="corrections",
    # Someone reading carefully may find several mistakes in an hour; a script finds hundreds.
    per_address=10,
    # An office or a classroom behind one address shares this.
    per_client=30,
    message=(
        "Too many suggestions from this connection or this email address in the last hour. "
        "Thank you for them: please send the rest in an hour, or write to the editors."
    ),
)
# A coding an editor withdraws (it is refuted, kept for staff, never shown or counted).
WITHDRAW = "withdraw"


@transaction.atomic
def suggest(
    *,
    page: Page,
    target: Target,
    problem: str,
    source_url: str = "",
    figure: str = "",
    email: str = "",
    wants_credit: bool = False,
    credit_name: str = "",
    user=None,
) -> Suggestion:
    return Suggestion.objects.create(
        page=page.path,
        page_title=page.title[:300],
        target=target.kind,
        target_pk=target.pk,
        field=target.field,
        field_label=target.label[:300],
        case=page.case,
        current_value=target.value,
        figure=figure,
        problem=problem,
        source_url=source_url,
        email=email,
        wants_credit=wants_credit and bool(credit_name),
        credit_name=credit_name if wants_credit else "",
        submitted_by=user if user is not None and user.is_authenticated else None,
    )


# --- The editor's decision -------------------------------------------------------------------


class NotDecidable(Exception):
    """The suggestion cannot be decided this way (already decided, or its fact is gone)."""


class Changed(NotDecidable):
    """The fact changed after the editor opened the suggestion: their new value would undo that."""


def fingerprint(value: str) -> str:
    """A value as the review form carries it, to tell whether the fact changed meanwhile (a hash:
    browsers rewrite line breaks in the values they post)."""
    return hashlib.sha256(value.replace("\r\n", "\n").encode()).hexdigest()


def live_value(suggestion: Suggestion) -> str:
    """What the fact says now (an editor edits from this, not from what it said when suggested)."""
    model = {"case": CaseStudy, "recommendation": Recommendation}.get(suggestion.target)
    fields = CASE_TEXT_FIELDS if model is CaseStudy else RECOMMENDATION_TEXT_FIELDS
    if model is None or suggestion.field not in fields:
        return suggestion.current_value
    value = model.objects.filter(pk=suggestion.target_pk).values_list(suggestion.field, flat=True).first()
    return suggestion.current_value if value is None else str(value)


def _unchanged(old: str, expected: str | None) -> None:
    if expected is not None and fingerprint(old) != expected:
        raise Changed(
            "This field was changed by someone else after you opened this page. It now reads as shown "
            "below; your text is in the form: make the correction again from the current text."
        )


def _editor_name(user) -> str:
    return user.get_full_name() or user.get_username()


def _checked(suggestion: Suggestion, editor, reason: str) -> dict:
    """The provenance of the corrected fact, in the editors' voice: confirmed today by the editor
    against the suggestion's source when it gave one; without one, unverified (the new value is
    then on the worklist until someone checks it against a source)."""
    values = {
        "voice": Voice.EDITORS,
        "checked_on": timezone.localdate(),
        "checked_by": _editor_name(editor)[:150],
        "locator": "",
        "note": f"Corrected on a reader's suggestion (no. {suggestion.pk}): {reason}"[:TEXT_BUDGET],
    }
    if suggestion.source_url:
        values |= {"source_url": suggestion.source_url, "grade": Grade.CONFIRMED}
    else:
        values["grade"] = Grade.RECALLED
    return values


def _refuted(suggestion: Suggestion, editor, reason: str) -> dict:
    return {
        "grade": Grade.REFUTED,
        "voice": Voice.EDITORS,
        "source_url": suggestion.source_url,
        "checked_on": timezone.localdate(),
        "checked_by": _editor_name(editor)[:150],
        "note": f"Withdrawn on a reader's suggestion (no. {suggestion.pk}): {reason}"[:TEXT_BUDGET],
    }


def _history_reason(suggestion: Suggestion, reason: str) -> str:
    # simple-history's change_reason column holds 100 characters.
    return f"Correction no. {suggestion.pk}: {reason}"[:100]


def _published_case(case_id) -> CaseStudy:
    case = CaseStudy.objects.select_for_update().filter(pk=case_id, is_published=True).first()
    if case is None:
        raise NotDecidable("The case is no longer published, so its page cannot be corrected.")
    return case


def _check_length(model, name: str, value: str) -> None:
    limit = model._meta.get_field(name).max_length
    if name == "title" and not value.strip():
        raise ValidationError({"new_value": "A title cannot be empty."})
    if limit and len(value) > limit:
        raise ValidationError(
            {"new_value": f"This field holds at most {limit} characters; there are {len(value)}."}
        )


def _correct_case_field(suggestion, editor, new_value, reason, expected) -> str:
    case = _published_case(suggestion.target_pk)
    name = suggestion.field
    old = str(getattr(case, name) or "")
    _unchanged(old, expected)
    _check_length(CaseStudy, name, new_value)
    case.set_provenance(name, **_checked(suggestion, editor, reason))
    sources = dict(case.field_sources)
    # What the page said before stays with the record, for staff (casebase.core.evidence).
    sources["_refuted"] = [
        *case.refuted(),
        {"field": name, "value": old[:TEXT_BUDGET], "refuted_by": suggestion.source_url, "note": reason},
    ]
    save_case(
        case,
        fields={name: new_value},
        field_sources=sources,
        reason=_history_reason(suggestion, reason),
        by=editor,
    )
    return old


def _withdraw_tag(suggestion, editor, reason) -> str:
    through = TaggedRole if suggestion.target == "case-role" else TaggedPrinciple
    link = through.objects.select_related("tag").filter(pk=suggestion.target_pk).first()
    if link is None:
        raise NotDecidable("That tag is no longer on the case.")
    case = _published_case(link.content_object_id)
    links = through.objects.filter(content_object=case).select_related("tag")
    claims = [
        TagClaim(
            other.tag.slug,
            replace(other.provenance(), **_refuted(suggestion, editor, reason))
            if other.pk == link.pk
            else other.provenance(),
        )
        for other in links
    ]
    kind = "roles" if through is TaggedRole else "principles"
    save_case(case, **{kind: claims}, reason=_history_reason(suggestion, reason), by=editor)
    return link.tag.name


def _withdraw_credit(suggestion, editor, reason) -> str:
    credit = CaseCredit.objects.select_related("organization").filter(pk=suggestion.target_pk).first()
    if credit is None:
        raise NotDecidable("That organization is no longer credited with the case.")
    case = _published_case(credit.case_id)
    credits = [
        Credit(
            other.organization,
            replace(other.provenance(), **_refuted(suggestion, editor, reason))
            if other.pk == credit.pk
            else other.provenance(),
            other.role,
        )
        for other in case.credits.select_related("organization")
        if other.organization_id != case.organization_id
    ]
    save_case(case, credits=credits, reason=_history_reason(suggestion, reason), by=editor)
    return credit.organization.name


def _recode(suggestion, editor, new_value, reason) -> tuple[str, str]:
    """Withdraw the coding, or give the editors' reading of how the case relates to the
    recommendation. A coding is its voice's claim: the editors' own coding is corrected in
    place; another voice's (the organization's, PAI staff's) is kept beside the editors' new
    one, as the voices stand side by side everywhere. Returns (what it said, what it says now)."""
    coding = Application.objects.select_related("recommendation").filter(pk=suggestion.target_pk).first()
    if coding is None:
        raise NotDecidable("That coding is no longer on the case.")
    if new_value != WITHDRAW and new_value not in Application.Status.values:
        raise ValidationError({"new_value": "Choose how the case relates to the recommendation."})
    case = _published_case(coding.case_id)
    old = coding.get_status_display()
    if new_value == WITHDRAW:
        provenance = replace(coding.provenance(), **_refuted(suggestion, editor, reason))
        fields = {"status": coding.status, **provenance_columns(provenance), "voice": coding.voice}
        now = "withdrawn"
    else:
        provenance = replace(coding.provenance(), **_checked(suggestion, editor, reason))
        fields = {"status": new_value, **provenance_columns(provenance), "voice": Voice.EDITORS}
        now = Application.Status(new_value).label
        if coding.voice != Voice.EDITORS:
            now += f" (Casebase editors' coding, beside {Voice.phrase(coding.voice)}'s)"
    # Only this coding is written: every other coding of the case is kept as it is.
    save_case(
        case,
        applications=[ApplicationData(coding.recommendation, fields)],
        voices={fields["voice"]},
        keep_unlisted=lambda application: True,
        reason=_history_reason(suggestion, reason),
        by=editor,
    )
    return old, now


def _correct_recommendation(suggestion, editor, new_value, reason, expected) -> str:
    rec = Recommendation.objects.select_for_update().filter(pk=suggestion.target_pk).first()
    if rec is None:
        raise NotDecidable("That recommendation is no longer in the Framework.")
    name = suggestion.field
    _check_length(Recommendation, name, new_value)
    old = str(getattr(rec, name) or "")
    _unchanged(old, expected)
    rec.set_provenance(name, **_checked(suggestion, editor, reason))
    setattr(rec, name, new_value)
    rec._change_reason = _history_reason(suggestion, reason)
    rec._history_user = editor
    rec.full_clean(exclude=["previous", "edition", "section"])
    rec.save()
    return old


@transaction.atomic
def accept(
    *, suggestion: Suggestion, editor, new_value: str, reason: str, expected: str | None = None
) -> Suggestion:
    """Make the change the suggestion asked for (as the editor wrote it) and log it publicly.

    ``expected`` is the fingerprint of the value the editor started from: if the fact has
    changed since, nothing is written (Changed).
    """
    suggestion = _open(suggestion)
    now = new_value
    if suggestion.target == "case" and suggestion.field in CASE_TEXT_FIELDS:
        old = _correct_case_field(suggestion, editor, new_value, reason, expected)
    elif suggestion.target in ("case-role", "case-principle"):
        old, now = _withdraw_tag(suggestion, editor, reason), "withdrawn"
    elif suggestion.target == "credit":
        old, now = _withdraw_credit(suggestion, editor, reason), "withdrawn"
    elif suggestion.target == "coding":
        old, now = _recode(suggestion, editor, new_value, reason)
    elif suggestion.target == "recommendation" and suggestion.field in RECOMMENDATION_TEXT_FIELDS:
        old = _correct_recommendation(suggestion, editor, new_value, reason, expected)
    elif suggestion.target == "analysis-page":
        # A figure is counted from the codings: the editor corrects those (on the worklist or in
        # the admin) and says here what changed.
        if not new_value.strip():
            raise ValidationError({"new_value": "Say what was changed, for the public change log."})
        old = suggestion.figure
    else:
        raise NotDecidable("This suggestion names a fact Casebase cannot change here.")
    suggestion.old_value = old
    suggestion.new_value = now
    return _decided(suggestion, Suggestion.Status.ACCEPTED, editor, reason)


@transaction.atomic
def decline(*, suggestion: Suggestion, editor, reason: str) -> Suggestion:
    suggestion = _open(suggestion)
    return _decided(suggestion, Suggestion.Status.DECLINED, editor, reason)


def _open(suggestion: Suggestion) -> Suggestion:
    """The suggestion, locked, if it is still waiting for a decision."""
    suggestion = Suggestion.objects.select_for_update().get(pk=suggestion.pk)
    if suggestion.status != Suggestion.Status.OPEN:
        raise NotDecidable("This suggestion has already been decided.")
    return suggestion


def _decided(suggestion: Suggestion, status: str, editor, reason: str) -> Suggestion:
    suggestion.status = status
    suggestion.reason = reason
    suggestion.decided_by = editor
    suggestion.decided_at = timezone.now()
    if suggestion.email:
        _tell(suggestion)
        # The address was given for this one email: once it is queued, it is not kept.
        suggestion.email, suggestion.told = "", True
    suggestion.save()
    return suggestion


def _tell(suggestion: Suggestion) -> None:
    """One email to the suggester at the address they left, once the decision is committed."""
    context = {"suggestion": suggestion, "site_url": site_url()}
    accepted = suggestion.status == Suggestion.Status.ACCEPTED
    queue_email(
        to=[suggestion.email],
        subject=(
            "Casebase: your correction was accepted"
            if accepted
            else "Casebase: about the correction you suggested"
        ),
        body=loader.render_to_string("corrections/email/decision.txt", context),
    )
