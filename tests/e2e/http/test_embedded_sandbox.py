"""`make run`: the embedded profile serves the Razorpay sandbox itself, unless a gateway is given."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import httpx
from fastapi.testclient import TestClient

from infrastructure.bootstrap import bootstrap, init_storage
from infrastructure.razorpay.sandbox import LoopbackServer
from infrastructure.settings import Settings
from interfaces.http.app import create_app, create_asgi
from tests.support import server_settings, wait_until


class Late:
    """An ASGI app given after its server's port is known (the system needs its own address)."""

    app: Any = None

    async def __call__(self, scope: Any, receive: Any, send: Any) -> None:
        await self.app(scope, receive, send)


def test_a_client_pays_with_http_alone_against_the_embedded_server(tmp_path: Path) -> None:
    late = Late()
    with LoopbackServer(late) as server:
        port = int(server.url.rsplit(":", 1)[1])
        settings = Settings(GYMGENIUS_DATA_DIR=tmp_path / "var", PORT=port)  # type: ignore[call-arg]
        init_storage(settings)
        system = bootstrap(settings)
        late.app = create_asgi(system)
        system.start_embedded_worker()
        try:
            with httpx.Client(base_url=server.url, timeout=10) as http:
                pay_by_upi_and_see_it_captured(http)
        finally:
            system.close()


def pay_by_upi_and_see_it_captured(http: httpx.Client) -> None:
    token = http.post("/v1/dev/tokens", json={"uid": "alice", "role": "client"}).json()["token"]
    auth = {"Authorization": f"Bearer {token}"}
    sub = http.post("/v1/commands/subscriptions", json={"tier": "basic_monthly"}, headers=auth).json()["id"]
    body = {"purpose": "subscription", "reference_id": sub, "method": "upi", "upi_app": "phonepe"}
    paying = http.post("/v1/commands/payments", json=body, headers=auth)
    assert paying.status_code == 201, paying.text
    order = paying.json()["order"]["gateway_order_id"]
    checkout = http.post(f"/sandbox/razorpay/sandbox/checkout/{order}", json={"upi_app": "phonepe"})
    assert checkout.status_code == 200, checkout.text

    def captured() -> bool:  # by the sandbox's own webhooks, delivered to this server
        row = http.get(f"/v1/queries/payments/{paying.json()['id']}", headers=auth)
        return row.status_code == 200 and row.json()["status"] == "captured"

    wait_until(captured, 10, "the webhooks to capture the payment")
    deliveries = http.get("/sandbox/razorpay/sandbox/deliveries").json()["items"]
    assert {d["status"] for d in deliveries} == {200}


def test_a_configured_gateway_or_the_server_profile_mounts_no_sandbox(tmp_path: Path, pg_schema: str) -> None:
    given = Settings(GYMGENIUS_DATA_DIR=tmp_path / "var",  # type: ignore[call-arg]
                     RAZORPAY_BASE_URL="http://127.0.0.1:9")
    for settings in (given, server_settings(pg_schema)):
        init_storage(settings)
        system = bootstrap(settings)
        try:
            assert system.sandbox is None
            with TestClient(create_app(system)) as client:
                assert client.get("/sandbox/razorpay/sandbox/deliveries").status_code == 404
        finally:
            system.close()


