from django.urls import path

from casebase.datasets import views

app_name = "datasets"
urlpatterns = [
    path("data/", views.data, name="data"),
    path("data/snapshot.json", views.snapshot_download, name="snapshot"),
]
