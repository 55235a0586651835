from __future__ import annotations

from django.test import Client


def test_openapi_lists_the_registry_endpoints(client: Client, db: None) -> None:
    response = client.get("/api/openapi.json")

    assert response.status_code == 200
    paths = response.json()["paths"]
    assert {"/api/organizations", "/api/organizations/{id}", "/api/programs", "/api/functions"} <= set(paths)


def test_docs_page_loads_swagger_from_our_own_static_files(client: Client, db: None) -> None:
    response = client.get("/api/docs")

    assert response.status_code == 200
    html = response.content.decode()
    # The CSP allows scripts from 'self' only: a CDN URL here would leave the page blank.
    assert "/static/ninja/swagger-ui-bundle.js" in html
    assert "cdn." not in html and "unpkg" not in html
