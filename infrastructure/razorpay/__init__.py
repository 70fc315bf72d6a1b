"""Razorpay: the gateway adapter (`gateway.py`) and a local sandbox speaking Razorpay's protocol."""
