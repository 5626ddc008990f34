from django.apps import AppConfig


class DatasetsConfig(AppConfig):
    """Data in and out in bulk: the fixture and snapshot loaders, the snapshot, the synthetic seeder."""

    name = "casebase.datasets"
