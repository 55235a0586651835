from django.urls import path

from madoguchi.directory import views

app_name = "directory"

urlpatterns = [
    path("", views.home, name="home"),
    path("organizations/", views.organization_list, name="organizations"),
    path("organizations/<slug:slug>/", views.organization_detail, name="organization"),
    path("programs/", views.program_list, name="programs"),
    path("programs/<slug:slug>/", views.program_detail, name="program"),
    path("functions/", views.function_matrix, name="functions"),
    path("facilities/", views.facility_list, name="facilities"),
    path("areas/<slug:slug>/", views.area_detail, name="area"),
]
