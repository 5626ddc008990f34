"""The one way case records are written: a case with its credits, tags and applications.

Everything that writes cases goes through these functions: the fixture loader,
the snapshot loader, the synthetic seeder (in bulk) and the workflow's publish
step. They keep the invariants in one place:

- the derived fields: rendered markdown and ``search_text`` (CaseStudy.save()
  and the tag signals, both through ``compose_search_text``), and
  ``tag_snapshot``, the copy of the tags that history records. The search
  vectors PostgreSQL matches and ranks by (table ``cases_casesearch``) are
  derived from the fields written here by the database itself, in the statement
  that writes them (migration 0009's triggers: only the database has the
  stemmer); tests/cases/test_search.py checks them against a fresh computation
  after a publish, an edit and an unpublish;
- provenance: every credit, role, principle and application is written with its
  grade and voice (casebase.core.evidence);
- the lead organization is always credited (a CaseCredit with role "lead"),
  with the provenance of the case's "organization" fact;
- applications: one per recommendation and voice, updated in place; a writer
  speaking for some voices removes only those voices' unlisted codings (unless the
  caller keeps them), so one voice never overwrites another;
- the page-cache content version: saves send the model signals that start a new
  version (casebase.core.pagecache); the bulk path, which sends none, starts one itself;
- topic tags fit taggit's columns (``check_topic_tags``), checked before anything is written.
"""

from collections.abc import Callable, Iterable
from dataclasses import dataclass, field

from django.core.exceptions import ValidationError
from django.db import transaction
from taggit.models import Tag

from casebase.cases.models import (
    Application,
    CaseCredit,
    CaseStudy,
    TaggedPrinciple,
    TaggedRole,
    TaggedTopic,
    compose_search_text,
)
from casebase.core import pagecache
from casebase.core.evidence import Provenance
from casebase.framework.models import Principle, Recommendation, StakeholderRole
from casebase.organizations.models import Organization

# The provenance columns of casebase.core.evidence.Sourced, as Provenance names them.
COLUMNS = {
    "grade": "grade",
    "voice": "voice",
    "source_url": "source_url",
    "checked_on": "checked_on",
    "checked_by": "checked_by",
    "locator": "locator",
    "note": "evidence_note",
}


def provenance_columns(provenance: Provenance) -> dict:
    """A Provenance as the column values of a Sourced record."""
    return {column: getattr(provenance, name) for name, column in COLUMNS.items()}


# taggit's name and slug columns hold 100 characters, and a slug that collides with
# another gets "_<n>" appended: a name of at most 90 leaves the slug that room.
TAG_NAME_MAX_LENGTH = 90
# More topic tags than this says nothing a reader can use, and each costs a write.
MAX_TOPIC_TAGS = 20


def topic_tag_problems(names: Iterable[str]) -> list[str]:
    """What is wrong with these topic tag names, as messages for the person who typed them."""
    names = list(names)
    problems = []
    if len(names) > MAX_TOPIC_TAGS:
        problems.append(f"Use at most {MAX_TOPIC_TAGS} topic tags; there are {len(names)}.")
    for name in names:
        if len(name) > TAG_NAME_MAX_LENGTH:
            problems.append(
                f"Each topic tag can be at most {TAG_NAME_MAX_LENGTH} characters; "
                f"“{name[:40]}…” has {len(name)}."
            )
    return problems


def check_topic_tags(names: Iterable[str]) -> None:
    """Refuse tag names the database would refuse, with a message rather than a server error."""
    problems = topic_tag_problems(names)
    if problems:
        raise ValidationError(problems)


@dataclass
class ApplicationData:
    """One application to write: the recommendation and the application's own fields (its
    ``voice`` among them; without one it is the editors')."""

    recommendation: Recommendation
    fields: dict = field(default_factory=dict)

    @property
    def voice(self) -> str:
        return self.fields.get("voice", Application._meta.get_field("voice").default)


@dataclass
class TagClaim:
    """A role or principle on a case (by slug), with its provenance."""

    slug: str
    provenance: Provenance = field(default_factory=Provenance)


@dataclass
class Credit:
    """An organization credited with a case besides its lead, with its provenance."""

    organization: Organization
    provenance: Provenance = field(default_factory=Provenance)
    role: str = CaseCredit.Role.CO_AUTHOR


def tag_snapshot(roles: Iterable[str], principles: Iterable[str], tags: Iterable[str]) -> dict:
    """The tags as history records them (role and principle slugs, topic names), sorted."""
    return {"roles": sorted(roles), "principles": sorted(principles), "tags": sorted(tags)}


