"""The API keeps its OpenAPI contract: schemathesis's default checks over every operation.

In process (WSGI), on the test database with a little reference data. Each operation is run
with valid and with invalid data (schemathesis's positive and negative modes), as a token
holder (so operations behind authentication get past 401; the `ignored_auth` check still
tries them without the token), and once more with path parameters naming records that exist
(so reads of one record get past 404). Every check schemathesis runs by default applies: no
5xx, every status and content type documented, bodies valid against their schemas, invalid
input refused and valid input accepted. A bounded number of examples keeps the run short.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest
import schemathesis
from django.contrib.auth.models import User
from django.core.signals import request_finished, request_started
from django.db import close_old_connections
from hypothesis import HealthCheck, given, settings
from hypothesis.errors import Unsatisfiable
from schemathesis import GenerationMode
from schemathesis.config import SchemathesisConfig
from schemathesis.core.result import Ok

from madoguchi.directory.models import BusinessStage, Field, Membership, Municipality, Organization, SupportFunction
from madoguchi.matching.models import Kind, Listing
from madoguchi.platform.models import ApiToken

EXAMPLES = 15  # per operation and variant

# Rules JSON Schema cannot state, each checked by the server with a specific 422 message; for
# these operations only, a schema-valid request may also be refused with 422 (every other check,
# and every other status, still applies).
SEMANTIC_422 = {
    "POST /api/consultations": "法人番号のチェックディジット、個人に法人番号なし、指定機関への同意には機関が必要（IntakeForm）",
    "POST /api/matching/listings": "特許には特許番号、金額の下限は上限以下（Listing.clean）",
    "POST /api/matching/listings/{listing_uuid}/introductions": "候補は組み合わせられる種別の掲載であること",
}
CONFIG = "".join(
    f'[[operations]]\ninclude-name = "{label}"\n'
    'checks.positive_data_acceptance.expected-statuses = ["2xx", "3xx", "401", "403", "404", "409", "422"]\n\n'
    for label in SEMANTIC_422)


@pytest.fixture
def records(functions: dict[str, SupportFunction], aoba: Municipality) -> dict[str, Any]:
    Field.objects.create(code="it", name="IT", order=1)
    for i, code in enumerate(["pre_startup", "startup", "growth", "mature", "new_field"]):
        BusinessStage.objects.create(code=code, name=code, order=i)
    core = Organization.objects.create(slug="core", name="(財)みやぎ産業振興機構", kind=Organization.Kind.CORE)
    staff = User.objects.create_user("staff", "staff@example.jp")
    Membership.objects.create(user=staff, organization=core, role=Membership.Role.STAFF)
    _token, raw = ApiToken.objects.issue(user=staff, name="contract")
    listing = Listing.objects.create(kind=Kind.SEED, title="防曇コーティング", owner_organization=core,
                                     status=Listing.Status.PUBLISHED)
    return {"token": raw, "paths": {
        "/api/organizations/{id}": {"id": core.slug},
        "/api/matching/listings/{listing_uuid}": {"listing_uuid": str(listing.uuid)},
        "/api/matching/listings/{listing_uuid}/suggestions": {"listing_uuid": str(listing.uuid)},
    }}


def _run(operation: Any, mode: GenerationMode, headers: dict[str, str], path: dict[str, str] | None) -> None:
    kwargs = {"path_parameters": path} if path else {}

    @given(case=operation.as_strategy(generation_mode=mode, **kwargs))
    @settings(max_examples=EXAMPLES, deadline=None, database=None, suppress_health_check=list(HealthCheck))
    def check(case: Any) -> None:
        case.call_and_validate(headers=headers)

    check()


@pytest.fixture
def connection_kept() -> Iterator[None]:
    """Requests go through the real WSGI handler, whose request signals close the database
    connection, and with it the test's transaction on PostgreSQL; Django's test client
    disconnects them the same way."""
    request_started.disconnect(close_old_connections)
    request_finished.disconnect(close_old_connections)
    try:
        yield
    finally:
        request_started.connect(close_old_connections)
        request_finished.connect(close_old_connections)


def test_every_operation_keeps_the_contract(records: dict[str, Any], connection_kept: None) -> None:
    from madoguchi.wsgi import application

    schema = schemathesis.openapi.from_wsgi("/api/openapi.json", application, config=SchemathesisConfig.from_str(CONFIG))
    operations = []
    for result in schema.get_all_operations():
        assert isinstance(result, Ok), result.err()
        operations.append(result.ok())
    assert len(operations) > 20
    headers = {"Authorization": f"Bearer {records['token']}"}
    failures = []
    for operation in operations:
        variants = [(GenerationMode.POSITIVE, None), (GenerationMode.NEGATIVE, None)]
        if operation.path in records["paths"]:
            variants.append((GenerationMode.POSITIVE, records["paths"][operation.path]))
        for mode, path in variants:
            try:
                _run(operation, mode, headers, path)
            except Unsatisfiable:
                continue  # nothing to make invalid (no parameters, or only enums fully covered)
            except (Exception, BaseExceptionGroup) as exc:  # collected: one run shows every failing operation
                failures.append(f"{operation.label} [{mode}{', known path' if path else ''}]: {exc}")
    assert not failures, "\n\n".join(failures[:5]) + f"\n\n{len(failures)} failing"
