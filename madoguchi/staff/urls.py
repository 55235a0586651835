from django.urls import path

from madoguchi.staff import views

app_name = "staff"

urlpatterns = [
    path("", views.home, name="home"),
    path("programs/new/", views.program_new, name="program_new"),
    path("programs/<slug:slug>/edit/", views.program_edit, name="program_edit"),
    path("programs/<slug:slug>/retire/", views.program_retire, name="program_retire"),
    path("facilities/new/", views.facility_new, name="facility_new"),
    path("facilities/<slug:slug>/edit/", views.facility_edit, name="facility_edit"),
    path("facilities/<slug:slug>/retire/", views.facility_retire, name="facility_retire"),
    path("events/new/", views.event_new, name="event_new"),
    path("events/<slug:slug>/edit/", views.event_edit, name="event_edit"),
    path("events/<slug:slug>/cancel/", views.event_cancel, name="event_cancel"),
    path("listings/<uuid:listing_uuid>/retire/", views.listing_retire, name="listing_retire"),
]
