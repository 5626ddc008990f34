from django.apps import AppConfig


class QualityConfig(AppConfig):
    """Staff's view of the evidence behind every fact: counts, gaps and the verification worklist."""

    name = "casebase.quality"
