from django.urls import path

from madoguchi.matching import views

app_name = "matching"

urlpatterns = [
    path("", views.listing_list, name="listings"),
    path("new/", views.listing_new, name="listing_new"),
    path("moderation/", views.moderation, name="moderation"),
    path("interests/", views.interests, name="interests"),
    path("interests/<uuid:interest_uuid>/delete/", views.interest_delete, name="interest_delete"),
    path("l/<uuid:listing_uuid>/", views.listing_detail, name="listing"),
    path("l/<uuid:listing_uuid>/edit/", views.listing_edit, name="listing_edit"),
    path("l/<uuid:listing_uuid>/renew/", views.listing_renew, name="listing_renew"),
    path("l/<uuid:listing_uuid>/moderate/", views.listing_moderate, name="listing_moderate"),
    path("l/<uuid:listing_uuid>/feedback/", views.listing_feedback, name="listing_feedback"),
    path("l/<uuid:listing_uuid>/introduce/", views.listing_introduce, name="listing_introduce"),
    path("i/<uuid:intro_uuid>/", views.introduction_detail, name="introduction"),
    path("i/<uuid:intro_uuid>/<slug:action>/", views.introduction_action, name="introduction_action"),
]
