"""Fixtures over the loopback Firebase (`tests.firebase_fake`): the fake itself, a firebase-admin
connection to it, and a system in either profile that verifies its tokens (development tokens off)."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from infrastructure.bootstrap import System, bootstrap, init_storage
from infrastructure.firebase import FirebaseAuth
from tests.firebase_fake import FirebaseFake, firebase_settings, running_firebase


@pytest.fixture(scope="module")
def fake() -> Iterator[FirebaseFake]:
    """One loopback Firebase per test module (a module that counts calls overrides it per test)."""
    with running_firebase() as firebase:
        yield firebase


@pytest.fixture
def firebase(fake: FirebaseFake, tmp_path: Path) -> Iterator[FirebaseAuth]:
    connection = FirebaseAuth(fake.project, f"{fake.url}/certs", fake.url, fake.service_account(tmp_path))
    yield connection
    connection.close()


@pytest.fixture(params=["embedded", "server"])
def firebase_system(request: pytest.FixtureRequest, fake: FirebaseFake, tmp_path: Path,
                    pg_schema: str) -> Iterator[System]:
    settings = firebase_settings(request.param, fake, tmp_path, pg_schema)
    init_storage(settings)
    system = bootstrap(settings)
    yield system
    system.close()
