from django.contrib import admin
from django.urls import include, path

from madoguchi.api.api import api

admin.site.site_header = "madoguchi 管理"
admin.site.site_title = "madoguchi 管理"
admin.site.index_title = "登録簿の管理"

urlpatterns = [
    path("admin/", admin.site.urls),
    path("api/", api.urls),
    path("i18n/", include("django.conf.urls.i18n")),
    path("search/", include("madoguchi.search.urls")),
    path("cases/", include("madoguchi.cases.urls")),
    path("accounts/", include("madoguchi.cases.accounts_urls")),
    path("matching/", include("madoguchi.matching.urls")),
    path("events/", include("madoguchi.events.urls")),
    path("reports/", include("madoguchi.reports.urls")),
    path("", include("madoguchi.directory.urls")),
]
