from django.apps import AppConfig


class CasesConfig(AppConfig):
    name = "casebase.cases"
    verbose_name = "Case studies"

    def ready(self):
        from casebase.cases import signals  # noqa: F401 - connects the receivers
