from django.apps import AppConfig

from casebase.core import pagecache


class CommitmentsConfig(AppConfig):
    """The Framework's yearly review: reporting cycles, supporters' self-assessments, feedback."""

    name = "casebase.commitments"

    def ready(self):
        # Published self-assessments appear on recommendation and organization pages.
        pagecache.watch(self)
