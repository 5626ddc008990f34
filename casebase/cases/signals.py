"""Keep CaseStudy.search_text current when the things it copies change, and every case's
lead organization credited.

search_text is derived data (organization name, takeaways, tag names) that
PostgreSQL folds into the stored search vector. CaseStudy.save() computes it;
these receivers cover changes that do not save the case: tags added or removed
through taggit, a tag or organization renamed, a tag deleted. Both use the one
recipe, compose_search_text.
"""

from django.db.models.signals import m2m_changed, post_delete, post_save
from django.dispatch import receiver
from taggit.models import Tag

from casebase.cases.models import (
    CaseCredit,
    CaseStudy,
    TaggedPrinciple,
    TaggedRole,
    TaggedTopic,
    compose_search_text,
)
from casebase.cases.writing import write_credits
from casebase.framework.models import Principle, StakeholderRole
from casebase.organizations.models import Organization

THROUGH_MODELS = (TaggedTopic, TaggedRole, TaggedPrinciple)


def refresh_search_text(case_ids) -> None:
    """Recompute search_text for these cases without touching history or updated_at."""
    cases = list(
        CaseStudy.objects.filter(pk__in=list(case_ids))
        .select_related("organization")
        .prefetch_related("tags", "roles", "principles")
    )
    for case in cases:
        names = [tag.name for manager in (case.tags, case.roles, case.principles) for tag in manager.all()]
        case.search_text = compose_search_text(case.organization.name, case.takeaways, names)
    CaseStudy.objects.bulk_update(cases, ["search_text"])


def _tags_changed(sender, instance, action, reverse, **kwargs):
    if action in ("post_add", "post_remove", "post_clear") and isinstance(instance, CaseStudy):
        refresh_search_text([instance.pk])


def _through_deleted(sender, instance, **kwargs):
    refresh_search_text([instance.content_object_id])


for _through in THROUGH_MODELS:
    m2m_changed.connect(_tags_changed, sender=_through, dispatch_uid=f"search_text_m2m_{_through.__name__}")
    post_delete.connect(
        _through_deleted, sender=_through, dispatch_uid=f"search_text_del_{_through.__name__}"
    )


@receiver(post_save, sender=CaseStudy, dispatch_uid="lead_credit")
def _case_saved(sender, instance, raw=False, **kwargs):
    """The organization facet, pages and exports count credits: a case saved by any path (the
    admin, a shell) credits its lead organization. The case writer does this itself, with the
    provenance it was given; this only fills the gap, so it is one query when nothing is missing."""
    if raw or not instance.organization_id:
        return
    lead = CaseCredit.Role.LEAD
    if not CaseCredit.objects.filter(
        case=instance, organization_id=instance.organization_id, role=lead
    ).exists():
        write_credits(instance, None)


@receiver(post_save, sender=Organization, dispatch_uid="search_text_organization")
def _organization_saved(sender, instance, created, **kwargs):
    if not created:
        refresh_search_text(instance.cases.values_list("pk", flat=True))


THROUGH_BY_TAG_MODEL = {Tag: TaggedTopic, StakeholderRole: TaggedRole, Principle: TaggedPrinciple}


@receiver(post_save, sender=Tag, dispatch_uid="search_text_tag")
@receiver(post_save, sender=StakeholderRole, dispatch_uid="search_text_role")
@receiver(post_save, sender=Principle, dispatch_uid="search_text_principle")
def _tag_renamed(sender, instance, created, **kwargs):
    if not created:
        through = THROUGH_BY_TAG_MODEL[sender]
        refresh_search_text(through.objects.filter(tag=instance).values_list("content_object_id", flat=True))
