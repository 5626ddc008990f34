from django.urls import path

from casebase.commitments import views

app_name = "commitments"
urlpatterns = [
    path("", views.assessment_list, name="list"),
    path("<slug:slug>/", views.assessment_form, name="form"),
]
