from django.urls import path

from madoguchi.catalog import views

app_name = "catalog"

urlpatterns = [
    # The same address as directory:program, which get_absolute_url keeps reversing to.
    path("programs/", views.program_list, name="programs"),
    path("programs/<slug:slug>/", views.program_detail, name="program"),
    # directory's institution page, with the institution's open calls listed first.
    path("organizations/<slug:slug>/", views.organization_detail, name="organization"),
]
