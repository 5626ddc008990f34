from django.urls import path

from casebase.commitments import review_views as views

app_name = "commitments_review"
urlpatterns = [
    path("cycles/", views.cycles, name="cycles"),
    path("cycles/<slug:slug>/", views.cycle_detail, name="cycle"),
    path("cycles/<slug:slug>/close/", views.close_cycle, name="close_cycle"),
    path("cycles/<slug:slug>/reopen/", views.reopen_cycle, name="reopen_cycle"),
    path("assessments/", views.queue, name="queue"),
    path("assessments/<int:pk>/", views.assessment_detail, name="assessment"),
    path("assessments/<int:pk>/publish/", views.publish, name="publish"),
    path("assessments/<int:pk>/request-changes/", views.request_changes, name="request_changes"),
]
