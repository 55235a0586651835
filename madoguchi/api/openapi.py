"""The OpenAPI schema states every answer an operation can give, derived in one place.

Routers declare their 200/201 and the errors they raise on purpose; the errors that come from
the machinery around them are the same for every operation and are added here from what the
operation is, so no router can forget one:

- 422 `invalid_parameter` everywhere (ninja's validation; a repeated query parameter);
- 400 `bad_request` where there is a body (one that is not JSON);
- 401 where an authentication is required, and 403 where a session may be used for a write
  (CSRF) or the router refuses a user;
- 404 wherever a path parameter names a record;
- every error response uses the one schema, ErrorOut.

Registries loaded from data (municipalities, organizations, fields) are stated as enums of
the codes loaded now (registry_codes), since the server refuses any other with a 422.

Query parameters are never null on the wire: the `anyOf [..., null]` pydantic writes for an
optional parameter is reduced to its non-null branch, so clients and fuzzers see the real
constraint (enum, pattern).
"""

from __future__ import annotations

from typing import Any

ERROR_REF = "#/components/schemas/ErrorOut"
DESCRIPTIONS = {
    "400": "Bad request",
    "401": "Authentication required",
    "403": "Forbidden (or CSRF token missing for a session)",
    "404": "Not found",
    "422": "Invalid parameter",
}


def _error_response(status: str) -> dict[str, Any]:
    return {"description": DESCRIPTIONS[status], "content": {"application/json": {"schema": {"$ref": ERROR_REF}}}}


def _non_null(schema: dict[str, Any]) -> dict[str, Any]:
    branches = schema.get("anyOf")
    if not branches:
        return schema
    rest = [b for b in branches if b.get("type") != "null"]
    if len(rest) != 1:
        return schema
    out = {k: v for k, v in schema.items() if k != "anyOf"}
    out.update(rest[0])
    return out


def registry_codes() -> dict[str, list[str]]:
    """The codes of the registries loaded from data, as the server checks them now: the schema
    is built per request, so it states exactly what a filter or a body accepts (an unknown code
    is a 422, so a pattern alone would promise more than the server takes)."""
    from madoguchi.directory.models import Field, Municipality, Organization

    return {
        "municipality": sorted(Municipality.objects.values_list("code", flat=True)),
        "municipality_current": sorted(Municipality.objects.filter(valid_to__isnull=True).values_list("code", flat=True)),
        "organization": sorted(Organization.objects.values_list("slug", flat=True)),
        "field": sorted(Field.objects.values_list("code", flat=True)),
    }


# where an operation checks a parameter against a narrower list: search ranks by the current
# municipalities only (its gazetteer), the registry filters also take former ones
NARROWER = {("/api/search", "municipality"): "municipality_current"}


def _with_enum(schema: dict[str, Any], codes: list[str]) -> dict[str, Any]:
    if not codes:
        return schema
    out = {k: v for k, v in schema.items() if k not in ("pattern", "maxLength", "minLength")}
    out["enum"] = codes
    return out


def _body_codes(schema: dict[str, Any], codes: dict[str, list[str]]) -> None:
    body = schema.get("components", {}).get("schemas", {}).get("ListingIn", {}).get("properties", {})
    if "municipality" in body:
        body["municipality"] = _with_enum(_non_null(body["municipality"]), codes["municipality"])
        if codes["municipality"]:
            body["municipality"] = {"anyOf": [body["municipality"], {"type": "null"}], "default": None}
    if "fields" in body and isinstance(body["fields"].get("items"), dict):
        body["fields"]["items"] = _with_enum(body["fields"]["items"], codes["field"])


def _consultation_rules(schema: dict[str, Any], codes: dict[str, list[str]]) -> None:
    """POST /api/consultations validates with the intake form (cases/forms.py IntakeForm) so the
    API and the page give the same Japanese messages; its body model accepts anything, so the
    form's rules are stated here: required fields, choices, lengths, the registries."""
    body = schema.get("components", {}).get("schemas", {}).get("ConsultationIn")
    if not body:
        return
    from madoguchi.cases.models import Case, Client
    from madoguchi.directory.models import SupportFunction
    from madoguchi.search.facets import DEFAULT_STAGE_LABELS

    props = body["properties"]
    text = {"type": "string", "pattern": r"\S"}  # the form strips: blank is missing
    props["kind"] = {"type": "string", "enum": list(Client.Kind.values)}
    props["name"] = {**text, "minLength": 1, "maxLength": 200}
    props["corporate_number"] = {"type": "string", "pattern": r"^([0-9]{13})?$", "default": "",
                                 "description": "法人番号（13桁、チェックディジットを確かめる）。個人では空"}
    props["contact_name"] = {"type": "string", "maxLength": 100, "default": ""}
    props["email"] = {"anyOf": [{"type": "string", "maxLength": 0}, {"type": "string", "format": "email", "maxLength": 254}],
                      "default": ""}
    props["phone"] = {"type": "string", "maxLength": 20, "default": ""}
    props["municipality"] = {"type": "string", "enum": codes["municipality_current"]} if codes["municipality_current"] else (
        {"type": "string", "pattern": r"^[0-9]{5,6}$"})
    props["stage"] = {"type": "string", "enum": ["", *DEFAULT_STAGE_LABELS], "default": ""}
    props["functions"] = {"type": "array", "items": {"type": "string", "enum": list(SupportFunction.Code.values)},
                          "default": []}
    props["need"] = {**text, "minLength": 1, "maxLength": 4000}
    props["consent"] = {"type": "string", "enum": list(Case.Consent.values)}
    orgs = {"type": "string", "enum": codes["organization"]} if codes["organization"] else {"type": "string"}
    props["named_organizations"] = {"type": "array", "items": orgs, "default": []}  # duplicates are merged
    body["required"] = ["kind", "name", "municipality", "need", "consent"]


def complete_error_responses(schema: dict[str, Any]) -> dict[str, Any]:
    codes = registry_codes()
    _body_codes(schema, codes)
    _consultation_rules(schema, codes)
    methods = ("get", "post", "put", "patch", "delete")
    has_error_schema = "ErrorOut" in schema.get("components", {}).get("schemas", {})
    for path, item in schema.get("paths", {}).items():
        for method, operation in item.items():
            if method not in methods:
                continue
            responses = operation.setdefault("responses", {})
            parameters = operation.get("parameters", [])
            for parameter in parameters:
                if parameter.get("in") == "query" and "schema" in parameter:
                    parameter["schema"] = _non_null(parameter["schema"])
                    name = NARROWER.get((path, parameter["name"]), parameter["name"])
                    if name in codes:
                        parameter["schema"] = _with_enum(parameter["schema"], codes[name])
            needed = {"422"}  # every operation refuses a repeated query parameter; most validate more
            if "requestBody" in operation:
                needed.add("400")  # a body that is not JSON at all
            if operation.get("security"):
                needed |= {"401", "403"}
            if any(p.get("in") == "path" for p in parameters):
                needed.add("404")
            for status in sorted(needed):
                if status not in responses and has_error_schema:
                    responses[status] = _error_response(status)
    return schema
