from django.apps import AppConfig

from casebase.core import pagecache


class OrganizationsConfig(AppConfig):
    name = "casebase.organizations"

    def ready(self):
        # Its records appear on public pages: a change starts a new page-cache version.
        pagecache.watch(self)
