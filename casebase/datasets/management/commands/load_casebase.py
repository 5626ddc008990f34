"""Load the real Framework and case studies from fixtures/, idempotently.

Running it again updates records in place (matched by their stable keys and
slugs) and never duplicates them. Records staff created themselves are left alone.
"""

import json
from pathlib import Path

from django.conf import settings
from django.core.management import call_command
from django.core.management.base import BaseCommand
from django.db import transaction

from casebase.cases import writing
from casebase.cases.models import Application, CaseStudy, Cohort, TemplateSection
from casebase.framework.models import Edition, Principle, Recommendation, Section, StakeholderRole
from casebase.organizations.models import Organization

FIXTURES = Path(settings.BASE_DIR) / "fixtures"


class Command(BaseCommand):
    help = "Load (or reload) the Framework, organizations and case studies from fixtures/."

    def add_arguments(self, parser):
        parser.add_argument("--fixtures", default=str(FIXTURES), help="Directory holding the JSON fixtures.")

    def handle(self, *args, fixtures, **options):
        directory = Path(fixtures)
        framework = json.loads((directory / "framework.json").read_text())
        cases = json.loads((directory / "cases.json").read_text())["cases"]
        with transaction.atomic():
            edition = self.load_framework(framework)
            self.load_cases(cases, edition)
        self.stdout.write(
            self.style.SUCCESS(
                f"load_casebase: edition={edition.slug} recommendations={edition.recommendations.count()} "
                f"organizations={Organization.objects.count()} cases={CaseStudy.objects.count()} "
                f"applications={Application.objects.count()}"
            )
        )
        # The seeded staff analyses cite the cases just loaded (casebase.analysis).
        call_command("load_analyses", verbosity=options["verbosity"], stdout=self.stdout)

    def step(self, label: str, count: int) -> None:
        self.stdout.write(f"  {label}: {count}")

    def load_framework(self, data: dict) -> Edition:
        e = data["edition"]
        if e.get("is_current"):
            Edition.objects.exclude(slug=e["slug"]).filter(is_current=True).update(is_current=False)
        edition, _ = Edition.objects.update_or_create(
            slug=e["slug"],
            defaults={k: e[k] for k in ("title", "published_on", "is_current", "source_url", "notes")},
        )
        for r in data["roles"]:
            StakeholderRole.objects.update_or_create(
                slug=r["slug"], defaults={k: r[k] for k in ("name", "order", "description")}
            )
        self.step("stakeholder roles", len(data["roles"]))
        for p in data["principles"]:
            Principle.objects.update_or_create(
                slug=p["slug"], defaults={k: p[k] for k in ("name", "order", "description", "kind")}
            )
        self.step("principles", len(data["principles"]))
        sections = {}
        for s in data["sections"]:
            sections[s["key"]], _ = Section.objects.update_or_create(
                edition=edition,
                key=s["key"],
                defaults={
                    "order": s["order"],
                    "title": s["title"],
                    "short_title": s.get("short_title", ""),
                    "description": s.get("description", ""),
                    "parent": sections.get(s.get("parent")),
                },
            )
        self.step("sections", len(sections))
        roles = {r.slug: r for r in StakeholderRole.objects.all()}
        principles = {p.slug: p for p in Principle.objects.all()}
        for r in data["recommendations"]:
            rec, _ = Recommendation.objects.update_or_create(
                edition=edition,
                key=r["key"],
                defaults={
                    "section": sections[r["section"]],
                    "official_number": r.get("official_number"),
                    "order": r["order"],
                    "title": r["title"],
                    "text": r["text"],
                    "verification": r["verification"],
                    "verification_note": r.get("verification_note", ""),
                    "source_url": r.get("source_url", ""),
                },
            )
            rec.principles.set([principles[p] for p in r["principles"]])
            rec.roles.set([roles[x] for x in r["roles"]])
        self.step("recommendations", len(data["recommendations"]))
        for o in data["organizations"]:
            org, _ = Organization.objects.update_or_create(
                slug=o["slug"],
                defaults={
                    k: o.get(k, "")
                    for k in (
                        "name",
                        "kind",
                        "kind_detail",
                        "roles_confidence",
                        "joined_label",
                        "verification",
                        "verification_note",
                        "source_url",
                        "website",
                    )
                }
                | {"is_supporter": o["is_supporter"], "joined_on": o.get("joined_on")},
            )
            org.roles.set([roles[x] for x in o["roles"]])
        self.step("organizations", len(data["organizations"]))
        for c in data["cohorts"]:
            Cohort.objects.update_or_create(
                slug=c["slug"], defaults={k: c[k] for k in ("name", "released_on", "description")}
            )
        for t in data["template_sections"]:
            TemplateSection.objects.update_or_create(
                order=t["order"], defaults={"heading": t["heading"], "prompt": t["prompt"]}
            )
        self.step("cohorts", len(data["cohorts"]))
        return edition

    def load_cases(self, cases: list[dict], edition: Edition) -> None:
        orgs = {o.slug: o for o in Organization.objects.all()}
        cohorts = {c.slug: c for c in Cohort.objects.all()}
        recs = {r.key: r for r in edition.recommendations.all()}
        plain = (
            "title",
            "framing_question",
            "takeaways",
            "summary",
            "summary_confidence",
            "sections",
            "source_url",
            "source_url_confidence",
            "modalities",
            "disclosure_types",
            "completeness",
            "verification",
            "verification_note",
        )
        for index, c in enumerate(cases, start=1):
            cohort = cohorts.get(c["cohort"])
            case = CaseStudy.objects.filter(slug=c["slug"]).first() or CaseStudy(slug=c["slug"])
            writing.save_case(
                case,
                fields={k: c[k] for k in plain}
                | {
                    "organization": orgs[c["organization"]],
                    "cohort": cohort,
                    "edition": edition,
                    "published_on": cohort.released_on if cohort else None,
                    "is_published": c["published"],
                },
                roles=c["roles"],
                principles=c["principles"],
                tags=c["tags"],
                applications=[
                    writing.ApplicationData(
                        recs[a["recommendation"]],
                        {k: a[k] for k in ("status", "justification", "asserted_by", "confidence")}
                        | {"excerpt": a.get("excerpt", "")},
                    )
                    for a in c["applications"]
                ],
                # Applications the fixtures no longer list are removed; staff-coded ones stay.
                keep_unlisted=lambda application: application.coder_id is not None,
                reason="Loaded from fixtures/",
            )
            self.stdout.write(f"  case {index}/{len(cases)}: {case.slug}")
