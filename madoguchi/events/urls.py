from django.urls import path

from madoguchi.events import views

app_name = "events"

urlpatterns = [
    path("", views.event_list, name="list"),
    path("feed.ics", views.feed_ics, name="feed_ics"),
    path("feed.atom", views.feed_atom, name="feed_atom"),
    path("subscribe/", views.subscribe, name="subscribe"),
    path("subscriptions/<uuid:uuid>/", views.subscription_detail, name="subscription"),
    path("subscriptions/<uuid:uuid>/confirm/", views.subscription_confirm, name="subscription_confirm"),
    path("subscriptions/<uuid:uuid>/unsubscribe/", views.subscription_unsubscribe, name="unsubscribe"),
    path("registrations/<uuid:uuid>/", views.registration_detail, name="registration"),
    path("registrations/<uuid:uuid>/cancel/", views.registration_cancel, name="cancel"),
    path("<slug:slug>/", views.event_detail, name="detail"),
    path("<slug:slug>/register/", views.event_register, name="register"),
    path("<slug:slug>/event.ics", views.event_ics, name="event_ics"),
]
