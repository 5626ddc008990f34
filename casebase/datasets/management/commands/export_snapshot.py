from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from casebase.analysis import citations
from casebase.datasets import snapshot


class Command(BaseCommand):
    help = "Write a dated JSON snapshot of all published data, with its data dictionary and citation."

    def add_arguments(self, parser):
        parser.add_argument(
            "--output", "-o", help="File to write (default casebase-snapshot-<date>.json); '-' for stdout."
        )
        parser.add_argument("--date", help="The snapshot's date, YYYY-MM-DD (default today).")

    def handle(self, *args, output=None, date=None, **options):
        import datetime

        try:
            day = datetime.date.fromisoformat(date) if date else citations.today()
        except ValueError as exc:
            raise CommandError(f"--date: {exc}") from exc
        # Streamed: the cases are written as they are read, so memory stays flat.
        if output == "-":
            for chunk in snapshot.stream(day):
                self.stdout.write(chunk, ending="")
            return
        path = Path(output or f"casebase-snapshot-{day.isoformat()}.json")
        size = 0
        with path.open("w", encoding="utf-8") as out:
            for chunk in snapshot.stream(day):
                size += len(chunk)
                out.write(chunk)
        self.stderr.write(f"export_snapshot: wrote {path} ({size:,} characters)")
