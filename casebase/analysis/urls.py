from django.urls import path

from casebase.analysis import views

app_name = "analysis"
urlpatterns = [
    path("", views.index, name="index"),
    path("matrix/", views.matrix, name="matrix"),
    path("matrix.<str:ext>", views.matrix_download, name="matrix_download"),
    path("matrix/<slug:case_slug>/<slug:rec_key>/", views.application, name="application"),
    path("gaps/", views.gaps, name="gaps"),
    path("crosstabs/", views.crosstabs, name="crosstabs"),
    path("cooccurrence/", views.cooccurrence, name="cooccurrence"),
    path("compare/", views.compare, name="compare"),
    path("agreement/", views.agreement_view, name="agreement"),
    path("together/", views.together, name="together"),
    path("analyses/", views.analyses, name="analyses"),
    path("analyses/<slug:slug>/", views.analysis_detail, name="analysis"),
    path("charts/<slug:slug>.<str:ext>", views.chart_download, name="chart_download"),
    path("cite/cases/<slug:slug>.<str:ext>", views.cite_case, name="cite_case"),
    path("cite/analyses/<slug:slug>.<str:ext>", views.cite_analysis, name="cite_analysis"),
    path("cite/snapshot.<str:ext>", views.cite_snapshot, name="cite_snapshot"),
]
