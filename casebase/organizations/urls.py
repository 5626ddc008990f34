from django.urls import path

from casebase.organizations import views

app_name = "organizations"
urlpatterns = [
    path("organizations/", views.organization_list, name="list"),
    path("organizations/<slug:slug>/", views.organization_detail, name="detail"),
]
