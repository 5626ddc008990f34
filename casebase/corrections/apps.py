from django.apps import AppConfig

from casebase.core import pagecache


class CorrectionsConfig(AppConfig):
    """Readers' suggested corrections to the facts on public pages, and the public change log."""

    name = "casebase.corrections"

    def ready(self):
        # An accepted correction shows on its case's page (Suggestion.affects_public_pages).
        pagecache.watch(self)
