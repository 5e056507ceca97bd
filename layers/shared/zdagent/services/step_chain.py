"""Resumable step chains on SQS, paced against Zendesk's limits: the mechanism shared by the
import (``services/import_steps.py``) and the Help Center sync (``services/knowledge_sync.py``).

A job is a chain of SQS messages, one per step. Its checkpoint (a versioned item) says which step
is due; a step runs only when its number is the checkpoint's ``step`` and ends with a versioned
write of ``step + 1`` followed by the next message, whose ``DelaySeconds`` keeps the job under
Zendesk's limits. Nothing sleeps:

* a 429 ends the step and the next one waits ``Retry-After`` (the client is built with a
  Retry-After cap of 0, so it raises at once instead of sleeping);
* a 5xx or an unreachable Zendesk ends the step and the next one backs off (15 s, 30 s, 60 s...);
  after ``MAX_TRANSIENT_FAILURES`` in a row the job fails;
* a 401/403 or a lost token fails the job with "authorize again", any other 4xx with Zendesk's
  detail;
* a redelivered message whose checkpoint was already written re-sends its successor (which may
  have been lost with a crash); an older one is stale and dropped;
* a crash is raised so SQS redelivers the message, except on the last delivery before the DLQ,
  where the job is marked failed so it never stays running.

Each chain keeps its own rules (what a step does, its request budget, its checkpoint item and its
wording) in its own module; this one holds only what both do the same way, and
``domain/pacing.py`` the arithmetic of the waits.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, Literal, Protocol

from zdagent.core.errors import (
    TokenUnavailableError,
    ZendeskClientError,
    ZendeskRateLimited,
    ZendeskTransientError,
)
from zdagent.core.observability import logger
from zdagent.domain.pacing import retry_after_delay, transient_delay

if TYPE_CHECKING:
    from zdagent.adapters.zendesk.client import ZendeskClient
    from zdagent.domain.integration import Integration
    from zdagent.services.context import Context

MAX_TRANSIENT_FAILURES = 8
# The step queues' RedrivePolicy maxReceiveCount (template.yaml): the last delivery before the DLQ.
MAX_RECEIVES = 5

StepResult = Literal[
    "advanced", "finished", "failed", "not_running", "missing", "stale", "resent", "superseded"
]


class Checkpoint(Protocol):
    """What the mechanism reads and counts on a chain's checkpoint record."""

    step: int
    consecutive_failures: int
    rate_limited: int
    zendesk_requests: int


@dataclass(frozen=True)
class ChainTerms:
    """How a chain names itself in its logs and in the errors its users read."""

    log_prefix: str  # "import_step": import_step_resent, import_step_stale, ...
    job: str  # "import", "sync"
    requests: str  # what Zendesk refused: "a request", "a Help Center request"
    again: str  # how to recover from Zendesk's failures: "start the import again", "sync again"
    restart: str  # how to recover from ours: "start it again", "sync again"

    def refused(self, exc: TokenUnavailableError | ZendeskClientError, reauthorize: str) -> str:
        """The job's error for a refusal: authorize again (401/403, no token) or Zendesk's
        detail (any other 4xx)."""
        if isinstance(exc, ZendeskClientError) and exc.zendesk_status not in (401, 403):
            return f"Zendesk refused {self.requests} ({exc.detail}); {self.again}"
        return reauthorize

    def crashed(self, exc: Exception) -> str:
        return (
            f"the {self.job} stopped after repeated internal errors ({type(exc).__name__}); "
            f"{self.restart}"
        )

    def kept_failing(self, failures: int) -> str:
        return (
            f"Zendesk kept failing ({failures} times in a row); check Zendesk's status and "
            f"{self.again}"
        )


@dataclass
class Outcome:
    """How a step ended: the job is done, failed, or its next step waits ``delay`` seconds."""

    done: bool = False
    delay: int = 0
    failed: str | None = None


class StopStep(Exception):
    """Ends a step early with its outcome (a 429 or a Zendesk failure)."""

    def __init__(self, outcome: Outcome) -> None:
        super().__init__("stop")
        self.outcome = outcome


def no_sleep_client(ctx: Context, integration: Integration) -> ZendeskClient:
    """Like ``Context.zendesk_for``, but a 429 is never slept on: with a Retry-After cap of 0 the
    client raises ``ZendeskRateLimited`` at once and the step re-queues itself with that delay."""
    return ctx.zendesk_for(integration, retry_after_cap=0.0)


def call_zendesk[T](record: Checkpoint, request: Callable[[], T], terms: ChainTerms) -> T:
    """Make one counted request; a 429 or a transient failure stops the step (``StopStep``)
    with the delay (or the failure) it calls for."""
    record.zendesk_requests += 1
    try:
        result = request()
    except ZendeskRateLimited as exc:
        record.rate_limited += 1
        raise StopStep(Outcome(delay=retry_after_delay(exc.retry_after))) from exc
    except ZendeskTransientError as exc:
        raise StopStep(_transient(record, terms)) from exc
    record.consecutive_failures = 0
    return result


def _transient(record: Checkpoint, terms: ChainTerms) -> Outcome:
    record.consecutive_failures += 1
    if record.consecutive_failures > MAX_TRANSIENT_FAILURES:
        return Outcome(failed=terms.kept_failing(record.consecutive_failures))
    return Outcome(delay=transient_delay(record.consecutive_failures))


def out_of_turn(
    message_step: int,
    checkpoint_step: int,
    resend_successor: Callable[[], None],
    *,
    terms: ChainTerms,
    keys: dict[str, Any],
) -> StepResult | None:
    """Why a running job's message must not run now (None: it is the step the checkpoint
    expects). One step behind: our checkpoint was written and the successor may have been lost
    with a crash, so it is sent again; any other step is stale."""
    if message_step == checkpoint_step - 1:
        resend_successor()
        logger.info(f"{terms.log_prefix}_resent", extra=keys)
        return "resent"
    if message_step != checkpoint_step:
        logger.info(f"{terms.log_prefix}_stale", extra=keys | {"checkpoint_step": checkpoint_step})
        return "stale"
    return None


def run_with_client(
    zendesk: ZendeskClient,
    run: Callable[[], Outcome],
    *,
    fail: Callable[[str], StepResult],
    commit: Callable[[Outcome], StepResult],
    terms: ChainTerms,
    reauthorize: str,
) -> StepResult:
    """Run a due step with its client (closed after), then ``commit`` its outcome; a refusal
    fails the job (``fail`` with the error its users read)."""
    try:
        outcome = run()
    except (TokenUnavailableError, ZendeskClientError) as exc:
        return fail(terms.refused(exc, reauthorize))
    finally:
        zendesk.close()
    return commit(outcome)


def deliver(
    run: Callable[[], str],
    give_up: Callable[[str], object],
    *,
    receive_count: int,
    terms: ChainTerms,
    keys: dict[str, Any],
) -> str:
    """One SQS delivery of a step. A crash is raised so SQS redelivers it; on the last delivery
    before the DLQ ``give_up`` marks the job failed instead (with the error its users read), so
    it never stays running."""
    try:
        return run()
    except Exception as exc:
        logger.exception(f"{terms.log_prefix}_crashed", extra=keys | {"receives": receive_count})
        if receive_count < MAX_RECEIVES:
            raise
        give_up(terms.crashed(exc))
        return "failed"
