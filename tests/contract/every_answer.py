"""A pytest plugin: every answer a test gets through the `api` client must fit the OpenAPI
document (documented status, content type, headers and schema), so the whole e2e suite checks
the contract as it goes."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import httpx
import pytest
from fastapi import FastAPI

from tests.contract.conformance import mismatches


def fastapi_of(app: Any) -> FastAPI:
    return app if isinstance(app, FastAPI) else fastapi_of(app.other_asgi_app)


@pytest.fixture(autouse=True)
def every_answer_fits_the_contract(request: pytest.FixtureRequest) -> Iterator[None]:
    if "api" not in request.fixturenames:
        yield
        return
    api = request.getfixturevalue("api")
    app = fastapi_of(api.app)
    document, found = app.openapi(), []

    def check(answer: httpx.Response) -> None:
        answer.read()
        found.extend(mismatches(document, answer))

    api.event_hooks["response"].append(check)
    yield
    api.event_hooks["response"].remove(check)
    assert not found, "answers that do not fit the OpenAPI document:\n" + "\n".join(found)
