from django.urls import path

from casebase.api.feeds import LatestCasesFeed

urlpatterns = [path("cases/", LatestCasesFeed(), name="feed_cases")]
