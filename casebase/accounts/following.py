"""Following a /cases/ search by email: immediately as each matching case is published, or as a
weekly digest.

What is followed is the filter engine's own cleaned query string (CaseFilter.url, without sort
or page), so a follow means exactly what /cases/ and the Atom feed show for it. Whether a new
case matches is asked of the same engine, on the facet index.

Nothing is ever sent twice: before an email goes, a Delivery row is written for the
subscription and the case (or, for a digest, the week), and the database's unique constraints
refuse a second one. Two publications announced at the same moment, or two digest runs, can
race only to that insert; the loser sends nothing.
"""

import logging

from django.core import signing
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction
from django.http import QueryDict
from django.tasks import task
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone

from casebase.accounts.models import QUERY_MAX_LENGTH, Delivery, Frequency, Subscription
from casebase.accounts.readers import is_reader
from casebase.cases.filters import CaseFilter
from casebase.cases.models import CaseStudy
from casebase.core.mail import send_email
from casebase.core.siteurl import site_url

logger = logging.getLogger(__name__)

UNSUBSCRIBE_SALT = "casebase.accounts.following.unsubscribe"
MAX_SUBSCRIPTIONS = 50  # per reader
DIGEST_MAX_CASES = 50  # listed in one digest; the rest are a link away
LABEL_MAX_LENGTH = 500


def cleaned(params) -> CaseFilter:
    """The filter ``params`` select, through the one engine (and so the one parameter cleaner)."""
    return CaseFilter(params)


def query_of(case_filter: CaseFilter) -> str:
    """The stored form of a followed search: the cleaned query string, newest first, no page."""
    return case_filter.url(sort="", carry=False).lstrip("?")


def describe(case_filter: CaseFilter) -> str:
    said = [f"{active.facet_label}: {active.label}" for active in case_filter.active]
    if case_filter.q:
        said.insert(0, f"matching “{case_filter.q}”")
    if case_filter.is_confirmed_only:
        said.append("confirmed facts only")
    return ("; ".join(said) or "Every new case study")[:LABEL_MAX_LENGTH]


def filter_of(subscription: Subscription) -> CaseFilter:
    return CaseFilter(QueryDict(subscription.query))


@transaction.atomic
def follow(*, user, params, frequency: str) -> Subscription:
    """Follow what ``params`` select (a /cases/ query) by email; following it again changes
    only how often. ValidationError for a filter that names nothing, or too many follows."""
    if not is_reader(user):
        raise PermissionDenied("Following by email is for reader accounts.")
    if frequency not in Frequency.values:
        raise ValidationError("Choose how often: as each case is published, or weekly.")
    case_filter = cleaned(params)
    if case_filter.unknown:
        # As for the feed: a dropped filter would follow more than the reader believes.
        raise ValidationError(["This search cannot be followed:", *case_filter.messages])
    query = query_of(case_filter)
    if len(query) > QUERY_MAX_LENGTH:
        raise ValidationError("This search is too long to follow; remove some of its filters.")
    existing = Subscription.objects.select_for_update().filter(user=user, query=query).first()
    if existing is not None:
        existing.frequency = frequency
        existing.save(update_fields=["frequency"])
        return existing
    if Subscription.objects.filter(user=user).count() >= MAX_SUBSCRIPTIONS:
        raise ValidationError(f"You follow {MAX_SUBSCRIPTIONS} searches already; stop following one first.")
    return Subscription.objects.create(
        user=user, query=query, label=describe(case_filter), frequency=frequency
    )


def unfollow(*, user, pk: int) -> bool:
    """Stop following one of one's own searches; False if there is no such follow of theirs."""
    deleted, _ = Subscription.objects.filter(user=user, pk=pk).delete()
    return bool(deleted)


# --- the one-click unsubscribe link ------------------------------------------------------


def unsubscribe_token(subscription: Subscription) -> str:
    # No expiry: an unsubscribe link in an old email must still work.
    return signing.dumps(subscription.pk, salt=UNSUBSCRIBE_SALT)


def unsubscribe_url(subscription: Subscription) -> str:
    return site_url() + reverse("accounts:unsubscribe", args=[unsubscribe_token(subscription)])


def subscription_for_token(token: str) -> Subscription | None:
    if not token or len(token) > 200:
        return None
    try:
        pk = signing.loads(token, salt=UNSUBSCRIBE_SALT)
    except signing.BadSignature:
        return None
    return Subscription.objects.filter(pk=pk).first() if isinstance(pk, int) else None


