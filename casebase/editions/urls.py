"""Public: a published edition's crosswalk from the edition it was drafted from, and its diff."""

from django.urls import path

from casebase.editions import views

app_name = "edition_pages"
urlpatterns = [
    path("framework/<slug:slug>/crosswalk/", views.crosswalk, name="crosswalk"),
    path("framework/<slug:slug>/crosswalk.<str:ext>", views.crosswalk_download, name="crosswalk_download"),
    path("framework/<slug:slug>/changes/", views.changes, name="changes"),
]
