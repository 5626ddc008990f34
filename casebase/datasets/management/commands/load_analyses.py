"""Load the seeded staff analyses from fixtures/analyses.json, idempotently."""

import json
from pathlib import Path

from django.conf import settings
from django.core.management.base import BaseCommand
from django.db import transaction

from casebase.analysis.models import Analysis, Finding
from casebase.cases.models import CaseStudy
from casebase.datasets.records import date_in, sourced_in
from casebase.framework.models import Edition

FIXTURE = Path(settings.BASE_DIR) / "fixtures" / "analyses.json"


class Command(BaseCommand):
    help = "Load (or reload) the seeded staff analyses from fixtures/analyses.json."

    def add_arguments(self, parser):
        parser.add_argument("--file", default=str(FIXTURE))

    @transaction.atomic
    def handle(self, *args, file, **options):
        data = json.loads(Path(file).read_text(encoding="utf-8"))["analyses"]
        edition = Edition.objects.current()
        recs = {r.key: r for r in edition.recommendations.all()} if edition else {}
        cases = {c.slug: c for c in CaseStudy.objects.all()}
        for item in data:
            published_on, precision = date_in(item["published_on"])
            analysis, _ = Analysis.objects.update_or_create(
                slug=item["slug"],
                defaults={k: item[k] for k in ("title", "author", "summary", "body")}
                | {"published_on": published_on, "published_precision": precision}
                | {"order": item.get("order", 0), "status": Analysis.Status.PUBLISHED}
                | sourced_in(item),
            )
            keep = []
            for order, f in enumerate(item["findings"], start=1):
                finding, _ = Finding.objects.update_or_create(
                    analysis=analysis,
                    order=order,
                    defaults={"title": f["title"], "body": f["body"], "draws_on_note": f["draws_on_note"]}
                    | sourced_in(f),
                )
                finding.cases.set([cases[s] for s in f["cases"] if s in cases])
                finding.recommendations.set([recs[k] for k in f["recommendations"] if k in recs])
                keep.append(finding.pk)
            analysis.findings.exclude(pk__in=keep).delete()
        if options["verbosity"]:
            self.stdout.write(f"load_analyses: {len(data)} analyses")
