"""Load the real Framework and case studies from fixtures/, idempotently, with their provenance.

Running it again updates records in place (matched by their stable keys and
slugs) and never duplicates them. Records staff created are left alone, and so
is every record an editor changed since it was last loaded (its history says
who changed it last): an upgrade never overwrites editors' work; the command
says how many records it kept.
"""

import json
from pathlib import Path

from django.conf import settings
from django.core.management import call_command
from django.core.management.base import BaseCommand
from django.db import transaction

from casebase.cases import writing
from casebase.cases.models import Application, CaseStudy, Cohort, TemplateSection
from casebase.commitments.feedback import harvest_all
from casebase.datasets.records import date_in, provenance_in, sourced_in
from casebase.framework.models import (
    Clause,
    ClauseMapping,
    Edition,
    Instrument,
    Principle,
    Recommendation,
    Section,
    StakeholderRole,
)
from casebase.organizations.models import Organization

FIXTURES = Path(settings.BASE_DIR) / "fixtures"
LOADED = "Loaded from fixtures/"


def edited_since_loaded(record) -> bool:
    """Whether someone changed the record after the loader last wrote it (history tells)."""
    history = getattr(record, "history", None)
    if record.pk is None or history is None:
        return False
    last = history.order_by("-history_date", "-history_id").first()
    return bool(last and last.history_change_reason != LOADED and last.history_user_id is not None)


