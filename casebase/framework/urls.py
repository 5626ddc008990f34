from django.urls import path

from casebase.framework import views

app_name = "framework"
urlpatterns = [
    path("framework/", views.edition, name="current"),
    path("framework/<slug:slug>/", views.edition, name="edition"),
    path("recommendations/<slug:key>/", views.recommendation, name="recommendation"),
]
