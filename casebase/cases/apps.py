from django.apps import AppConfig


class CasesConfig(AppConfig):
    name = "casebase.cases"
