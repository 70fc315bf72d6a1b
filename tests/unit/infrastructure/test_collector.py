"""The serving processes' garbage collector: start-up frozen, the youngest generation collected
in larger steps (infrastructure/collector.py), set by `GYMGENIUS_GC_THRESHOLDS`. Each check runs
in a fresh interpreter, since the collector is the process's own."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest
from pydantic import ValidationError

from infrastructure.settings import Settings

ROOT = Path(__file__).resolve().parents[3]


def _run(code: str, tmp_path: Path, **env: str) -> dict:
    env = {**os.environ, "GYMGENIUS_PROFILE": "embedded", "GYMGENIUS_DATA_DIR": str(tmp_path),
           "GYMGENIUS_LOG_JSON": "false", **env}
    done = subprocess.run([sys.executable, "-c", code], cwd=ROOT, capture_output=True, text=True, timeout=120,
                          env=env, check=False)
    assert done.returncode == 0, done.stderr[-3000:]
    return json.loads(done.stdout.strip().splitlines()[-1])


def test_the_thresholds_default_to_large_young_steps_and_are_read_as_three_numbers() -> None:
    assert Settings().gc_thresholds == (50_000, 20, 10)  # type: ignore[call-arg]
    assert Settings(GYMGENIUS_GC_THRESHOLDS="700,10,10").gc_thresholds == (700, 10, 10)  # type: ignore[call-arg]


@pytest.mark.parametrize("wrong", ["0,10,10", "700,10", "700,10,10,10", "a,b,c", "700;10;10", "-1,2,3", ""])
def test_thresholds_that_are_not_three_positive_integers_are_refused_at_start(wrong: str) -> None:
    with pytest.raises(ValidationError, match="GYMGENIUS_GC_THRESHOLDS"):
        Settings(GYMGENIUS_GC_THRESHOLDS=wrong)  # type: ignore[call-arg]


def test_a_tuned_process_freezes_what_it_started_with_and_still_collects_cycles(tmp_path: Path) -> None:
    code = """
import gc, json, weakref
from infrastructure.collector import tune_collector
from infrastructure.settings import Settings
before = gc.get_threshold()
tune_collector(Settings())
class Node: pass
freed = []
def cycle():
    a, b = Node(), Node()
    a.other, b.other = b, a
    weakref.finalize(a, freed.append, 1)
for _ in range(100):
    cycle()
junk = [[n] for n in range(20_000)]  # allocations: the young generation is collected on its own
del junk
print(json.dumps({"before": before, "after": gc.get_threshold(), "frozen": gc.get_freeze_count(),
                  "freed": len(freed)}))
"""
    found = _run(code, tmp_path, GYMGENIUS_GC_THRESHOLDS="5000,5,5")
    assert found["before"] == [700, 10, 10]
    assert found["after"] == [5000, 5, 5]
    assert found["frozen"] > 10_000  # the modules, classes and functions imported to start
    assert found["freed"] >= 90  # cycles made after the freeze are garbage collected, without gc.collect()


def test_the_api_factory_tunes_its_process_once_the_app_is_built(tmp_path: Path) -> None:
    code = """
import gc, json
from interfaces.asgi import create
create()
print(json.dumps({"after": gc.get_threshold(), "frozen": gc.get_freeze_count()}))
"""
    found = _run(code, tmp_path)
    assert found["after"] == [50_000, 20, 10]
    assert found["frozen"] > 50_000  # the app, its routes and models, the libraries
