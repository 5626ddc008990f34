"""The one way case records are written: a case with its tags and applications.

Everything that writes cases goes through these functions: the fixture loader,
the snapshot loader, the synthetic seeder (in bulk) and the workflow's publish
step. They keep the invariants in one place:

- the derived fields: rendered markdown and ``search_text`` (CaseStudy.save()
  and the tag signals, both through ``compose_search_text``), and
  ``tag_snapshot``, the copy of the tags that history records;
- applications: one per recommendation, updated in place, the unlisted ones removed
  (unless the caller keeps them);
- the page-cache content version: saves send the model signals that start a new
  version (casebase.core.pagecache); the bulk path, which sends none, starts one itself.
"""

from collections.abc import Callable, Iterable
from dataclasses import dataclass, field

from django.db import transaction
from taggit.models import Tag

from casebase.cases.models import (
    Application,
    CaseStudy,
    TaggedPrinciple,
    TaggedRole,
    TaggedTopic,
    compose_search_text,
)
from casebase.core import pagecache
from casebase.framework.models import Principle, Recommendation, StakeholderRole


@dataclass
class ApplicationData:
    """One application to write: the recommendation and the application's own fields."""

    recommendation: Recommendation
    fields: dict = field(default_factory=dict)


def tag_snapshot(roles: Iterable[str], principles: Iterable[str], tags: Iterable[str]) -> dict:
    """The tags as history records them (role and principle slugs, topic names), sorted."""
    return {"roles": sorted(roles), "principles": sorted(principles), "tags": sorted(tags)}


@transaction.atomic
def save_case(
    case: CaseStudy,
    *,
    fields: dict | None = None,
    roles: Iterable[str] | None = None,
    principles: Iterable[str] | None = None,
    tags: Iterable[str] | None = None,
    applications: list[ApplicationData] | None = None,
    keep_unlisted: Callable[[Application], bool] | None = None,
    reason: str = "",
    by=None,
) -> CaseStudy:
    """Write a case: its fields, and (when given) its roles and principles (slugs), topic
    tags (names) and applications. Returns the saved case.

    ``None`` leaves that part as it is. Applications are matched by recommendation:
    an existing one is updated when a field differs, a new one created, and an
    existing one not listed is deleted unless ``keep_unlisted(application)`` says
    to keep it.
    """
    for name, value in (fields or {}).items():
        setattr(case, name, value)
    if reason:
        case._change_reason = reason
    if by is not None:
        case._history_user = by
    if case.pk is None:
        case.save()  # the tags and applications need its id
    if roles is not None:
        case.roles.set(list(StakeholderRole.objects.filter(slug__in=list(roles))))
    if principles is not None:
        case.principles.set(list(Principle.objects.filter(slug__in=list(principles))))
    if tags is not None:
        case.tags.set(list(tags))
    if applications is not None:
        sync_applications(case, applications, keep_unlisted=keep_unlisted)
    # The tags just written (the signals have refreshed search_text in the database).
    case.search_text = CaseStudy.objects.values_list("search_text", flat=True).get(pk=case.pk)
    case.tag_snapshot = case.current_tags()
    case.save()
    return case


def record_tags(case: CaseStudy) -> None:
    """After the tags of a case changed elsewhere (the admin's form): copy them into
    ``tag_snapshot`` so history records them."""
    snapshot = case.current_tags()
    if snapshot != (case.tag_snapshot or {}):
        case.tag_snapshot = snapshot
        case.save(update_fields=["tag_snapshot", "updated_at"])


def sync_applications(
    case: CaseStudy,
    items: list[ApplicationData],
    *,
    keep_unlisted: Callable[[Application], bool] | None = None,
) -> list[Application]:
    """Make the case's applications those of ``items`` (see save_case)."""
    existing = {a.recommendation_id: a for a in case.applications.all()}
    kept = []
    for item in items:
        application = existing.pop(item.recommendation.pk, None)
        if application is None:
            application = Application(case=case, recommendation=item.recommendation, **item.fields)
            application.save()
        elif any(getattr(application, k) != v for k, v in item.fields.items()):
            for k, v in item.fields.items():
                setattr(application, k, v)
            application.save()
        kept.append(application)
    for application in existing.values():
        if keep_unlisted is None or not keep_unlisted(application):
            application.delete()
    return kept


# --- In bulk (the synthetic seeder) -----------------------------------------------------


@dataclass
class BulkCase:
    """A case to insert in bulk: the unsaved record (markdown already rendered with
    ``render_derived``), its tags by slug (topics by name) and its applications."""

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
    applications, role_rows, principle_rows, topic_rows = [], [], [], []
    for case, item in zip(cases, items, strict=True):
        for data in item.applications:
            application = Application(case_id=case.pk, recommendation=data.recommendation, **data.fields)
            if "justification_html" not in data.fields:  # else rendered already, by the caller
                application.render_markdown_fields()
            applications.append(application)
        role_rows += [TaggedRole(content_object_id=case.pk, tag_id=roles[s]) for s in item.roles]
        principle_rows += [
            TaggedPrinciple(content_object_id=case.pk, tag_id=principles[s]) for s in item.principles
        ]
        topic_rows += [TaggedTopic(content_object_id=case.pk, tag_id=topics[t.lower()][0]) for t in item.tags]
    Application.objects.bulk_create(applications, batch_size=batch_size)
    TaggedRole.objects.bulk_create(role_rows, batch_size=2 * batch_size)
    TaggedPrinciple.objects.bulk_create(principle_rows, batch_size=2 * batch_size)
    TaggedTopic.objects.bulk_create(topic_rows, batch_size=2 * batch_size)
    if any(case.is_published for case in cases):
        pagecache.changed()
    return {"cases": len(cases), "applications": len(applications)}
