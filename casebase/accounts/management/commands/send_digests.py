"""Send this week's digests to readers who follow searches weekly (run it once a week, from cron
or a scheduler; running it again in the same week sends nothing more)."""

from django.core.management.base import BaseCommand

from casebase.accounts import following


class Command(BaseCommand):
    help = "Email this week's digest to each reader who follows a search weekly."

    def handle(self, *args, **options):
        sent = following.send_digests.call()
        self.stdout.write(f"{sent} digest{'s' if sent != 1 else ''} sent.")
