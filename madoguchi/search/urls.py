from django.urls import path

from madoguchi.search import views

app_name = "search"

urlpatterns = [
    path("", views.search_page, name="search"),
    path("diagnosis/", views.diagnosis, name="diagnosis"),
    path("saved/", views.saved_list, name="saved"),
    path("saved/add/", views.save_result, name="save"),
]
