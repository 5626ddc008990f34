from django.urls import path

from casebase.submissions import views

app_name = "submissions"
urlpatterns = [
    path("", views.dashboard, name="dashboard"),
    path("new/", views.new_case, name="new"),
    path("<int:pk>/", views.detail, name="detail"),
    path("<int:pk>/edit/", views.edit_case, name="edit"),
    path("<int:pk>/preview/", views.preview, name="preview"),
    path("<int:pk>/submit/", views.submit, name="submit"),
    path("<int:pk>/withdraw/", views.withdraw, name="withdraw"),
    path("<int:pk>/discard/", views.discard, name="discard"),
    path("<int:pk>/reopen/", views.reopen, name="reopen"),
    path("<int:pk>/comment/", views.comment, name="comment"),
    path("cases/<slug:slug>/revise/", views.revise, name="revise"),
]
