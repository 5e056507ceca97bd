"""The step-chain mechanism shared by the import and the Help Center sync (services/step_chain.py):
turn order, 429/5xx back-off, refusals and the last delivery before the DLQ, with the words each
chain's users read."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import TYPE_CHECKING, cast

import pytest

from zdagent.core.errors import (
    TokenUnavailableError,
    ZendeskClientError,
    ZendeskForbidden,
    ZendeskRateLimited,
    ZendeskServerError,
)
from zdagent.services import import_steps, knowledge_sync, step_chain
from zdagent.services.step_chain import MAX_RECEIVES, MAX_TRANSIENT_FAILURES, Outcome, StepResult

if TYPE_CHECKING:
    from zdagent.adapters.zendesk.client import ZendeskClient

TERMS = import_steps.TERMS
KEYS = {"import_id": "imp_1", "step": 3}


@dataclass
class Record:
    step: int = 3
    consecutive_failures: int = 0
    rate_limited: int = 0
    zendesk_requests: int = 0


def failing(exc: Exception) -> str:
    raise exc


def test_the_due_step_runs_one_behind_resends_its_successor_and_others_are_stale() -> None:
    sent: list[str] = []

    def resend() -> None:
        sent.append("next")

    assert step_chain.out_of_turn(3, 3, resend, terms=TERMS, keys=KEYS) is None
    assert step_chain.out_of_turn(2, 3, resend, terms=TERMS, keys=KEYS) == "resent"
    assert sent == ["next"]
    assert step_chain.out_of_turn(1, 3, resend, terms=TERMS, keys=KEYS) == "stale"
    assert step_chain.out_of_turn(4, 3, resend, terms=TERMS, keys=KEYS) == "stale"
    assert sent == ["next"]


def test_a_request_is_counted_and_success_clears_the_failure_streak() -> None:
    record = Record(consecutive_failures=4)
    assert step_chain.call_zendesk(record, lambda: "page", TERMS) == "page"
    assert (record.zendesk_requests, record.consecutive_failures) == (1, 0)


def test_a_429_stops_the_step_with_retry_after_as_the_delay() -> None:
    record = Record(consecutive_failures=2)
    with pytest.raises(step_chain.StopStep) as stop:
        step_chain.call_zendesk(
            record, lambda: failing(ZendeskRateLimited("slow down", retry_after=42)), TERMS
        )
    assert stop.value.outcome == Outcome(delay=42)
    assert (record.zendesk_requests, record.rate_limited, record.consecutive_failures) == (1, 1, 2)


def test_transient_failures_back_off_then_fail_the_job_in_its_own_words() -> None:
    record = Record()
    delays = []
    for _ in range(MAX_TRANSIENT_FAILURES):
        with pytest.raises(step_chain.StopStep) as stop:
            step_chain.call_zendesk(record, lambda: failing(ZendeskServerError("503")), TERMS)
        delays.append(stop.value.outcome.delay)
    assert delays[:4] == [15, 30, 60, 120] and delays[-1] == 900
    with pytest.raises(step_chain.StopStep) as stop:
        step_chain.call_zendesk(
            record, lambda: failing(ZendeskServerError("503")), knowledge_sync.TERMS
        )
    assert stop.value.outcome == Outcome(
        failed="Zendesk kept failing (9 times in a row); check Zendesk's status and sync again"
    )
    assert import_steps.TERMS.kept_failing(9).endswith("and start the import again")


class FakeClient:
    closed = False

    def close(self) -> None:
        self.closed = True


def run_with_client(
    run: Callable[[], Outcome], failed: list[str], terms: step_chain.ChainTerms
) -> tuple[StepResult, bool]:
    """``run_with_client`` on a fake client: the result and whether the client was closed."""

    def fail(detail: str) -> StepResult:
        failed.append(detail)
        return "failed"

    def commit(outcome: Outcome) -> StepResult:
        return "advanced" if outcome == Outcome(delay=6) else "finished"

    client = FakeClient()
    result = step_chain.run_with_client(
        cast("ZendeskClient", client),
        run,
        fail=fail,
        commit=commit,
        terms=terms,
        reauthorize="authorize again",
    )
    return result, client.closed


@pytest.mark.parametrize(
    ("exc", "expected"),
    [
        (TokenUnavailableError("revoked"), "authorize again"),
        (ZendeskForbidden("no", zendesk_status=403), "authorize again"),
        (
            ZendeskClientError("bad cursor", zendesk_status=400),
            "Zendesk refused a Help Center request (bad cursor); sync again",
        ),
    ],
)
def test_a_refusal_fails_the_job_and_the_client_is_closed(exc: Exception, expected: str) -> None:
    def refused() -> Outcome:
        raise exc

    failed: list[str] = []
    assert run_with_client(refused, failed, knowledge_sync.TERMS) == ("failed", True)
    assert failed == [expected]


def test_a_step_that_ran_is_committed_and_its_client_closed() -> None:
    def crashing() -> Outcome:
        raise KeyError("boom")

    failed: list[str] = []
    assert run_with_client(lambda: Outcome(delay=6), failed, TERMS) == ("advanced", True)
    assert failed == []
    with pytest.raises(KeyError):  # a crash is not a refusal: SQS redelivers the message
        run_with_client(crashing, failed, TERMS)
    assert failed == []


def test_a_crash_is_raised_for_redelivery_until_the_last_delivery_fails_the_job() -> None:
    given_up: list[str] = []

    def crash() -> str:
        raise KeyError("boom")

    for receives in range(1, MAX_RECEIVES):
        with pytest.raises(KeyError):
            step_chain.deliver(
                crash, given_up.append, receive_count=receives, terms=TERMS, keys=KEYS
            )
    assert given_up == []
    result = step_chain.deliver(
        crash, given_up.append, receive_count=MAX_RECEIVES, terms=TERMS, keys=KEYS
    )
    assert result == "failed"
    assert given_up == [
        "the import stopped after repeated internal errors (KeyError); start it again"
    ]
    assert knowledge_sync.TERMS.crashed(KeyError()) == (
        "the sync stopped after repeated internal errors (KeyError); sync again"
    )