# --- sending -------------------------------------------------------------------------------


def announce(case: CaseStudy) -> None:
    """Tell the followers of matching searches about a newly published case, once the
    publication has committed (never for rolled-back work)."""
    transaction.on_commit(lambda: notify_followers.enqueue(case_id=case.pk))


def _claim(subscription: Subscription, **what) -> bool:
    """Record that this is being sent; False if it was already (the constraint decides)."""
    try:
        with transaction.atomic():
            Delivery.objects.create(subscription=subscription, **what)
    except IntegrityError:
        return False
    return True


def _headers(subscription: Subscription) -> dict[str, str]:
    # RFC 2369 and RFC 8058: mail clients offer their own one-click "Unsubscribe" button.
    return {
        "List-Unsubscribe": f"<{unsubscribe_url(subscription)}>",
        "List-Unsubscribe-Post": "List-Unsubscribe=One-Click",
    }


def _send(subscription: Subscription, subject: str, template: str, context: dict) -> int:
    context = {
        "subscription": subscription,
        "site": site_url(),
        "search_url": site_url() + reverse("cases:list") + "?" + subscription.query,
        "unsubscribe": unsubscribe_url(subscription),
        **context,
    }
    return send_email.call(
        to=[subscription.user.email],
        subject=subject,
        body=render_to_string(template, context),
        headers=_headers(subscription),
    )


@task
def notify_followers(*, case_id: int) -> int:
    """Email each immediate follow whose search the newly published case matches; returns how
    many emails went. Each distinct search is asked of the filter engine once."""
    case = CaseStudy.objects.published().select_related("organization").filter(pk=case_id).first()
    if case is None:
        return 0
    subscriptions = Subscription.objects.filter(
        frequency=Frequency.IMMEDIATE, user__is_active=True
    ).select_related("user")
    by_query: dict[str, list[Subscription]] = {}
    for subscription in subscriptions:
        by_query.setdefault(subscription.query, []).append(subscription)
    sent = 0
    for query, followers in by_query.items():
        case_filter = CaseFilter(QueryDict(query))
        if not case_filter.mask() & case_filter.index.mask_of_ids([case.pk]):
            continue
        for subscription in followers:
            if _claim(subscription, case=case):
                sent += _send(
                    subscription,
                    f"[Casebase] New case: {case.organization.name}: {case.title}",
                    "accounts/email/new_case.txt",
                    {"case": case, "case_url": site_url() + case.get_absolute_url()},
                )
    return sent


def week_of(when) -> str:
    year, week, _ = timezone.localdate(when).isocalendar()
    return f"{year}-W{week:02d}"


def send_digest(subscription: Subscription, *, now=None) -> int:
    """This week's digest for one weekly follow: the matching cases published since it began
    and not yet sent to it. Nothing is sent when there is nothing new; at most one a week."""
    now = now or timezone.now()
    case_filter = filter_of(subscription)
    since = timezone.localdate(subscription.created_at)
    already = set(
        Delivery.objects.filter(subscription=subscription, case__isnull=False).values_list(
            "case_id", flat=True
        )
    )
    ids = [pk for pk in case_filter.ids(sort="newest") if pk not in already]
    new = list(
        CaseStudy.objects.published()
        .filter(pk__in=ids, published_on__gte=since)
        .select_related("organization")
        .order_by("-published_on", "title")
    )
    if not new:
        return 0
    with transaction.atomic():
        if not _claim(subscription, period=week_of(now)):
            return 0
        Delivery.objects.bulk_create(
            [Delivery(subscription=subscription, case=case) for case in new], ignore_conflicts=True
        )
    shown = new[:DIGEST_MAX_CASES]
    return _send(
        subscription,
        f"[Casebase] {len(new)} new case{'s' if len(new) != 1 else ''}: {subscription.label}",
        "accounts/email/digest.txt",
        {
            "cases": [(case, site_url() + case.get_absolute_url()) for case in shown],
            "more": len(new) - len(shown),
        },
    )


@task
def send_digests() -> int:
    """Every weekly follow's digest for this week (run it weekly; running it again sends nothing
    more). Returns how many emails went."""
    sent = 0
    subscriptions = Subscription.objects.filter(frequency=Frequency.WEEKLY, user__is_active=True)
    for subscription in subscriptions.select_related("user").iterator():
        try:
            sent += send_digest(subscription)
        except Exception:  # one bad follow must not stop everyone else's digest
            logger.exception("digest for subscription %s failed", subscription.pk)
    return sent
