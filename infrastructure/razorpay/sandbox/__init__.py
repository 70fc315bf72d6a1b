"""A local Razorpay: its REST protocol, a Checkout simulator, and signed webhooks (development, tests).

`create_sandbox(key_id, key_secret, webhook_secret, webhook_url)` gives `(asgi_app, Sandbox)`; mount
the app anywhere (or serve it with `LoopbackServer`) and point `razorpay.Client(base_url=...)` at it.

Razorpay's API (basic auth with the key id and secret; errors `{"error": {"code", "description", ...}}`):
`POST /v1/orders`, `GET /v1/orders[?receipt=]`, `GET /v1/orders/{id}`, `GET /v1/orders/{id}/payments`,
`GET /v1/payments[?from=&to=&count=&skip=]`, `GET /v1/payments/{id}`, `POST /v1/payments/{id}/capture`,
`POST /v1/payments/{id}/refund` (`X-Refund-Idempotency`), `GET /v1/payments/{id}/refunds`,
`GET /v1/refunds/{id}`, `POST /v1/plans`, `GET /v1/plans`, `GET /v1/plans/{id}`, `POST /v1/subscriptions`,
`GET /v1/subscriptions/{id}`, `POST /v1/subscriptions/{id}/cancel`.

The simulator (no auth; delivery options `duplicates`, `shuffle`, `seed` on each):
`POST /sandbox/checkout/{order_id}`, `POST /sandbox/subscriptions/{id}/authenticate`,
`POST /sandbox/subscriptions/{id}/charge`, `GET /sandbox/subscriptions/{id}` (the `short_url`),
`POST` and `DELETE /sandbox/faults`, `GET /sandbox/deliveries`.
"""

from infrastructure.razorpay.sandbox.app import create_sandbox
from infrastructure.razorpay.sandbox.server import LoopbackServer
from infrastructure.razorpay.sandbox.state import Sandbox

__all__ = ["LoopbackServer", "Sandbox", "create_sandbox"]
