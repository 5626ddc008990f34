"""Addresses of the public pages this app serves, in the namespaces people cite them by."""

from django.urls import path

from casebase.pages import views

home = [path("", views.home, name="home")]
framework = [
    path("framework/", views.edition, name="current"),
    path("framework/<slug:slug>/", views.edition, name="edition"),
    path("recommendations/<slug:key>/", views.recommendation, name="recommendation"),
]
organizations = [
    path("organizations/", views.organization_list, name="list"),
    path("organizations/<slug:slug>/", views.organization_detail, name="detail"),
]
