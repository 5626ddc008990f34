"""Fill the database with N deterministic synthetic case studies, for benchmarks.

    manage.py seed_synthetic --cases 20000 --seed 1

Synthetic records are kept apart from the real ones: their slugs start with
``synthetic-`` and organization names end in "(synthetic NNN)". Running the
command again first removes every synthetic record, so the same N and seed
always leave the same data. The real Framework must be present (it is loaded
from fixtures/ when it is not); real organizations and cases are never touched.

Speed: markdown is rendered in worker processes while the main process inserts
through the case writer's bulk path (casebase.cases.writing.insert_cases), which
derives search text and tag snapshots with the same recipes as a save and starts
a new content version. Unpublished cases get a working copy in review
(casebase.submissions), where their workflow state lives.
"""

import multiprocessing
import os
import random
import time

from django.core.management import call_command
from django.core.management.base import BaseCommand, CommandError
from django.db import connection, transaction
from taggit.models import Tag

from casebase.cases import writing
from casebase.cases.models import (
    Application,
    CaseCredit,
    CaseStudy,
    Cohort,
    TaggedPrinciple,
    TaggedRole,
    TaggedTopic,
    TemplateSection,
)
from casebase.datasets import synthetic
from casebase.framework.models import Edition, StakeholderRole
from casebase.organizations.models import Organization
from casebase.submissions.models import Submission

# Generated values stored as they are (markdown already rendered by render_chunk).
CASE_FIELDS = (
    "slug",
    "title",
    "framing_question",
    "takeaways",
    "summary",
    "summary_html",
    "sections",
    "body_html",
    "body_text",
    "published_on",
    "source_url",
    "official_url",
    "modalities",
    "disclosure_types",
    "completeness",
    "grade",
    "evidence_note",
)
CHUNK = 250  # cases rendered per worker task and inserted per round
COHORTS = 8


def render_chunk(ctx: synthetic.Context, start: int, stop: int) -> list[dict]:
    """Generate cases [start, stop) and render their markdown the way save() would."""
    out = []
    for index in range(start, stop):
        data = synthetic.case(ctx, index)
        case = CaseStudy(summary=data["summary"], sections=data["sections"])
        case.render_derived()
        data["summary_html"] = case.summary_html
        data["body_html"] = case.body_html
        data["body_text"] = case.body_text
        for app in data["applications"]:
            rendered = Application(justification=app["justification"])
            rendered.render_markdown_fields()
            app["justification_html"] = rendered.justification_html
        out.append(data)
    return out


def _render_task(args):
    return render_chunk(*args)


