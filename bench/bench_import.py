"""Benchmark of imports (issues 8, 16): seeded tickets through the real import steps.

Run from the repository root: ``.venv/bin/python -m bench.bench_import`` (``--sizes``,
``--comments``). Prints a report and writes ``bench/results/import.json``. Not a test: timings
depend on the machine.

Set-up: a moto server and the Zendesk sandbox each run in their own process (their memory is
theirs, not the importer's); each size runs in a fresh child process that seeds a fresh sandbox
account (``/_sandbox/tickets/bulk``), connects an agent through the OAuth flow and drives
``services.import_steps.run_step`` message by message from an in-memory queue, exactly as the
worker handler would. The delays the steps ask for are not slept: a simulated clock (our
``Context.now``) jumps over them, so the run also yields the time the import needs at Zendesk's
real limits.

Figures per size:
- tickets/s of our processing: wall time inside the steps (DynamoDB on the local moto server
  included), and the same without the time spent waiting for the sandbox's HTTP answers;
- peak RSS of the importer process, and its growth during the import (must stay flat);
- Zendesk requests per 1,000 tickets (every request counted at the transport);
- simulated time at Zendesk's real limits (10 export requests a minute; our processing time
  included), and the most export requests seen in any 60 s window of simulated time (never over
  the limit);
- the ETA the import status showed at each step against the time the import really still took
  (simulated clock): never short by more than 6 s (one export slot), and its worst overshoot.

Targets (issue 16): 100,000 tickets with 4 comments each in at most 60 minutes at the real limits,
1,000 tickets in under 4 minutes of wall time (our processing plus the pacing delays: what the
local stack, whose sandbox enforces the same limit, takes), never over a limit, memory flat. A size
too large to seed on this machine is projected from a measured one: the import makes one export
request per page (1,000 tickets, or 1,000 ticket updates with their comments), so its time is its
page count times the measured time per step (at least the 6 s the limit imposes).
"""

from __future__ import annotations

import argparse
import json
import logging
import math
import os
import resource
import socket
import subprocess
import sys
import time
from collections import deque
from collections.abc import Iterator
from contextlib import contextmanager, suppress
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
sys.path[:0] = [str(ROOT / "layers" / "shared"), str(ROOT / "local"), str(ROOT)]

import boto3  # noqa: E402
import httpx  # noqa: E402

from tests.support.clock import SimClock  # noqa: E402

RESULTS = ROOT / "bench" / "results" / "import.json"
PUBLIC = "http://127.0.0.1:9"
CLIENT_ID, CLIENT_SECRET = "zdg-local-ai-agent", "local-oauth-client-secret"
REGION = "us-east-1"


# --- servers (parent process) ------------------------------------------------------------------
def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port: int = sock.getsockname()[1]
        return port


def wait_until_up(url: str, seconds: float = 30.0) -> None:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        try:
            httpx.get(url, timeout=1)
        except httpx.TransportError:
            time.sleep(0.1)
            continue
        return
    raise RuntimeError(f"{url} did not answer within {seconds} s")


@contextmanager
def servers() -> Iterator[tuple[str, str]]:
    moto_port, sandbox_port = free_port(), free_port()
    env = os.environ | {"PYTHONPATH": os.pathsep.join(sys.path[:3])}
    quiet = {"stdout": subprocess.DEVNULL, "stderr": subprocess.DEVNULL, "env": env}
    moto = subprocess.Popen(  # noqa: S603
        [sys.executable, "-m", "moto.server", "-p", str(moto_port)], **quiet
    )
    # our OAuth callback must be a registered Redirect URL of the sandbox's client
    callback = f"{PUBLIC}/oauth/zendesk/callback"
    command = [sys.executable, "-m", "zdsandbox", "--port", str(sandbox_port), "--quiet"]
    sandbox = subprocess.Popen([*command, "--redirect-uri", callback], **quiet)  # noqa: S603
    try:
        moto_url, sandbox_url = f"http://127.0.0.1:{moto_port}", f"http://127.0.0.1:{sandbox_port}"
        wait_until_up(moto_url)
        wait_until_up(f"{sandbox_url}/_sandbox/accounts")
        yield moto_url, sandbox_url
    finally:
        for process in (moto, sandbox):
            process.terminate()
            try:
                process.wait(timeout=10)
            except subprocess.TimeoutExpired:
                process.kill()
                process.wait(timeout=10)


