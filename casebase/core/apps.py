from django.apps import AppConfig


class CoreConfig(AppConfig):
    name = "casebase.core"
    verbose_name = "Core"

    def ready(self):
        from casebase.core import pagecache

        # Any content change starts a new page-cache version (casebase.core.pagecache).
        pagecache.connect_signals()
