from django.apps import AppConfig


class PagesConfig(AppConfig):
    """The public pages that join several apps: home, the Framework, organizations."""

    name = "casebase.pages"
