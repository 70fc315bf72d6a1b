"""The app whose contract is checked: the combined app (every route), in the embedded profile."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest
from fastapi import FastAPI

from infrastructure.bootstrap import System, bootstrap, init_storage
from infrastructure.settings import Settings
from interfaces.http.app import create_app


@pytest.fixture(scope="module")
def contract_system(tmp_path_factory: pytest.TempPathFactory) -> Iterator[System]:
    settings = Settings(  # type: ignore[call-arg]
        GYMGENIUS_DATA_DIR=tmp_path_factory.mktemp("contract") / "var",
        GYMGENIUS_RATE_LIMIT_GENERAL="1000000/minute", GYMGENIUS_RATE_LIMIT_ANONYMOUS="1000000/minute",
    )  # the fuzzer's callers are few and busy: its answers should be the routes', not 429s
    init_storage(settings)
    system = bootstrap(settings)
    yield system
    system.close()


@pytest.fixture(scope="module")
def app(contract_system: System) -> FastAPI:
    return create_app(contract_system)


@pytest.fixture(scope="module")
def document(app: FastAPI) -> dict[str, Any]:
    """The document as served at /openapi.json."""
    return app.openapi()
