"""Schemathesis drives every operation with requests generated from the document (a few,
deterministic, per operation, and each documented request example) and checks that no answer
is a 500 and that every answer's status, content type, headers and body are the documented ones."""

from __future__ import annotations

import os
from collections import Counter
from collections.abc import Iterator
from typing import Any

import pytest
import schemathesis
from fastapi import FastAPI
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from schemathesis.core.failures import ServerError
from schemathesis.specs.openapi.checks import (
    content_type_conformance,
    response_headers_conformance,
    response_schema_conformance,
    status_code_conformance,
)

from domain.values import Role
from infrastructure.bootstrap import System
from tests.contract.test_openapi_document import OPERATION_IDS


def no_500(ctx: Any, response: Any, case: Any) -> None:
    """No request, however malformed, gets a 500 (a 503 with Retry-After is a documented answer)."""
    if response.status_code == 500:
        raise ServerError(operation=case.operation.label, status_code=500)


CHECKS = [no_500, status_code_conformance, content_type_conformance,
          response_headers_conformance, response_schema_conformance]


@pytest.fixture(scope="module")
def api_schema(app: FastAPI) -> Any:
    return schemathesis.openapi.from_asgi("/openapi.json", app)


@pytest.fixture(scope="module")
def tokens(contract_system: System) -> dict[Role, str]:
    assert contract_system.dev_tokens is not None
    return {role: contract_system.dev_tokens.issue(f"contract-{role.value}", role) for role in Role}


FUZZ_ROLES = (Role.CLIENT, Role.TRAINER, Role.ADMIN, Role.SUPERADMIN, Role.AUDITOR)
# generated cases per operation and role (besides each documented example): `make test` keeps the
# in-suite share small (about 1,900 cases); `make fuzz` raises it (GYMGENIUS_FUZZ_CASES) for a long run
CASES = int(os.environ.get("GYMGENIUS_FUZZ_CASES", "8"))
RUN: Counter[str] = Counter()


@pytest.fixture(scope="module", autouse=True)
def report_cases() -> Iterator[None]:
    yield
    if RUN:
        statuses = ", ".join(f"{s}: {n}" for s, n in sorted(RUN.items()) if s != "cases")
        print(f"\nschemathesis: {RUN['cases']} cases over {len(OPERATION_IDS)} operations and "
              f"{len(FUZZ_ROLES)} roles; answers by status: {statuses}")


@pytest.mark.parametrize("operation_id", sorted(OPERATION_IDS))
@pytest.mark.parametrize("role", FUZZ_ROLES, ids=lambda r: r.value)
def test_every_answer_fits_the_document_and_none_is_a_server_error(operation_id, role, api_schema, tokens):
    """As each role in turn, so requests reach every route's own checks (and its refusals)."""
    operation = api_schema.find_operation_by_id(operation_id)
    examples = api_schema.get_strategies_from_examples(operation)

    @settings(max_examples=CASES + len(examples), derandomize=True, deadline=None, database=None,
              suppress_health_check=list(HealthCheck))
    @given(case=st.one_of(*examples, operation.as_strategy()))
    def answers(case: Any) -> None:
        if case.query:  # waiting up to 5 s for a position far ahead is the e2e tests' business
            case.query.pop("min_position", None)
        response = case.call_and_validate(headers={"Authorization": f"Bearer {tokens[role]}"}, checks=CHECKS)
        RUN["cases"] += 1
        RUN[str(response.status_code)] += 1

    answers()
