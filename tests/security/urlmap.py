"""Every URL of the site, and who may see it.

The URL configuration is walked at test time; each named pattern must have an
entry in ``REGISTRY`` saying, for each persona, what a GET answers. A new view
that nobody made a permission decision for fails ``test_authorization``, and an
entry whose URL no longer exists fails it too, so the table stays true.

The same table tells the other suites which pages exist: the query-parameter
fuzzing takes the public ones, the accessibility and header checks take every
HTML page, and the hostile-input suite renders them after saving payloads.
"""

from __future__ import annotations

import enum
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import urlsplit

from django.conf import settings
from django.urls import URLPattern, URLResolver, get_resolver

PERSONAS = ("anonymous", "supporter_a", "supporter_b", "editor", "admin", "reader")


class Outcome(enum.StrEnum):
    OK = "200 OK"
    LOGIN = "redirect to sign-in"
    REDIRECT = "redirect elsewhere"
    DENIED = "403/404"
    NOT_ALLOWED = "405 method not allowed"
    BAD_REQUEST = "400 bad request"
    REFUSED = "409/410/422"
    ERROR = "5xx"
    OTHER = "other status"


def outcome_of(response) -> Outcome:
    status = response.status_code
    if 200 <= status < 300:
        return Outcome.OK
    if status in (301, 302, 303, 307, 308):
        path = urlsplit(response["Location"]).path
        if path in (settings.LOGIN_URL, "/admin/login/"):
            return Outcome.LOGIN
        return Outcome.REDIRECT
    if status in (403, 404):
        return Outcome.DENIED
    if status == 405:
        return Outcome.NOT_ALLOWED
    if status == 400:
        return Outcome.BAD_REQUEST
    if status in (409, 410, 422):
        return Outcome.REFUSED
    if status >= 500:
        return Outcome.ERROR
    return Outcome.OTHER


OK, LOGIN, DENIED, REDIRECT, NOT_ALLOWED, REFUSED = (
    Outcome.OK,
    Outcome.LOGIN,
    Outcome.DENIED,
    Outcome.REDIRECT,
    Outcome.NOT_ALLOWED,
    Outcome.REFUSED,
)
ANY = None  # in a POST table: allowed to act, so any answer but a 5xx


class Area(enum.StrEnum):
    PUBLIC = "public"  # anyone; cited, crawled, fuzzed
    ACCOUNT = "account"  # sign-in and account pages
    SUPPORTER = "supporter"  # /submit/
    REVIEW = "review"  # /review/
    ADMIN = "admin"  # Django admin
    API = "api"  # read-only JSON API


@dataclass(frozen=True)
class Rule:
    """What each persona gets on GET, the sample URL arguments, and what the URL serves."""

    expect: dict[str, Outcome]
    area: Area = Area.PUBLIC
    kwargs: Callable[[Any], dict] | None = None
    html: bool = True  # serves an HTML page (axe, headers, well-formedness)
    # For views that change data: what an empty POST gets, per persona. Refused personas
    # (LOGIN, DENIED) must also leave the database untouched; ANY means allowed to act.
    post: dict[str, Outcome | None] | None = None
    query: str = ""  # query string for the sample request
    note: str = ""

    def __post_init__(self):
        assert set(self.expect) == set(PERSONAS), f"every persona needs an expected outcome: {self.expect}"
        assert self.post is None or set(self.post) == set(PERSONAS), (
            f"every persona needs a POST outcome: {self.post}"
        )


def every(outcome: Outcome) -> dict[str, Outcome]:
    return dict.fromkeys(PERSONAS, outcome)


def table(anonymous, supporter_a, supporter_b, editor, admin, reader) -> dict[str, Outcome]:
    return dict(zip(PERSONAS, (anonymous, supporter_a, supporter_b, editor, admin, reader), strict=True))


PUBLIC = every(OK)
SIGNED_IN = table(LOGIN, OK, OK, OK, OK, OK)
STAFF_ONLY = table(LOGIN, DENIED, DENIED, OK, OK, DENIED)
# A record of organization A's: its own supporter and staff see it, B does not.
ORG_A_ONLY = table(LOGIN, OK, DENIED, OK, OK, DENIED)