def _claims(items, default: Provenance) -> list[TagClaim]:
    return [item if isinstance(item, TagClaim) else TagClaim(item, default) for item in items]


@transaction.atomic
def save_case(
    case: CaseStudy,
    *,
    fields: dict | None = None,
    provenance: Provenance | None = None,
    field_sources: dict | None = None,
    credits: list[Credit] | None = None,
    roles: Iterable[str | TagClaim] | None = None,
    principles: Iterable[str | TagClaim] | None = None,
    tags: Iterable[str] | None = None,
    applications: list[ApplicationData] | None = None,
    voices: Iterable[str] | None = None,
    keep_unlisted: Callable[[Application], bool] | None = None,
    reason: str = "",
    by=None,
) -> CaseStudy:
    """Write a case and return it.

    ``provenance`` is the record's, ``field_sources`` the fields' own (casebase.core.evidence);
    ``credits`` the co-authors; roles and principles are slugs or TagClaims (a slug takes
    the record's provenance); topic ``tags`` are names. ``None`` leaves that part as it is.
    Applications are matched by recommendation and voice: an existing one is updated when
    a field differs, a new one created, and an existing one of the ``voices`` written
    (by default, those of the items) that is not listed is deleted unless
    ``keep_unlisted(application)`` keeps it. Topic tags that would not fit raise
    ValidationError before anything is written.
    """
    if tags is not None:
        tags = list(tags)
        check_topic_tags(tags)
    for name, value in (fields or {}).items():
        setattr(case, name, value)
    if provenance is not None:
        case.set_provenance(None, **provenance.__dict__)
    if field_sources is not None:
        case.field_sources = field_sources
    if reason:
        case._change_reason = reason
    if by is not None:
        case._history_user = by
    if case.pk is None:
        case.save()  # the tags and applications need its id
    default = case.provenance()
    if roles is not None:
        _write_claims(case, case.roles, TaggedRole, StakeholderRole, _claims(roles, default))
    if principles is not None:
        _write_claims(case, case.principles, TaggedPrinciple, Principle, _claims(principles, default))
    if tags is not None:
        case.tags.set(list(tags))
    write_credits(case, credits)
    if applications is not None:
        sync_applications(case, applications, voices=voices, keep_unlisted=keep_unlisted)
    # The tags just written (the signals have refreshed search_text in the database).
    case.search_text = CaseStudy.objects.values_list("search_text", flat=True).get(pk=case.pk)
    case.tag_snapshot = case.current_tags()
    case.save()
    return case


def _write_claims(case, manager, through, tag_model, claims: list[TagClaim]) -> None:
    """Set the case's roles or principles to these, each link with its provenance."""
    manager.set(list(tag_model.objects.filter(slug__in=[c.slug for c in claims])))
    by_slug = {c.slug: c.provenance for c in claims}
    for link in through.objects.filter(content_object=case).select_related("tag"):
        wanted = provenance_columns(by_slug[link.tag.slug])
        if any(getattr(link, k) != v for k, v in wanted.items()):
            for k, v in wanted.items():
                setattr(link, k, v)
            link.save()


def write_credits(case: CaseStudy, credits: list[Credit] | None) -> None:
    """The lead organization's credit (provenance of the "organization" fact), and the co-authors."""
    wanted = {case.organization_id: (CaseCredit.Role.LEAD, case.provenance("organization"))}
    existing = {c.organization_id: c for c in case.credits.all()}
    if credits is None:  # keep the co-authors as they are
        for org_id, credit in existing.items():
            if org_id != case.organization_id and credit.role != CaseCredit.Role.LEAD:
                wanted[org_id] = (credit.role, credit.provenance())
    else:
        for credit in credits:
            wanted.setdefault(credit.organization.pk, (credit.role, credit.provenance))
    for org_id, (role, provenance) in wanted.items():
        values = {"role": role, **provenance_columns(provenance)}
        credit = existing.pop(org_id, None)
        if credit is None:
            CaseCredit.objects.create(case=case, organization_id=org_id, **values)
        elif any(getattr(credit, k) != v for k, v in values.items()):
            for k, v in values.items():
                setattr(credit, k, v)
            credit.save()
    for credit in existing.values():
        credit.delete()


