"""Benchmarks of GymGenius Core's write path against a bare FastAPI baseline (`python -m ops.bench`)."""
