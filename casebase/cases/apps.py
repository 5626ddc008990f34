from django.apps import AppConfig, apps

from casebase.core import pagecache


class CasesConfig(AppConfig):
    name = "casebase.cases"
    verbose_name = "Case studies"

    def ready(self):
        from casebase.cases import signals  # noqa: F401 - connects the receivers

        # Cases and their topic tags (taggit's own Tag model) appear on public pages:
        # a change starts a new page-cache version.
        pagecache.watch(self)
        pagecache.watch(apps.get_app_config("taggit"))
