"""Benchmarks of GymGenius Core against bare baselines measured in the same run (`python -m ops.bench`):
the write path (`--suite write`) and the read side (`--suite read`, see readside.py); `make bench`
runs both."""
