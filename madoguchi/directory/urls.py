from django.urls import path

from madoguchi.directory import views

app_name = "directory"

urlpatterns = [
    path("", views.home, name="home"),
]
