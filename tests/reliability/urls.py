"""The site's URLs plus one view that fails, for the 500-page tests."""

from django.urls import path

from casebase.urls import handler404, handler500, urlpatterns  # noqa: F401


def boom(request):
    raise RuntimeError("a bug in a view")


urlpatterns = [path("boom/", boom), *urlpatterns]
