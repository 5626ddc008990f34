from django.urls import path

from casebase.corrections import views

app_name = "corrections"
urlpatterns = [
    path("corrections/new/", views.new, name="new"),
    path("corrections/thanks/", views.thanks, name="thanks"),
    path("changes/", views.changes, name="changes"),
    path("review/corrections/<int:pk>/", views.review, name="review"),
]
