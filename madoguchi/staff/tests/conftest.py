"""The cases cast (alice at the core institution A, cora its coordinator, bob staff of B,
dora read-only at B, charlie staff of C), reused so the workspace is tested with the same people."""

from madoguchi.cases.tests.conftest import (  # noqa: F401  (fixtures)
    _fast_and_isolated,
    _japanese,
    _no_search_index_left_behind,
    alice,
    bob,
    case,
    charlie,
    cora,
    dora,
    org_a,
    org_b,
    org_c,
    referral,
    sendai,
    the_client,
)
