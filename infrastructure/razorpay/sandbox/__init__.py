"""A local Razorpay: its REST protocol, a Checkout simulator, and signed webhooks (development, tests)."""

from infrastructure.razorpay.sandbox.app import Sandbox, create_sandbox
from infrastructure.razorpay.sandbox.server import LoopbackServer

__all__ = ["LoopbackServer", "Sandbox", "create_sandbox"]
