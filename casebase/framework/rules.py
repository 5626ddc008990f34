"""Other instruments' rules a recommendation relates to (the ClauseMapping crosswalk), as readers see it."""

from casebase.core.evidence import Evidence
from casebase.framework.models import ClauseMapping


def related_rules(key: str, evidence: str) -> dict:
    """What a recommendation's "Related rules in other instruments" section shows: the mappings of its
    key that count under the evidence setting, and how many more the setting leaves out."""
    shown = list(ClauseMapping.objects.shown_for(key, evidence))
    everything = len(shown)
    if evidence == Evidence.CONFIRMED:
        everything = ClauseMapping.objects.shown_for(key, Evidence.ALL).count()
    return {
        "key": key,
        "mappings": shown,
        "hidden": everything - len(shown),
        "confirmed_only": evidence == Evidence.CONFIRMED,
    }
