"""After-commit hooks: every commit is followed by a run, and overlapping commits share one."""

from __future__ import annotations

import threading

from infrastructure.eventstore.commit_hooks import CommitHooks


def test_commits_that_land_while_the_hooks_run_share_one_more_run_after_them():
    hooks, runs = CommitHooks(), []
    entered, release = threading.Event(), threading.Event()
    commits = 0

    def hook() -> None:
        runs.append(commits)
        if len(runs) == 1:
            entered.set()
            assert release.wait(timeout=10)

    hooks.append(hook)
    first = threading.Thread(target=hooks.committed)
    commits += 1
    first.start()
    assert entered.wait(timeout=10)
    for _ in range(10):
        commits += 1
        hooks.committed()  # returns at once: the running thread will run the hooks again
    assert runs == [1]
    release.set()
    first.join(timeout=10)
    assert runs == [1, 11]


def test_a_lone_commit_runs_every_hook_once_in_order():
    hooks, calls = CommitHooks(), []
    hooks += [lambda: calls.append("nudge"), lambda: calls.append("count")]
    hooks.committed()
    hooks.committed()
    assert calls == ["nudge", "count", "nudge", "count"]
