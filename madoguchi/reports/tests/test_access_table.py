"""Reports: the shared cast (madoguchi/lib/tests/cast.py) × every report page and download.

Reports are aggregates over every institution's cases: the core institution's coordinators and
the prefecture's viewers read them; nobody else, and no platform role held outside the core
institution. A cell is
  yes / no         what the rule (reports.may_view_reports) answers
  200 403          the status of the page or download
  login            sent to the login page
"""

from __future__ import annotations

import pytest

from madoguchi.lib.tests.cast import ROLES, Cast, allowed, http_as, outcome, table_row

PAGES = ["/reports/", "/reports/kpi.csv", "/reports/kpi.xlsx", "/reports/coverage/", "/reports/coverage.csv",
         "/reports/coverage.xlsx"]
COLUMNS = ["read", "overview", "kpi_csv", "kpi_xlsx", "coverage", "coverage_csv", "coverage_xlsx"]

TABLE = {
    #                read overview kpi_csv kpi_xlsx coverage coverage_csv coverage_xlsx
    "client":        "no  403 403 403 403 403 403",
    "other_client":  "no  403 403 403 403 403 403",
    "staff":         "no  403 403 403 403 403 403",
    "readonly":      "no  403 403 403 403 403 403",
    "receiver":      "no  403 403 403 403 403 403",
    "coordinator":   "yes 200 200 200 200 200 200",
    "coord_noncore": "no  403 403 403 403 403 403",
    "admin_noncore": "no  403 403 403 403 403 403",
    "org_admin":     "no  403 403 403 403 403 403",
    "prefecture":    "yes 200 200 200 200 200 200",
    "outsider":      "no  403 403 403 403 403 403",
    "anonymous":     "no  login login login login login login",
}


def observe(cast: Cast, role: str) -> dict[str, str]:
    http = http_as(cast, role)
    row = {"read": allowed(cast, role, "reports.may_view_reports")}
    row.update({column: outcome(http.get(path)) for column, path in zip(COLUMNS[1:], PAGES, strict=True)})
    return row


@pytest.mark.parametrize("role", ROLES)
def test_reports_access_table(cast: Cast, role: str) -> None:
    assert observe(cast, role) == table_row(COLUMNS, TABLE[role])
