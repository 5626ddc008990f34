from django.apps import AppConfig

from casebase.core import pagecache


class FrameworkConfig(AppConfig):
    name = "casebase.framework"

    def ready(self):
        # Its records appear on public pages: a change starts a new page-cache version.
        pagecache.watch(self)
