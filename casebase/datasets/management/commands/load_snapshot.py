import json
from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from casebase.datasets import snapshot


class Command(BaseCommand):
    help = "Load a snapshot written by export_snapshot into an empty Casebase database."

    def add_arguments(self, parser):
        parser.add_argument("file", help="The snapshot JSON file.")

    def handle(self, *args, file, **options):
        try:
            data = json.loads(Path(file).read_text(encoding="utf-8"))
        except (OSError, ValueError) as exc:
            raise CommandError(f"Cannot read {file}: {exc}") from exc
        if data.get("snapshot", {}).get("format_version") != snapshot.FORMAT_VERSION:
            raise CommandError("Not a Casebase snapshot of a format this version can load.")
        try:
            counts = snapshot.load(data)
        except snapshot.NotEmpty as exc:
            raise CommandError(str(exc)) from exc
        summary = " ".join(f"{name}={n}" for name, n in counts.items())
        self.stdout.write(self.style.SUCCESS(f"load_snapshot: {summary}"))
