"""Feedback on the Framework (/review/feedback/) and review dossiers (/review/dossiers/): staff only."""

from django.urls import path

from casebase.commitments import feedback_views as views

feedback = (
    [
        path("", views.worklist, name="worklist"),
        path("gather/", views.gather, name="gather"),
        path("new/", views.new, name="new"),
        path("<int:pk>/", views.item, name="item"),
    ],
    "feedback",
)

dossiers = (
    [
        path("", views.dossiers, name="index"),
        path("<slug:key>/", views.dossier, name="detail"),
    ],
    "dossiers",
)