# The supporter area is for supporter members; staff work under /review/ instead.
SUPPORTER_AREA = table(LOGIN, OK, OK, DENIED, DENIED, DENIED)
# One of organization A's cases in the supporter area: B is told it does not exist.
SUPPORTER_OWN = table(LOGIN, OK, DENIED, DENIED, DENIED, DENIED)
# Actions are POST-only: a GET is refused before anything else is looked at.
POST_ONLY = every(NOT_ALLOWED)
# Who may act by POST.
POST_BY_MEMBERS = table(LOGIN, ANY, ANY, DENIED, DENIED, DENIED)
POST_BY_OWNER_A = table(LOGIN, ANY, DENIED, DENIED, DENIED, DENIED)
POST_BY_STAFF = table(LOGIN, DENIED, DENIED, ANY, ANY, DENIED)
# Reader pages (accounts): supporter members and editors have their own areas.
READER_ONLY = table(LOGIN, DENIED, DENIED, DENIED, DENIED, OK)
POST_BY_READER = table(LOGIN, DENIED, DENIED, DENIED, DENIED, ANY)
# A reader's own private record: everyone else is told it does not exist.
READER_OWN = table(DENIED, DENIED, DENIED, DENIED, DENIED, OK)
POST_BY_READER_OWN = table(LOGIN, DENIED, DENIED, DENIED, DENIED, ANY)
# Signing up is for people without an account; anyone signed in is sent on.
SIGNED_OUT_ONLY = table(OK, REDIRECT, REDIRECT, REDIRECT, REDIRECT, REDIRECT)


def public(**kw) -> Rule:
    return Rule(expect=PUBLIC, area=Area.PUBLIC, **kw)


def api(**kw) -> Rule:
    return Rule(expect=PUBLIC, area=Area.API, html=False, **kw)


def download(**kw) -> Rule:
    return Rule(expect=PUBLIC, area=Area.PUBLIC, html=False, **kw)


def sample_feedback(w):
    """A remark on the Framework from the world's published case (staff only, like every remark)."""
    from casebase.commitments.models import Feedback

    return Feedback.objects.get_or_create(
        case=w.published_case,
        statement=None,
        text="Feedback for the permission table",
        defaults={"organization": w.published_case.organization},
    )[0]


# --- The table ------------------------------------------------------------------------
# Sample arguments come from the ``world`` fixture (tests/security/conftest.py).