class Command(BaseCommand):
    help = "Replace all synthetic data with N deterministic synthetic case studies (for benchmarks)."

    def add_arguments(self, parser):
        parser.add_argument("--cases", type=int, default=1000, help="How many cases (default 1000).")
        parser.add_argument("--seed", type=int, default=1, help="Same seed and N give the same data.")
        parser.add_argument(
            "--organizations",
            type=int,
            default=None,
            help="How many organizations (default: one per 60 cases, between 5 and 300).",
        )
        parser.add_argument(
            "--unpublished",
            type=float,
            default=0.12,
            help="Share of cases not published: drafts and cases in review (default 0.12).",
        )
        parser.add_argument(
            "--jobs",
            type=int,
            default=None,
            help="Worker processes rendering markdown (default: 2 from 2,000 cases, else 1).",
        )
        parser.add_argument("--clear", action="store_true", help="Only remove synthetic data.")

    def handle(self, *args, cases, seed, organizations, unpublished, jobs, clear, **options):
        if cases < 0 or not 0 <= unpublished <= 1:
            raise CommandError("--cases must be >= 0 and --unpublished between 0 and 1.")
        if jobs is None:
            jobs = min(2, os.cpu_count() or 1) if cases >= 2000 else 1
        # Fork the workers before this process opens a database connection.
        pool = multiprocessing.get_context("fork").Pool(jobs) if jobs > 1 and not clear else None
        started = time.monotonic()
        try:
            with transaction.atomic():
                removed = self.clear()
                if clear:
                    self.stdout.write(f"seed_synthetic: removed {removed} synthetic cases")
                    return
                summary = self.seed(pool, cases, seed, organizations, unpublished)
        finally:
            if pool is not None:
                pool.close()
                pool.join()
        if connection.vendor == "postgresql":
            # Fresh statistics, as autovacuum would give a live database, so plans are realistic.
            with connection.cursor() as cursor:
                cursor.execute("ANALYZE")
        elapsed = time.monotonic() - started
        self.stdout.write(
            self.style.SUCCESS(
                f"seed_synthetic: seed={seed} cases={summary['cases']} published={summary['published']} "
                f"unpublished={summary['unpublished']} organizations={summary['organizations']} "
                f"applications={summary['applications']} tags={summary['tags']} "
                f"removed={removed} seconds={elapsed:.1f}"
            )
        )

    def clear(self) -> int:
        """Remove every synthetic record. Real records are never touched."""
        prefix = synthetic.SLUG_PREFIX
        cases = CaseStudy.objects.filter(slug__startswith=prefix)
        count = cases.count()
        if count:
            self.stdout.write(f"  removing {count} synthetic cases")
        # Raw deletes: the ordinary delete() would write a history row per record.
        Submission.objects.filter(case__in=cases)._raw_delete(connection.alias)
        for through in (TaggedRole, TaggedPrinciple, TaggedTopic):
            through.objects.filter(content_object__in=cases)._raw_delete(connection.alias)
        Application.objects.filter(case__in=cases)._raw_delete(connection.alias)
        CaseCredit.objects.filter(case__in=cases)._raw_delete(connection.alias)
        cases._raw_delete(connection.alias)
        orgs = Organization.objects.filter(slug__startswith=prefix)
        Organization.roles.through.objects.filter(organization__in=orgs)._raw_delete(connection.alias)
        orgs._raw_delete(connection.alias)
        Cohort.objects.filter(slug__startswith=prefix)._raw_delete(connection.alias)
        return count

    def ensure_framework(self) -> Edition:
        edition = Edition.objects.current()
        if edition is None or not edition.recommendations.exists() or not TemplateSection.objects.exists():
            self.stdout.write("  the Framework is missing: loading it with load_casebase")
            call_command("load_casebase", stdout=open(os.devnull, "w"))
            edition = Edition.objects.current()
        return edition

    def seed(self, pool, n: int, seed: int, n_orgs: int | None, unpublished: float) -> dict:
        edition = self.ensure_framework()
        roles = {r.slug: r for r in StakeholderRole.objects.all()}
        recs = list(edition.recommendations.prefetch_related("roles").order_by("section__order", "order"))
        template = [
            {"heading": t.heading, "prompt": t.prompt}
            for t in TemplateSection.objects.filter(is_active=True).order_by("order")
        ]

        cohorts = Cohort.objects.bulk_create([Cohort(**synthetic.cohort(i)) for i in range(COHORTS)])

        n_orgs = n_orgs or max(5, min(300, n // 60))
        org_data = [synthetic.organization(seed, i) for i in range(n_orgs)]
        orgs = []
        for o in org_data:
            org = Organization(
                **{
                    name: o[name] for name in ("slug", "name", "kind", "joined_on", "joined_label", "website")
                },
                description=o["description"],
                kind_detail="synthetic",
                joined_precision="month",
                is_supporter=True,
                evidence_note="Synthetic record generated for load testing.",
            )
            org.render_markdown_fields()
            orgs.append(org)
        orgs = Organization.objects.bulk_create(orgs)
        through = Organization.roles.through
        through.objects.bulk_create(
            [
                through(organization_id=org.pk, stakeholderrole_id=roles[slug].pk)
                for org, o in zip(orgs, org_data, strict=True)
                for slug in o["roles"]
                if slug in roles
            ]
        )
        self.stdout.write(f"  organizations: {len(orgs)}, cohorts: {len(cohorts)}")

        topic_tags = {}
        for name in synthetic.TOPICS:
            tag = Tag.objects.filter(name__iexact=name).first() or Tag.objects.create(name=name)
            topic_tags[name] = tag

        ctx = synthetic.Context(
            seed=seed,
            organizations=[{"short": o["short"], "roles": o["roles"]} for o in org_data],
            org_weights=[o["weight"] for o in org_data],
            recommendations=[
                {"key": r.key, "title": r.title, "roles": [x.slug for x in r.roles.all()]} for r in recs
            ],
            template_sections=template,
            cohorts=[{"released_on": c.released_on} for c in cohorts],
            unpublished=frozenset(
                random.Random(f"{seed}:unpublished").sample(range(n), round(n * unpublished))
            ),
        )
        tasks = [(ctx, start, min(start + CHUNK, n)) for start in range(0, n, CHUNK)]
        chunks = pool.imap(_render_task, tasks) if pool else map(_render_task, tasks)

        totals = {"cases": 0, "published": 0, "applications": 0}
        started = time.monotonic()
        for chunk in chunks:
            self.insert(chunk, edition, orgs, cohorts, recs, totals)
            done = totals["cases"]
            if done % (CHUNK * 8) == 0 or done == n:
                rate = done / max(time.monotonic() - started, 1e-6)
                self.stdout.write(f"  cases {done}/{n} ({done * 100 // max(n, 1)}%), {rate:.0f}/s")
        return {
            "cases": totals["cases"],
            "published": totals["published"],
            "unpublished": totals["cases"] - totals["published"],
            "organizations": len(orgs),
            "applications": totals["applications"],
            "tags": len(topic_tags),
        }

    def insert(self, chunk, edition, orgs, cohorts, recs, totals) -> None:
        items = []
        for d in chunk:
            case = CaseStudy(
                **{name: d[name] for name in CASE_FIELDS},
                organization=orgs[d["org_index"]],
                cohort=cohorts[d["cohort_index"]] if d["cohort_index"] is not None else None,
                edition=edition,
                is_published=d["status"] == "published",
                field_sources={"summary": {"grade": d["summary_grade"]}},
            )
            applications = [
                writing.ApplicationData(
                    recs[a["rec_index"]],
                    {
                        name: a[name]
                        for name in (
                            "status",
                            "justification",
                            "justification_html",
                            "excerpt",
                            "voice",
                            "grade",
                        )
                    },  # fmt: skip
                )
                for a in d["applications"]
            ]
            items.append(writing.BulkCase(case, d["roles"], d["principles"], d["tags"], applications))
        counts = writing.insert_cases(items)
        Submission.objects.bulk_create(
            [
                Submission(
                    case=item.case,
                    organization=item.case.organization,
                    status=d["status"],
                    content=synthetic.working_copy(d, recs),
                )
                for item, d in zip(items, chunk, strict=True)
                if d["status"] != "published"
            ]
        )
        totals["cases"] += counts["cases"]
        totals["published"] += sum(1 for d in chunk if d["status"] == "published")
        totals["applications"] += counts["applications"]
