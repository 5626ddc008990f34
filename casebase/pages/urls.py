"""Addresses of the public pages this app serves, in the namespaces people cite them by."""

from django.urls import path

from casebase.pages import collections as collection_views
from casebase.pages import commitments, views

home = [path("", views.home, name="home")]
framework = [
    path("framework/", views.edition, name="current"),
    path("framework/<slug:slug>/", views.edition, name="edition"),
    path("recommendations/<slug:key>/", views.recommendation, name="recommendation"),
    path(
        "recommendations/<slug:key>/commitments.<str:ext>",
        commitments.recommendation_export,
        name="recommendation_commitments",
    ),
]
organizations = [
    path("organizations/", views.organization_list, name="list"),
    path("organizations/<slug:slug>/", views.organization_detail, name="detail"),
    path(
        "organizations/<slug:slug>/commitments.<str:ext>", commitments.organization_export, name="commitments"
    ),
]
collections = [
    path("", collection_views.index, name="index"),
    path("add/", collection_views.add, name="add"),
    path("<int:pk>/", collection_views.detail, name="detail"),
    path("<int:pk>/edit/", collection_views.update, name="update"),
    path("<int:pk>/delete/", collection_views.delete, name="delete"),
    path("<int:pk>/cases/<int:case_id>/", collection_views.item, name="item"),
    path("<int:pk>/analyses/<int:analysis_id>/", collection_views.analysis_item, name="analysis_item"),
    path("<int:pk>/export.<str:ext>", collection_views.export, name="export"),
    path("<int:pk>/cite.<str:ext>", collection_views.cite, name="cite"),
]
