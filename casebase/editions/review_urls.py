"""Staff: drafting the next edition under /review/editions/."""

from django.urls import path

from casebase.editions import views

app_name = "editions"
urlpatterns = [
    path("", views.edition_list, name="list"),
    path("<slug:slug>/", views.draft, name="draft"),
    path("<slug:slug>/change/<slug:key>/", views.change, name="change"),
    path("<slug:slug>/split/<slug:key>/", views.split, name="split"),
    path("<slug:slug>/retire/<slug:key>/", views.retire, name="retire"),
    path("<slug:slug>/merge/", views.merge, name="merge"),
    path("<slug:slug>/add/", views.add, name="add"),
    path("<slug:slug>/publish/", views.publish, name="publish"),
    path("<slug:slug>/discard/", views.discard, name="discard"),
]
