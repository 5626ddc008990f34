from django.urls import path

from casebase.submissions import review_views as views

app_name = "review"
urlpatterns = [
    path("", views.queue, name="queue"),
    path("<int:pk>/", views.detail, name="detail"),
    path("<int:pk>/edit/", views.edit, name="edit"),
    path("<int:pk>/preview/", views.preview, name="preview"),
    path("<int:pk>/claim/", views.claim, name="claim"),
    path("<int:pk>/assign/", views.assign, name="assign"),
    path("<int:pk>/comment/", views.comment, name="comment"),
    path("<int:pk>/request-changes/", views.request_changes, name="request_changes"),
    path("<int:pk>/approve/", views.approve, name="approve"),
    path("<int:pk>/publish/", views.publish, name="publish"),
    path("<int:pk>/reject/", views.reject, name="reject"),
    path("<int:pk>/submit/", views.submit_for_supporter, name="submit"),
    path("<int:pk>/reopen/", views.reopen, name="reopen"),
    path("<int:pk>/start-revision/", views.start_revision, name="start_revision"),
    path("<int:pk>/history/", views.history, name="history"),
    path("<int:pk>/history/<int:history_id>/restore/", views.restore, name="restore"),
]
