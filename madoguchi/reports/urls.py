from django.urls import path, re_path

from madoguchi.reports import views

app_name = "reports"

urlpatterns = [
    path("", views.overview, name="overview"),
    re_path(r"^kpi\.(?P<fmt>csv|xlsx)$", views.overview, name="overview_download"),
    path("coverage/", views.coverage, name="coverage"),
    re_path(r"^coverage\.(?P<fmt>csv|xlsx)$", views.coverage, name="coverage_download"),
]
