"""Waiting for something that happens asynchronously: always with a deadline, never a bare sleep."""

from __future__ import annotations

import time
from collections.abc import Callable


def wait_until[T](
    what: str, probe: Callable[[], T | None], seconds: float = 30, interval: float = 0.05
) -> T:
    """Call ``probe`` until it returns something truthy; fail naming ``what`` at the deadline."""
    deadline = time.monotonic() + seconds
    while True:
        found = probe()
        if found:
            return found
        if time.monotonic() >= deadline:
            raise AssertionError(f"{what}: not within {seconds}s")
        time.sleep(interval)
