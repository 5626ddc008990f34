from django.apps import AppConfig


class CoreConfig(AppConfig):
    name = "casebase.core"
    verbose_name = "Core"