REGISTRY: dict[str, Rule] = {
    "home": public(),
    "healthz": download(),
    "bench-baseline": download(note="three bytes, no data: the benchmarks' floor"),
    # Framework, cases and organizations: the public record.
    "framework:current": public(),
    "framework:edition": public(kwargs=lambda w: {"slug": w.edition.slug}),
    "framework:recommendation": public(kwargs=lambda w: {"key": w.recommendation.key}),
    "cases:list": public(),
    "cases:detail": public(kwargs=lambda w: {"slug": w.published_case.slug}),
    "organizations:list": public(),
    "organizations:detail": public(kwargs=lambda w: {"slug": w.organization.slug}),
    # Supporters' published statements as data (the Commitments sections' downloads).
    "framework:recommendation_commitments": download(
        kwargs=lambda w: {"key": w.recommendation.key, "ext": "csv"}
    ),
    "organizations:commitments": download(kwargs=lambda w: {"slug": w.organization.slug, "ext": "json"}),
    "analysis:together": public(),
    "feed_cases": download(),
    # The read-only API: public JSON; its docs page is HTML.
    "api:docs": public(),
    "api:schema": api(),
    "api:api-root": api(),
    "api:edition-list": api(),
    "api:edition-detail": api(kwargs=lambda w: {"slug": w.edition.slug}),
    "api:section-list": api(),
    "api:section-detail": api(kwargs=lambda w: {"pk": w.edition.sections.order_by("pk").first().pk}),
    "api:recommendation-list": api(),
    "api:recommendation-detail": api(kwargs=lambda w: {"key": w.recommendation.key}),
    "api:organization-list": api(),
    "api:organization-detail": api(kwargs=lambda w: {"slug": w.organization.slug}),
    "api:case-list": api(),
    "api:case-detail": api(kwargs=lambda w: {"slug": w.published_case.slug}),
    "api:analysis-list": api(),
    "api:analysis-detail": api(kwargs=lambda w: {"slug": w.analysis.slug}),
    "api:cycle-list": api(),
    "api:commitment-list": api(),
    # Sign-in and accounts.
    "accounts:login": Rule(
        expect=table(OK, REDIRECT, REDIRECT, REDIRECT, REDIRECT, REDIRECT), area=Area.ACCOUNT
    ),
    "accounts:logout": Rule(expect=POST_ONLY, area=Area.ACCOUNT, html=False),
    "accounts:password_reset": Rule(expect=PUBLIC, area=Area.ACCOUNT),
    "accounts:password_reset_done": Rule(expect=PUBLIC, area=Area.ACCOUNT),
    "accounts:password_reset_confirm": Rule(
        expect=PUBLIC, area=Area.ACCOUNT, kwargs=lambda w: {"uidb64": "MQ", "token": "not-a-valid-token"}
    ),
    "accounts:password_reset_complete": Rule(expect=PUBLIC, area=Area.ACCOUNT),
    # Reader accounts: sign-up (with its emailed link), my account, following searches by email.
    "accounts:signup": Rule(
        expect=SIGNED_OUT_ONLY,
        area=Area.ACCOUNT,
        post=table(ANY, REDIRECT, REDIRECT, REDIRECT, REDIRECT, REDIRECT),
    ),
    "accounts:signup_sent": Rule(expect=PUBLIC, area=Area.ACCOUNT),
    "accounts:signup_confirm": Rule(
        expect=every(REFUSED), area=Area.ACCOUNT, kwargs=lambda w: {"token": "not-a-valid-token"}
    ),
    "accounts:account": Rule(expect=READER_ONLY, area=Area.ACCOUNT),
    "accounts:delete_account": Rule(expect=READER_ONLY, area=Area.ACCOUNT, post=POST_BY_READER),
    "accounts:follow": Rule(expect=POST_ONLY, area=Area.ACCOUNT, html=False, post=POST_BY_READER),
    "accounts:unfollow": Rule(
        expect=POST_ONLY,
        area=Area.ACCOUNT,
        html=False,
        kwargs=lambda w: {"pk": w.subscription.pk},
        post=POST_BY_READER,
    ),
    # The link in an email: it works for whoever holds it, signed in or not.
    "accounts:unsubscribe": Rule(
        expect=PUBLIC, area=Area.ACCOUNT, kwargs=lambda w: {"token": w.unsubscribe_token}, post=every(ANY)
    ),
    # Readers' collections: a private one is its owner's alone (404 for everyone else, signed in
    # or not, as for one that does not exist); a public one's citation is anyone's.
    "collections:index": Rule(expect=READER_ONLY, area=Area.ACCOUNT, post=POST_BY_READER),
    "collections:add": Rule(expect=POST_ONLY, area=Area.ACCOUNT, html=False, post=POST_BY_READER),
    "collections:detail": Rule(
        expect=READER_OWN, area=Area.ACCOUNT, kwargs=lambda w: {"pk": w.collection.pk}
    ),
    **{
        f"collections:{action}": Rule(
            expect=POST_ONLY,
            area=Area.ACCOUNT,
            html=False,
            kwargs=lambda w: {"pk": w.collection.pk},
            post=POST_BY_READER_OWN,
        )
        for action in ("update", "delete")
    },
    "collections:item": Rule(
        expect=POST_ONLY,
        area=Area.ACCOUNT,
        html=False,
        kwargs=lambda w: {"pk": w.collection.pk, "case_id": w.published_case.pk},
        post=POST_BY_READER_OWN,
    ),
    "collections:analysis_item": Rule(
        expect=POST_ONLY,
        area=Area.ACCOUNT,
        html=False,
        kwargs=lambda w: {"pk": w.collection.pk, "analysis_id": w.analysis.pk},
        post=POST_BY_READER_OWN,
    ),
    "collections:export": Rule(
        expect=READER_OWN,
        area=Area.ACCOUNT,
        html=False,
        kwargs=lambda w: {"pk": w.collection.pk, "ext": "csv"},
    ),
    "collections:cite": download(kwargs=lambda w: {"pk": w.public_collection.pk, "ext": "bib"}),
    "accounts:invite": Rule(expect=STAFF_ONLY, area=Area.REVIEW, post=POST_BY_STAFF),
    # A usable invitation link: for the invited person, who is not signed in yet.
    "accounts:accept_invitation": Rule(
        expect=table(OK, REFUSED, REFUSED, REFUSED, REFUSED, REFUSED),
        area=Area.ACCOUNT,
        kwargs=lambda w: {"token": w.invitation_token},
    ),
    # The supporter area (/submit/).
    "submissions:dashboard": Rule(expect=SUPPORTER_AREA, area=Area.SUPPORTER),
    "submissions:new": Rule(expect=SUPPORTER_AREA, area=Area.SUPPORTER, post=POST_BY_MEMBERS),
    "submissions:detail": Rule(
        expect=SUPPORTER_OWN, area=Area.SUPPORTER, kwargs=lambda w: {"pk": w.draft_a.pk}
    ),
    "submissions:edit": Rule(
        expect=SUPPORTER_OWN, area=Area.SUPPORTER, kwargs=lambda w: {"pk": w.draft_a.pk}, post=POST_BY_OWNER_A
    ),
    "submissions:preview": Rule(
        expect=SUPPORTER_OWN, area=Area.SUPPORTER, kwargs=lambda w: {"pk": w.draft_a.pk}
    ),
    **{
        f"submissions:{action}": Rule(
            expect=POST_ONLY,
            area=Area.SUPPORTER,
            html=False,
            kwargs=lambda w: {"pk": w.draft_a.pk},
            post=POST_BY_OWNER_A,
        )
        for action in ("submit", "withdraw", "discard", "reopen", "comment")
    },
    "submissions:revise": Rule(
        expect=POST_ONLY,
        area=Area.SUPPORTER,
        html=False,
        kwargs=lambda w: {"slug": w.published_case.slug},
        post=POST_BY_MEMBERS,
    ),
    # Self-assessments (/submit/assessments/): each organization sees only its own in a cycle.
    "commitments:list": Rule(expect=SUPPORTER_AREA, area=Area.SUPPORTER),
    "commitments:form": Rule(
        expect=SUPPORTER_AREA,
        area=Area.SUPPORTER,
        kwargs=lambda w: {"slug": w.cycle.slug},
        post=POST_BY_MEMBERS,
        note="the cycle is everyone's; the assessment shown is the member's own organization's",
    ),
    # Reporting cycles and the self-assessment review (/review/): staff only.
    "commitments_review:cycles": Rule(expect=STAFF_ONLY, area=Area.REVIEW, post=POST_BY_STAFF),
    "commitments_review:cycle": Rule(
        expect=STAFF_ONLY, area=Area.REVIEW, kwargs=lambda w: {"slug": w.cycle.slug}
    ),
    **{
        f"commitments_review:{action}": Rule(
            expect=POST_ONLY,
            area=Area.REVIEW,
            html=False,
            kwargs=lambda w: {"slug": w.cycle.slug},
            post=POST_BY_STAFF,
        )
        for action in ("close_cycle", "reopen_cycle")
    },
    "commitments_review:queue": Rule(expect=STAFF_ONLY, area=Area.REVIEW),
    "commitments_review:assessment": Rule(
        expect=STAFF_ONLY, area=Area.REVIEW, kwargs=lambda w: {"pk": w.assessment_a.pk}
    ),
    **{
        f"commitments_review:{action}": Rule(
            expect=POST_ONLY,
            area=Area.REVIEW,
            html=False,
            kwargs=lambda w: {"pk": w.assessment_a.pk},
            post=POST_BY_STAFF,
        )
        for action in ("publish", "request_changes")
    },
    # Staff review (/review/).
    "review:queue": Rule(expect=STAFF_ONLY, area=Area.REVIEW),
    **{
        f"review:{page}": Rule(expect=STAFF_ONLY, area=Area.REVIEW, kwargs=lambda w: {"pk": w.draft_a.pk})
        for page in ("detail", "preview", "history")
    },
    "review:edit": Rule(
        expect=STAFF_ONLY, area=Area.REVIEW, kwargs=lambda w: {"pk": w.draft_a.pk}, post=POST_BY_STAFF
    ),
    **{
        f"review:{action}": Rule(
            expect=POST_ONLY,
            area=Area.REVIEW,
            html=False,
            kwargs=lambda w: {"pk": w.draft_a.pk},
            post=POST_BY_STAFF,
        )
        for action in (
            "claim",
            "assign",
            "comment",
            "request_changes",
            "approve",
            "publish",
            "reject",
            "submit",
            "reopen",
            "start_revision",
        )
    },
    # The evidence worklist: staff only; confirming a fact is a POST.
    "quality:overview": Rule(expect=STAFF_ONLY, area=Area.REVIEW),
    "quality:confirm": Rule(expect=POST_ONLY, area=Area.REVIEW, html=False, post=POST_BY_STAFF),
    # Feedback on the Framework and the review dossiers: staff only, never public.
    "feedback:worklist": Rule(expect=STAFF_ONLY, area=Area.REVIEW),
    "feedback:gather": Rule(expect=POST_ONLY, area=Area.REVIEW, html=False, post=POST_BY_STAFF),
    "feedback:new": Rule(expect=STAFF_ONLY, area=Area.REVIEW, post=POST_BY_STAFF),
    "feedback:item": Rule(
        expect=STAFF_ONLY,
        area=Area.REVIEW,
        kwargs=lambda w: {"pk": sample_feedback(w).pk},
        post=POST_BY_STAFF,
    ),
    "dossiers:index": Rule(expect=STAFF_ONLY, area=Area.REVIEW),
    "dossiers:detail": Rule(
        expect=STAFF_ONLY,
        area=Area.REVIEW,
        kwargs=lambda w: {"key": w.recommendation.key},
        post=POST_BY_STAFF,
    ),
    "review:restore": Rule(
        expect=POST_ONLY,
        area=Area.REVIEW,
        html=False,
        kwargs=lambda w: {"pk": w.draft_a.pk, "history_id": w.draft_a.history.earliest().history_id},
        post=POST_BY_STAFF,
    ),
    # Drafting the next edition (/review/editions/): staff only. The sample edition is a draft.
    "editions:list": Rule(expect=STAFF_ONLY, area=Area.REVIEW, post=POST_BY_STAFF),
    "editions:draft": Rule(
        expect=STAFF_ONLY, area=Area.REVIEW, kwargs=lambda w: {"slug": w.draft_edition.slug}
    ),
    **{
        f"editions:{action}": Rule(
            expect=STAFF_ONLY,
            area=Area.REVIEW,
            kwargs=lambda w: {"slug": w.draft_edition.slug, "key": w.recommendation.key},
            post=POST_BY_STAFF,
        )
        for action in ("change", "split", "retire")
    },
    **{
        f"editions:{action}": Rule(
            expect=STAFF_ONLY,
            area=Area.REVIEW,
            kwargs=lambda w: {"slug": w.draft_edition.slug},
            post=POST_BY_STAFF,
        )
        for action in ("merge", "add")
    },
    **{
        f"editions:{action}": Rule(
            expect=POST_ONLY,
            area=Area.REVIEW,
            html=False,
            kwargs=lambda w: {"slug": w.draft_edition.slug},
            post=POST_BY_STAFF,
        )
        for action in ("publish", "discard")
    },
    # A published edition's crosswalk and diff are public; a draft's do not exist for anyone
    # (tests/editions walks a published one).
    "edition_pages:crosswalk": Rule(
        expect=every(DENIED), kwargs=lambda w: {"slug": w.draft_edition.slug}, note="a draft: 404"
    ),
    "edition_pages:crosswalk_download": Rule(
        expect=every(DENIED), html=False, kwargs=lambda w: {"slug": w.draft_edition.slug, "ext": "json"}
    ),
    "edition_pages:changes": Rule(
        expect=every(DENIED), kwargs=lambda w: {"slug": w.draft_edition.slug}, note="a draft: 404"
    ),
    # Suggested corrections: anyone suggests (from a public page), only editors decide.
    "corrections:new": Rule(
        expect=PUBLIC,
        area=Area.ACCOUNT,
        query="page=/analysis/gaps/",
        post=every(ANY),
        note="a form anyone may post, throttled; not a page to cache or crawl",
    ),
    "corrections:thanks": Rule(expect=PUBLIC, area=Area.ACCOUNT),
    "corrections:changes": public(),
    "corrections:review": Rule(
        expect=STAFF_ONLY, area=Area.REVIEW, kwargs=lambda w: {"pk": w.suggestion.pk}, post=POST_BY_STAFF
    ),
    # Analysis (public; downloads are not HTML pages).
    "analysis:index": public(),
    "analysis:matrix": public(),
    "analysis:matrix_download": download(kwargs=lambda w: {"ext": "csv"}),
    "analysis:application": public(
        kwargs=lambda w: {"case_slug": w.application.case.slug, "rec_key": w.application.recommendation.key}
    ),
    "analysis:gaps": public(),
    "analysis:crosstabs": public(),
    "analysis:cooccurrence": public(),
    "analysis:compare": public(),
    "analysis:agreement": public(),
    "analysis:analyses": public(),
    "analysis:analysis": public(kwargs=lambda w: {"slug": w.analysis.slug}),
    "analysis:chart_download": download(kwargs=lambda w: {"slug": w.chart_slug, "ext": "svg"}),
    "datasets:data": public(),
    "datasets:snapshot": download(),
    "analysis:cite_case": download(kwargs=lambda w: {"slug": w.published_case.slug, "ext": "bib"}),
    "analysis:cite_analysis": download(kwargs=lambda w: {"slug": w.analysis.slug, "ext": "bib"}),
    "analysis:cite_snapshot": download(kwargs=lambda w: {"ext": "bib"}),
}