def sync_applications(
    case: CaseStudy,
    items: list[ApplicationData],
    *,
    voices: Iterable[str] | None = None,
    keep_unlisted: Callable[[Application], bool] | None = None,
) -> list[Application]:
    """Make the case's applications of these voices those of ``items`` (see save_case)."""
    voices = set(voices) if voices is not None else {item.voice for item in items}
    existing = {(a.recommendation_id, a.voice): a for a in case.applications.all()}
    kept = []
    for item in items:
        application = existing.pop((item.recommendation.pk, item.voice), None)
        if application is None:
            application = Application(case=case, recommendation=item.recommendation, **item.fields)
            application.save()
        elif any(getattr(application, k) != v for k, v in item.fields.items()):
            for k, v in item.fields.items():
                setattr(application, k, v)
            application.save()
        kept.append(application)
    for (_, voice), application in existing.items():
        if voice in voices and (keep_unlisted is None or not keep_unlisted(application)):
            application.delete()
    return kept


def record_tags(case: CaseStudy) -> None:
    """After the tags of a case changed elsewhere (the admin's form): copy them into
    ``tag_snapshot`` so history records them."""
    snapshot = case.current_tags()
    if snapshot != (case.tag_snapshot or {}):
        case.tag_snapshot = snapshot
        case.save(update_fields=["tag_snapshot", "updated_at"])


# --- In bulk (the synthetic seeder) -----------------------------------------------------


@dataclass
class BulkCase:
    """A case to insert in bulk: the unsaved record (markdown already rendered with
    ``render_derived``), its tags by slug (topics by name) and its applications.
    Its credit, roles and principles take the record's provenance."""

    case: CaseStudy
    roles: list[str]
    principles: list[str]
    tags: list[str]
    applications: list[ApplicationData]


def insert_cases(items: list[BulkCase], *, batch_size: int = 1000) -> dict[str, int]:
    """Insert new cases with bulk_create: no save(), no signals, so the derived fields
    are set here from the same recipes, and the content version is started by hand.

    Tags must exist already (roles, principles and topic tags by name). Returns counts.
    """
    roles = dict(StakeholderRole.objects.values_list("slug", "pk"))
    role_names = dict(StakeholderRole.objects.values_list("slug", "name"))
    principles = dict(Principle.objects.values_list("slug", "pk"))
    principle_names = dict(Principle.objects.values_list("slug", "name"))
    topics = {name.lower(): (pk, name) for pk, name in Tag.objects.values_list("pk", "name")}
    for item in items:
        case = item.case
        names = [topics[t.lower()][1] for t in item.tags]
        names += [role_names[s] for s in item.roles] + [principle_names[s] for s in item.principles]
        case.search_text = compose_search_text(case.organization.name, case.takeaways, names)
        case.tag_snapshot = tag_snapshot(item.roles, item.principles, names[: len(item.tags)])
    cases = CaseStudy.objects.bulk_create([item.case for item in items], batch_size=batch_size)
    applications, credits, role_rows, principle_rows, topic_rows = [], [], [], [], []
    for case, item in zip(cases, items, strict=True):
        own = provenance_columns(case.provenance())
        credits.append(
            CaseCredit(
                case_id=case.pk,
                organization_id=case.organization_id,
                role=CaseCredit.Role.LEAD,
                **provenance_columns(case.provenance("organization")),
            )
        )
        for data in item.applications:
            application = Application(case_id=case.pk, recommendation=data.recommendation, **data.fields)
            if "justification_html" not in data.fields:  # else rendered already, by the caller
                application.render_markdown_fields()
            applications.append(application)
        role_rows += [TaggedRole(content_object_id=case.pk, tag_id=roles[s], **own) for s in item.roles]
        principle_rows += [
            TaggedPrinciple(content_object_id=case.pk, tag_id=principles[s], **own) for s in item.principles
        ]
        topic_rows += [TaggedTopic(content_object_id=case.pk, tag_id=topics[t.lower()][0]) for t in item.tags]
    CaseCredit.objects.bulk_create(credits, batch_size=batch_size)
    Application.objects.bulk_create(applications, batch_size=batch_size)
    TaggedRole.objects.bulk_create(role_rows, batch_size=2 * batch_size)
    TaggedPrinciple.objects.bulk_create(principle_rows, batch_size=2 * batch_size)
    TaggedTopic.objects.bulk_create(topic_rows, batch_size=2 * batch_size)
    if any(case.is_published for case in cases):
        pagecache.changed()
    return {"cases": len(cases), "applications": len(applications)}
