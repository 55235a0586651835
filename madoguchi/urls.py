from django.contrib import admin
from django.urls import include, path, re_path

from madoguchi.api.api import api
from madoguchi.api.views import api_not_found
from madoguchi.lib.unsubscribe import unsubscribe

admin.site.site_header = "madoguchi 管理"
admin.site.site_title = "madoguchi 管理"
admin.site.index_title = "登録簿の管理"

urlpatterns = [
    # Probes for the load balancer (issue 12): /healthz and /readyz.
    path("", include("madoguchi.ops.urls")),
    path("admin/", admin.site.urls),
    path("api/", api.urls),
    # After the routers: an unknown API path gets the API's JSON error shape, not an HTML page.
    re_path(r"^api/(?P<rest>.*)$", api_not_found),
    path("i18n/", include("django.conf.urls.i18n")),
    path("search/", include("madoguchi.search.urls")),
    path("cases/", include("madoguchi.cases.urls")),
    path("accounts/", include("madoguchi.platform.accounts_urls")),
    path("matching/", include("madoguchi.matching.urls")),
    path("events/", include("madoguchi.events.urls")),
    path("reports/", include("madoguchi.reports.urls")),
    path("staff/", include("madoguchi.staff.urls")),
    # RFC 8058 one-click unsubscribe for every bulk mail (signed link, the one CSRF-exempt view).
    path("unsubscribe/<str:token>/", unsubscribe, name="unsubscribe"),
    # Before directory's: the program page with today's facts (catalog extends directory's page).
    path("", include("madoguchi.catalog.urls")),
    path("", include("madoguchi.directory.urls")),
]
