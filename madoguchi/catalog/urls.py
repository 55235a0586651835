from django.urls import path

from madoguchi.catalog import alert_views, views

app_name = "catalog"

urlpatterns = [
    # The same address as directory:program, which get_absolute_url keeps reversing to.
    path("programs/", views.program_list, name="programs"),
    path("programs/<slug:slug>/", views.program_detail, name="program"),
    # directory's institution page, with the institution's open calls listed first.
    path("organizations/<slug:slug>/", views.organization_detail, name="organization"),
    path("programs/<slug:slug>/star/", alert_views.star, name="star"),
    # 「内容に変更なし」 from the stale reminder (signed token; see freshness.py).
    path("programs/verify/<str:token>/", alert_views.verify, name="verify"),
    path("alerts/", alert_views.alert_list, name="alerts"),
    path("alerts/save/", alert_views.alert_subscribe, name="alert_subscribe"),
    path("alerts/confirm/<str:token>/", alert_views.alert_confirm, name="alert_confirm"),
    path("alerts/feed/<str:token>.atom", alert_views.alert_feed, name="alert_feed"),
    path("alerts/<uuid:uuid>/frequency/", alert_views.alert_update, name="alert_update"),
    path("alerts/<uuid:uuid>/delete/", alert_views.alert_delete, name="alert_delete"),
    path("stars/<uuid:uuid>/delete/", alert_views.star_delete, name="star_delete"),
]
