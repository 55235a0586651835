from django.urls import path

from madoguchi.catalog import views

app_name = "catalog"

urlpatterns = [
    # The same address as directory:program, which get_absolute_url keeps reversing to.
    path("programs/<slug:slug>/", views.program_detail, name="program"),
]
