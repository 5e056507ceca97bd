"""The local stack's kept sandbox state and its terminal lines (pure: no servers)."""

from __future__ import annotations

import json
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path

from zdlocal import persistence
from zdlocal.terminal import terse
from zdsandbox.config import SandboxConfig
from zdsandbox.engine import Sandbox


@contextmanager
def a_sandbox() -> Iterator[Sandbox]:
    sandbox = Sandbox(SandboxConfig())
    try:
        yield sandbox
    finally:
        sandbox.close()


def saved[T](folder: Path, arrange: Callable[[Sandbox], T]) -> T:
    """A sandbox arranged by ``arrange`` then saved in ``folder``: what ``arrange`` returned."""
    with a_sandbox() as before:
        arranged = arrange(before)
        persistence.save_sandbox(folder, before)
    return arranged


@contextmanager
def restored(folder: Path) -> Iterator[Sandbox]:
    """A new sandbox that restored the state saved in ``folder``."""
    with a_sandbox() as after:
        assert persistence.restore_sandbox(folder, after)
        yield after


def test_the_whole_sandbox_state_is_kept_even_parts_added_later(tmp_path: Path) -> None:
    def three_tickets_and_an_article(before: Sandbox) -> list[int]:
        account = before.create_account("beta")
        assert account is not None
        before.help_center = {"beta": ["an article"]}  # state another part adds: kept as well
        return [next(account.ticket_ids) for _ in range(3)]

    taken = saved(tmp_path, three_tickets_and_an_article)
    with restored(tmp_path) as after:
        kept = after.registry.get("beta")
        assert kept is not None
        assert next(kept.ticket_ids) == taken[-1] + 1  # ids go on, never reused
        assert after.help_center == {"beta": ["an article"]}
        with kept.lock:  # a working lock again
            assert kept.user_by_email("customer@example.com") is not None
        assert after.registry.get("acme") is not None


def test_state_saved_before_a_field_existed_gets_its_default(tmp_path: Path) -> None:
    def without_faults(before: Sandbox) -> None:
        account = before.registry.get("acme")
        assert account is not None
        del account.faults  # as if saved by a checkout whose Account had no ``faults`` yet

    saved(tmp_path, without_faults)
    with restored(tmp_path) as after:
        acme = after.registry.get("acme")
        assert acme is not None
        assert acme.faults == []


def test_an_unreadable_sandbox_state_starts_fresh(tmp_path: Path) -> None:
    (tmp_path / persistence.SANDBOX_FILE).write_bytes(b"not a pickle")
    with a_sandbox() as sandbox:
        assert not persistence.restore_sandbox(tmp_path, sandbox)
        assert sandbox.registry.get("acme") is not None


def line(**entry: object) -> str:
    return json.dumps({"time": "10:00:00", "level": "INFO"} | entry)


def test_the_terminal_shows_events_and_failures_not_reads_or_metrics() -> None:
    assert terse(line(message="api request", method="GET", path="/agents", status=200)) is None
    assert terse(line(message="api request", method="POST", path="/agents", status=201)) is None
    assert (
        terse(line(message="api request", method="PUT", path="/x", status=409))
        == "10:00:00  PUT /x answered 409"
    )
    assert terse(json.dumps({"_aws": {}, "Received": 1})) is None
    assert (
        terse(line(message="webhook_ignored", agent_id="agt_1", ticket_id=3, reason="duplicate"))
        == "10:00:00  webhook ignored  agent_id=agt_1 ticket_id=3 reason=duplicate"
    )
    assert terse(line(message="zendesk request", status=200)) is None
    assert terse(line(message="sqs batch", poller="Replies", received=0)) is None
    warned = terse(line(message="stop failed", level="WARNING", error="boom"))
    assert warned == "10:00:00  WARNING stop failed  error=boom"
    assert terse("Traceback (most recent call last):") == "Traceback (most recent call last):"