# --- one size (child process) --------------------------------------------------------------------
class WindowPeak:
    """Most events in any 60 s window (bounded memory: only the last minute is kept)."""

    def __init__(self) -> None:
        self.window: deque[float] = deque()
        self.peak = 0

    def add(self, at: float) -> None:
        self.window.append(at)
        while self.window and self.window[0] <= at - 60.0:
            self.window.popleft()
        self.peak = max(self.peak, len(self.window))


class CountingTransport(httpx.BaseTransport):
    """Counts every request to Zendesk (by kind), its wait time and its simulated-time rate."""

    def __init__(self, clock: SimClock) -> None:
        self.inner = httpx.HTTPTransport()
        self.clock = clock
        self.counts: dict[str, int] = {}
        self.waiting = 0.0
        self.all_requests, self.exports = WindowPeak(), WindowPeak()

    def handle_request(self, request: httpx.Request) -> httpx.Response:
        path = request.url.path
        kind = "other"
        if "/incremental/" in path:
            kind = "export"
        self.counts[kind] = self.counts.get(kind, 0) + 1
        at = self.clock().timestamp()
        self.all_requests.add(at)
        if kind == "export":
            self.exports.add(at)
        started = time.perf_counter()
        response = self.inner.handle_request(request)
        response.read()
        self.waiting += time.perf_counter() - started
        return response


def rss_mb() -> float:
    with open("/proc/self/statm") as statm:
        pages = int(statm.read().split()[1])
    return pages * os.sysconf("SC_PAGE_SIZE") / 1e6


def prepare_aws(moto_url: str) -> None:
    from zdlocal.template import load_template  # noqa: PLC0415

    table = load_template().resources["StateTable"]["Properties"]
    dynamodb = boto3.client("dynamodb", endpoint_url=moto_url, region_name=REGION)
    with suppress(dynamodb.exceptions.ResourceInUseException):
        dynamodb.create_table(
            TableName="bench-state",
            BillingMode="PAY_PER_REQUEST",
            AttributeDefinitions=table["AttributeDefinitions"],
            KeySchema=table["KeySchema"],
            GlobalSecondaryIndexes=table["GlobalSecondaryIndexes"],
        )
    secrets = boto3.client("secretsmanager", endpoint_url=moto_url, region_name=REGION)
    with suppress(secrets.exceptions.ResourceExistsException):
        secrets.create_secret(
            Name="bench/zendesk-oauth-client",
            SecretString=json.dumps({"client_id": CLIENT_ID, "client_secret": CLIENT_SECRET}),
        )


