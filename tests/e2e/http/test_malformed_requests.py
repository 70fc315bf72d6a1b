"""No request, however malformed, gets a 500: random bodies, headers and ids on every route."""

from __future__ import annotations

import json
import uuid
from collections.abc import Iterator
from pathlib import Path

import pytest
from fastapi.testclient import TestClient
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from infrastructure.bootstrap import System, bootstrap, init_storage
from infrastructure.settings import Settings
from interfaces.http.app import create_app

JSON = st.recursive(
    st.none() | st.booleans() | st.integers(-(2**70), 2**70) | st.floats() | st.text(max_size=30),
    lambda inner: st.lists(inner, max_size=4) | st.dictionaries(st.text(max_size=12), inner, max_size=5),
    max_leaves=12,
)
HEADER = st.text(st.characters(min_codepoint=32, max_codepoint=126), max_size=40)
ROLES = ["client", "trainer", "nutritionist", "admin", "superadmin", "auditor"]


@pytest.fixture(scope="module")
def fuzzed(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[TestClient, System, dict]]:
    data_dir: Path = tmp_path_factory.mktemp("fuzz") / "var"
    settings_ = Settings(GYMGENIUS_DATA_DIR=data_dir)  # type: ignore[call-arg]
    init_storage(settings_)
    system = bootstrap(settings_)
    with TestClient(create_app(system)) as client:
        tokens = {role: client.post("/v1/dev/tokens", json={"uid": f"fuzz-{role}", "role": role})
                  .json()["token"] for role in ROLES}
        yield client, system, tokens
    system.close()


def routes(client: TestClient) -> list[tuple[str, str]]:
    spec = client.get("/openapi.json").json()
    return sorted((method.upper(), path) for path, item in spec["paths"].items()
                  for method in item if path.startswith("/v1/"))


def fill(path: str, ident: str) -> str:
    return "/".join(ident if part.startswith("{") else part for part in path.split("/"))


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(data=st.data())
def test_no_malformed_request_is_ever_a_500(fuzzed, data):
    client, _, tokens = fuzzed
    method, path = data.draw(st.sampled_from(routes(client)))
    ident = data.draw(st.sampled_from([str(uuid.uuid4()), "x", "%00", "1" * 300, "null"]) | HEADER)
    headers = {"Authorization": "Bearer " + tokens[data.draw(st.sampled_from(ROLES))]}
    for name in ("If-Match", "Idempotency-Key"):
        if data.draw(st.booleans()):
            headers[name] = data.draw(HEADER)
    body = data.draw(st.one_of(JSON.map(lambda v: json.dumps(v).encode()), st.binary(max_size=60)))
    params = data.draw(st.dictionaries(st.sampled_from(
        ["limit", "cursor", "min_position", "status", "kind", "client_id", "as_of"]), HEADER, max_size=3))
    answer = client.request(method, fill(path, ident.replace("/", "_") or "x"), content=body,
                            headers={**headers, "content-type": "application/json"}, params=params)
    assert answer.status_code < 500 or answer.status_code == 503, (method, path, answer.text)
    if answer.status_code >= 400:
        assert answer.headers["content-type"] == "application/problem+json", answer.text