class Command(BaseCommand):
    help = "Load (or reload) the Framework, organizations and case studies from fixtures/."

    def add_arguments(self, parser):
        parser.add_argument("--fixtures", default=str(FIXTURES), help="Directory holding the JSON fixtures.")

    def handle(self, *args, fixtures, **options):
        directory = Path(fixtures)
        framework = json.loads((directory / "framework.json").read_text())
        cases = json.loads((directory / "cases.json").read_text())["cases"]
        instruments_file = directory / "instruments.json"
        instruments = json.loads(instruments_file.read_text()) if instruments_file.exists() else {}
        self.kept: list[str] = []
        with transaction.atomic():
            edition = self.load_framework(framework)
            self.load_instruments(instruments)
            self.load_cases(cases, edition)
        if self.kept:
            self.stdout.write(
                f"  kept editors' changes to {len(self.kept)} records: {', '.join(self.kept[:10])}"
            )
        self.stdout.write(
            self.style.SUCCESS(
                f"load_casebase: edition={edition.slug} recommendations={edition.recommendations.count()} "
                f"organizations={Organization.objects.count()} cases={CaseStudy.objects.count()} "
                f"applications={Application.objects.count()} clause_mappings={ClauseMapping.objects.count()} "
                f"kept={len(self.kept)}"
            )
        )
        # The seeded staff analyses cite the cases just loaded (casebase.analysis).
        call_command("load_analyses", verbosity=options["verbosity"], stdout=self.stdout)
        # Feedback on the Framework in the cases' answers goes to the editors' worklist, untagged;
        # a case gathered before is not gathered again (casebase.commitments.feedback).
        harvest = harvest_all()
        self.step("feedback gathered from cases", harvest.created)

    def step(self, label: str, count: int) -> None:
        self.stdout.write(f"  {label}: {count}")

    def upsert(self, model, lookup: dict, values: dict):
        """Create or update a record from the fixtures, unless an editor changed it since."""
        record = model.objects.filter(**lookup).first()
        if record is not None and edited_since_loaded(record):
            self.kept.append(str(record))
            return record
        record = record or model(**lookup)
        for name, value in values.items():
            setattr(record, name, value)
        record._change_reason = LOADED
        record.save()
        return record

    def load_framework(self, data: dict) -> Edition:
        e = data["edition"]
        if e.get("is_current"):
            Edition.objects.exclude(slug=e["slug"]).filter(is_current=True).update(is_current=False)
        published_on, precision = date_in(e["published_on"])
        edition = self.upsert(
            Edition,
            {"slug": e["slug"]},
            {k: e[k] for k in ("title", "is_current", "notes", "practice_count", "practice_count_is_minimum")}
            | {"published_on": published_on, "published_precision": precision}
            | sourced_in(e),
        )
        for r in data["roles"]:
            self.upsert(
                StakeholderRole,
                {"slug": r["slug"]},
                {k: r[k] for k in ("name", "order", "description")} | sourced_in(r),
            )
        self.step("stakeholder roles", len(data["roles"]))
        for p in data["principles"]:
            self.upsert(
                Principle,
                {"slug": p["slug"]},
                {k: p[k] for k in ("name", "order", "description", "kind")} | sourced_in(p),
            )
        self.step("principles", len(data["principles"]))
        sections = {}
        for s in data["sections"]:
            sections[s["key"]] = self.upsert(
                Section,
                {"edition": edition, "key": s["key"]},
                {
                    "order": s["order"],
                    "title": s["title"],
                    "short_title": s.get("short_title", ""),
                    "description": s.get("description", ""),
                    "parent": sections.get(s.get("parent")),
                }
                | sourced_in(s),
            )
        self.step("sections", len(sections))
        roles = {r.slug: r for r in StakeholderRole.objects.all()}
        principles = {p.slug: p for p in Principle.objects.all()}
        for r in data["recommendations"]:
            rec = self.upsert(
                Recommendation,
                {"edition": edition, "key": r["key"]},
                {
                    "section": sections[r["section"]],
                    "official_number": r.get("official_number"),
                    "order": r["order"],
                    "title": r["title"],
                    "text": r["text"],
                }
                | sourced_in(r),
            )
            rec.principles.set([principles[p] for p in r["principles"]])
            rec.roles.set([roles[x] for x in r["roles"]])
        self.step("recommendations", len(data["recommendations"]))
        for o in data["organizations"]:
            joined_on, precision = date_in(o.get("joined_on"))
            org = self.upsert(
                Organization,
                {"slug": o["slug"]},
                {k: o.get(k, "") for k in ("name", "kind", "kind_detail", "joined_label", "website")}
                | {"is_supporter": o["is_supporter"], "joined_on": joined_on, "joined_precision": precision}
                | sourced_in(o),
            )
            org.roles.set([roles[x] for x in o["roles"]])
        self.step("organizations", len(data["organizations"]))
        for c in data["cohorts"]:
            released_on, precision = date_in(c["released_on"])
            self.upsert(
                Cohort,
                {"slug": c["slug"]},
                {"name": c["name"], "description": c["description"], "released_on": released_on}
                | {"released_precision": precision}
                | sourced_in(c),
            )
        self.step("cohorts", len(data["cohorts"]))
        for t in data["template_sections"]:
            self.upsert(
                TemplateSection,
                {"order": t["order"]},
                {"heading": t["heading"], "prompt": t["prompt"]} | sourced_in(t),
            )
        return edition

    def load_instruments(self, data: dict) -> None:
        """Other instruments, their clauses, and the mappings of recommendation keys to them."""
        instruments = {}
        for i in data.get("instruments", []):
            instruments[i["slug"]] = self.upsert(
                Instrument,
                {"slug": i["slug"]},
                {k: i.get(k, "") for k in ("name", "publisher", "url")}
                | {"order": i.get("order", 0)}
                | sourced_in(i),
            )
        self.step("instruments", len(instruments))
        clauses = {}
        for c in data.get("clauses", []):
            clauses[c["slug"]] = self.upsert(
                Clause,
                {"slug": c["slug"]},
                {k: c.get(k, "") for k in ("reference", "title", "url", "summary")}
                | {"instrument": instruments[c["instrument"]], "order": c.get("order", 0)}
                | sourced_in(c),
            )
        self.step("clauses", len(clauses))
        for m in data.get("mappings", []):
            self.upsert(
                ClauseMapping,
                {"recommendation_key": m["recommendation"], "clause": clauses[m["clause"]]},
                {"relation": m["relation"], "note": m.get("note", "")} | sourced_in(m),
            )
        self.step("clause mappings", len(data.get("mappings", [])))

    def load_cases(self, cases: list[dict], edition: Edition) -> None:
        orgs = {o.slug: o for o in Organization.objects.all()}
        cohorts = {c.slug: c for c in Cohort.objects.all()}
        recs = {r.key: r for r in edition.recommendations.all()}
        plain = (
            "title", "framing_question", "takeaways", "summary", "authors", "sections", "official_url",
            "modalities", "disclosure_types", "completeness",
        )  # fmt: skip
        for index, c in enumerate(cases, start=1):
            case = CaseStudy.objects.filter(slug=c["slug"]).first() or CaseStudy(slug=c["slug"])
            if edited_since_loaded(case):
                self.kept.append(str(case))
                continue
            published_on, precision = date_in(c.get("published_on"))
            columns = sourced_in(c)
            field_sources = columns.pop("field_sources")
            writing.save_case(
                case,
                fields={
                    k: c.get(k, "" if k not in ("takeaways", "authors", "sections") else []) for k in plain
                }
                | {
                    "organization": orgs[c["organization"]],
                    "cohort": cohorts.get(c["cohort"]),
                    "edition": edition,
                    "published_on": published_on,
                    "published_precision": precision,
                    "is_published": c["published"],
                },
                provenance=provenance_in(c.get("provenance")),
                field_sources=field_sources,
                credits=[
                    writing.Credit(
                        orgs[x["organization"]],
                        provenance_in(x.get("provenance")),
                        x.get("role", "co_author"),
                    )
                    for x in c.get("credits", [])
                ],
                roles=[writing.TagClaim(t["slug"], provenance_in(t)) for t in c["roles"]],
                principles=[writing.TagClaim(t["slug"], provenance_in(t)) for t in c["principles"]],
                tags=c["tags"],
                applications=[
                    writing.ApplicationData(
                        recs[a["recommendation"]],
                        {k: a.get(k, "") for k in ("status", "justification", "excerpt")}
                        | {
                            name: value
                            for name, value in sourced_in({"provenance": a}).items()
                            if name != "field_sources"
                        },
                    )
                    for a in c["applications"]
                ],
                # The fixtures speak for the editors' codings only. Those they no longer list are
                # removed, unless staff coded them.
                voices=["editors"],
                keep_unlisted=lambda application: application.coder_id is not None,
                reason=LOADED,
            )
            self.stdout.write(f"  case {index}/{len(cases)}: {case.slug}")
