from django.apps import AppConfig


class EditionsConfig(AppConfig):
    """Drafting the Framework's next edition, its crosswalk and the public diff of two editions."""

    name = "casebase.editions"

    def ready(self):
        from casebase.core import pagecache

        # The crosswalk and the diff are public pages: a published change must show at once.
        pagecache.watch(self)