# Django admin: one decision for the whole namespace. Staff sign in at /admin/;
# everyone else is sent to its sign-in page. The editor persona is staff with no
# model permissions of its own, so the admin pages answer it 403 except the index.
ADMIN_INDEX = table(LOGIN, LOGIN, LOGIN, OK, OK, LOGIN)
ADMIN_MODEL_PAGE = table(LOGIN, LOGIN, LOGIN, DENIED, OK, LOGIN)


# --- Walking the URL configuration ----------------------------------------------------


@dataclass
class Route:
    name: str | None  # "namespace:name", or None for an unnamed pattern
    route: str
    converters: tuple[str, ...] = field(default=())


def iter_routes(patterns=None, prefix: str = "", namespace: str | None = None) -> Iterator[Route]:
    if patterns is None:
        patterns = get_resolver().url_patterns
    for entry in patterns:
        if isinstance(entry, URLResolver):
            ns = entry.namespace
            full_ns = f"{namespace}:{ns}" if namespace and ns else (ns or namespace)
            yield from iter_routes(entry.url_patterns, prefix + str(entry.pattern), full_ns)
        elif isinstance(entry, URLPattern):
            name = f"{namespace}:{entry.name}" if namespace and entry.name else entry.name
            yield Route(name, prefix + str(entry.pattern), tuple(entry.pattern.converters))


def site_routes() -> list[Route]:
    """Every route of ours: Django admin's own are covered separately, by model."""
    return [
        r for r in iter_routes() if not (r.name or "").startswith("admin:") and "admin/" not in r.route[:6]
    ]


def public_rules() -> dict[str, Rule]:
    return {name: rule for name, rule in REGISTRY.items() if rule.area == Area.PUBLIC}
