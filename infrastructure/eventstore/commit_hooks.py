"""What runs after events commit (nudges to the projection workers), coalesced under load."""

from __future__ import annotations

import threading
from collections.abc import Callable


class CommitHooks(list[Callable[[], None]]):
    """Hooks run after a commit; commits that land while they run share one more run.

    A hook only says "there is something new", so one run after many commits does for all of
    them. Every commit is followed by a run that starts after it: the thread running the hooks
    runs them again when another commit flagged itself meanwhile.
    """

    def __init__(self) -> None:
        super().__init__()
        self._running = threading.Lock()
        self._due = False

    def committed(self) -> None:
        self._due = True
        while self._due and self._running.acquire(blocking=False):
            try:
                while self._due:
                    self._due = False
                    for hook in self:
                        hook()
            finally:
                self._running.release()