def run_size(size: int, moto_url: str, sandbox_url: str, comments: int) -> dict[str, Any]:
    os.environ.update(
        AWS_ENDPOINT_URL=moto_url,
        AWS_ACCESS_KEY_ID="testing",
        AWS_SECRET_ACCESS_KEY="testing",
        AWS_DEFAULT_REGION=REGION,
        TABLE_NAME="bench-state",
        OAUTH_CLIENT_SECRET_ID="bench/zendesk-oauth-client",
        SECRETS_PREFIX="bench/integrations",
        ZENDESK_BASE_URL_TEMPLATE=f"{sandbox_url}/{{subdomain}}",
        POWERTOOLS_LOG_LEVEL="WARNING",
    )
    logging.disable(logging.INFO)
    from tests.support.flows import authorize_agent  # noqa: PLC0415
    from zdagent.adapters.import_queue import StepMessage  # noqa: PLC0415
    from zdagent.core.settings import settings  # noqa: PLC0415
    from zdagent.domain.import_request import ImportRequest  # noqa: PLC0415
    from zdagent.services import agents, import_steps, imports  # noqa: PLC0415
    from zdagent.services.context import Context  # noqa: PLC0415

    prepare_aws(moto_url)
    subdomain = f"bench{size}x{int(time.time())}"
    httpx.post(f"{sandbox_url}/_sandbox/accounts", json={"subdomain": subdomain}).raise_for_status()
    control = f"{sandbox_url}/{subdomain}/_sandbox"
    seeded = httpx.post(
        f"{control}/tickets/bulk",
        json={"count": size, "days_back": 365, "comments_per_ticket": comments, "seed": 1},
        timeout=600,
    )
    seeded.raise_for_status()
    # The steps run back to back in wall time; the sandbox must not throttle that. Our own
    # spacing at the real limits is measured on the simulated clock below.
    httpx.put(
        f"{control}/settings",
        json={"incremental_exports_per_minute": 100_000, "rate_limit_per_minute": 10_000_000},
    ).raise_for_status()

    clock = SimClock()
    transport = CountingTransport(clock)
    ctx = Context(now=clock, zendesk_transport=transport)
    agent = agents.create_agent(ctx, agents.CreateAgentRequest(name="Bench agent"))
    authorize_agent(ctx, agent.agent_id, subdomain, PUBLIC)
    transport.counts.clear()

    class ListQueue:
        def __init__(self) -> None:
            self.messages: deque[tuple[StepMessage, int]] = deque()

        def send(self, message: StepMessage, delay_seconds: int) -> None:
            self.messages.append((message, delay_seconds))

    queue = ListQueue()
    baseline = rss_mb()
    request = ImportRequest(start_time="2000-01-01T00:00:00Z")
    started_sim = clock()
    wall = 0.0
    started = time.perf_counter()
    record = imports.start_import(ctx, agent.agent_id, request, queue)
    wall += time.perf_counter() - started
    steps = 0
    etas: list[tuple[float, int | None]] = []  # (simulated time, the ETA GET would show then)
    processing: list[float] = []  # wall seconds of each step
    load_before = os.getloadavg()[0]
    while queue.messages:
        message, delay = queue.messages.popleft()
        etas.append((clock().timestamp(), _eta(ctx, imports, agent.agent_id, record.import_id)))
        clock.skipped += delay
        started = time.perf_counter()
        import_steps.run_step(ctx, message, queue)
        processing.append(time.perf_counter() - started)
        wall += processing[-1]
        steps += 1
    done = imports.get_import(ctx, agent.agent_id, record.import_id)
    ended = clock().timestamp()
    # ETA honesty: how much the shown estimate undershot the time really left (0: never), and
    # how much it overshot it (an upper bound that is not a wild one)
    undershoot = max(((ended - at) - eta for at, eta in etas if eta is not None), default=0.0)
    overshoot = max((eta - (ended - at) for at, eta in etas if eta is not None), default=0.0)
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1000  # KiB on Linux
    requests = sum(transport.counts.values())
    config = settings()
    return {
        "tickets": size,
        "comments_per_ticket": comments,
        "status": done.status,
        "tickets_scanned": done.tickets_scanned,
        "conversations_imported": done.conversations_imported,
        "messages_imported": done.messages_imported,
        "steps": steps,
        "wall_seconds": round(wall, 2),
        "tickets_per_second": round(size / wall, 1),
        "tickets_per_second_excluding_zendesk_wait": round(size / (wall - transport.waiting), 1),
        "peak_rss_mb": round(peak, 1),
        "rss_growth_during_import_mb": round(peak - baseline, 1),
        "zendesk_requests": dict(transport.counts),
        "zendesk_requests_per_1000_tickets": round(requests * 1000 / size, 1),
        "rate_limits": {"exports_per_minute": config.import_exports_per_minute},
        "simulated_seconds_at_real_limits": round((clock() - started_sim).total_seconds()),
        "seconds_per_step": round((clock() - started_sim).total_seconds() / max(1, steps), 2),
        "peak_requests_in_any_60s": transport.all_requests.peak,
        "peak_exports_in_any_60s": transport.exports.peak,
        "eta_first_shown_s": next((eta for _, eta in etas if eta is not None), None),
        "eta_worst_undershoot_s": round(max(0.0, undershoot), 1),
        "eta_worst_overshoot_s": round(max(0.0, overshoot), 1),
        # the ETA counts a page at a slot plus a second while its processing fits in the slot:
        # steps that took longer (a busy machine) make it short unless the pace so far had them
        "step_processing_s": {
            "median": round(sorted(processing)[len(processing) // 2], 2),
            "max": round(max(processing), 2),
            "over_the_slot": sum(t > 60 / config.import_exports_per_minute for t in processing),
        },
        "load_average": [round(load_before, 1), round(os.getloadavg()[0], 1)],
        # per step: (simulated seconds since the start, the ETA shown, the time really left)
        "eta_by_step": [
            (round(at - started_sim.timestamp(), 1), eta, round(ended - at, 1)) for at, eta in etas
        ],
    }


def _eta(ctx: Any, imports: Any, agent_id: str, import_id: str) -> int | None:
    view = imports.public_view(ctx, imports.get_import(ctx, agent_id, import_id))
    eta: int | None = view["estimated_seconds_left"]
    return eta


# --- report --------------------------------------------------------------------------------------
TARGET_LARGE = (100_000, 60 * 60)  # tickets, seconds at the real limits
TARGET_SMALL = (1_000, 4 * 60)  # tickets, wall seconds


def projection(r: dict[str, Any], tickets: int, comments: int) -> dict[str, Any]:
    """The time at the real limits for ``tickets`` x ``comments``, from a measured run: one export
    per 1,000 tickets and per 1,000 ticket updates (each comment is one update), each step taking
    what the measured steps took (at least the export spacing)."""
    pages = math.ceil(tickets / 1000) + math.ceil(tickets * comments / 1000)
    slot = 60 / r["rate_limits"]["exports_per_minute"]
    per_step = max(slot, r["seconds_per_step"])
    return {"tickets": tickets, "pages": pages, "seconds": round(pages * per_step)}


def verdicts(results: list[dict[str, Any]]) -> list[tuple[str, bool]]:
    checks: list[tuple[str, bool]] = []
    for r in results:
        limit = r["rate_limits"]["exports_per_minute"]
        checks.append((f"{r['tickets']}: never over {limit} exports/min", _under(r, limit)))
        checks.append((f"{r['tickets']}: ETA never short", r["eta_worst_undershoot_s"] <= 6))
    small = [r for r in results if r["tickets"] == TARGET_SMALL[0]]
    for r in small:
        ok = r["simulated_seconds_at_real_limits"] < TARGET_SMALL[1]
        checks.append(("1,000 tickets in under 4 min of wall time", ok))
    largest = max(results, key=lambda r: r["tickets"])
    big = projection(largest, TARGET_LARGE[0], largest["comments_per_ticket"])
    checks.append(("100,000 tickets x 4 comments within 60 min", big["seconds"] <= TARGET_LARGE[1]))
    if len(results) > 1:
        flat = largest["rss_growth_during_import_mb"] <= max(
            20.0, 2 * results[0]["rss_growth_during_import_mb"]
        )
        checks.append(("memory flat (growth of the largest size)", flat))
    return checks


def _under(r: dict[str, Any], limit: int) -> bool:
    peak: int = r["peak_exports_in_any_60s"]
    return peak <= limit


def report(results: list[dict[str, Any]]) -> None:
    print("import benchmark (sandbox + moto server in their own processes)")
    for r in results:
        limits = r["rate_limits"]
        print(
            f"\n{r['tickets']:>6} tickets ({r['comments_per_ticket']} comments each): "
            f"{r['status']}, {r['conversations_imported']} conversations, "
            f"{r['messages_imported']} messages, {r['steps']} steps"
        )
        print(
            f"  our processing: {r['tickets_per_second']} tickets/s "
            f"({r['tickets_per_second_excluding_zendesk_wait']} without Zendesk wait)"
        )
        print(
            f"  peak RSS {r['peak_rss_mb']} MB, growth during the import "
            f"{r['rss_growth_during_import_mb']} MB"
        )
        print(
            f"  Zendesk requests per 1,000 tickets: {r['zendesk_requests_per_1000_tickets']} "
            f"{r['zendesk_requests']}"
        )
        minutes = r["simulated_seconds_at_real_limits"] / 60
        print(
            f"  at real limits ({limits['exports_per_minute']} exports/min): {minutes:.1f} min "
            f"({r['seconds_per_step']} s per step); peak {r['peak_exports_in_any_60s']} exports "
            f"in any 60 s"
        )
        step = r["step_processing_s"]
        print(
            f"  each step's processing: median {step['median']} s, max {step['max']} s, "
            f"{step['over_the_slot']} longer than the export slot (load average "
            f"{r['load_average'][0]} -> {r['load_average'][1]})"
        )
        print(
            f"  ETA: first shown {r['eta_first_shown_s']} s; worst undershoot of the time "
            f"really left {r['eta_worst_undershoot_s']} s (at most 6), worst overshoot "
            f"{r['eta_worst_overshoot_s']} s"
        )
    largest = max(results, key=lambda r: r["tickets"])
    big = projection(largest, TARGET_LARGE[0], largest["comments_per_ticket"])
    print(
        f"\n100,000 tickets x {largest['comments_per_ticket']} comments at the real limits: "
        f"{big['pages']} export pages, {big['seconds'] / 60:.1f} min "
        f"(projected from the {largest['tickets']:,}-ticket run's time per step)"
    )
    for label, ok in verdicts(results):
        print(f"  {'met' if ok else 'MISSED'}: {label}")


def main() -> int:
    parser = argparse.ArgumentParser(prog="bench.bench_import", description=__doc__)
    parser.add_argument("--sizes", default="1000,20000")
    parser.add_argument("--comments", type=int, default=4)
    parser.add_argument("--child", type=int, help=argparse.SUPPRESS)
    parser.add_argument("--moto", help=argparse.SUPPRESS)
    parser.add_argument("--sandbox", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.child:
        print(json.dumps(run_size(args.child, args.moto, args.sandbox, args.comments)))
        return 0
    results = []
    with servers() as (moto_url, sandbox_url):
        for size in [int(s) for s in args.sizes.split(",")]:
            command = [sys.executable, "-m", "bench.bench_import", "--child", str(size)]
            command += ["--moto", moto_url, "--sandbox", sandbox_url]
            command += ["--comments", str(args.comments)]
            child = subprocess.run(  # noqa: S603
                command, capture_output=True, text=True, check=False, cwd=ROOT, timeout=3600
            )
            if child.returncode != 0:
                raise SystemExit(f"size {size} failed:\n{child.stderr[-3000:]}")
            results.append(json.loads(child.stdout.strip().splitlines()[-1]))
            print(f"size {size}: done in the child process", flush=True)
    report(results)
    RESULTS.parent.mkdir(parents=True, exist_ok=True)
    largest = max(results, key=lambda r: r["tickets"])
    checks = dict(verdicts(results))
    summary: dict[str, Any] = {
        "results": results,
        "projection_100000": projection(largest, TARGET_LARGE[0], largest["comments_per_ticket"]),
        "verdicts": checks,
    }
    RESULTS.write_text(json.dumps(summary, indent=2) + "\n", encoding="utf-8")
    print(f"\nwritten: {RESULTS.relative_to(ROOT)}")
    return 0 if all(checks.values()) else 1


if __name__ == "__main__":
    raise SystemExit(main())
