from django.urls import path

from casebase.quality import views

app_name = "quality"
urlpatterns = [
    path("", views.overview, name="overview"),
    path("confirm/", views.confirm, name="confirm"),
]
