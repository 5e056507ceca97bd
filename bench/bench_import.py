"""Benchmark of imports (issue 8): 2,000 and 20,000 seeded tickets through the real import steps.

Run from the repository root: ``.venv/bin/python -m bench.bench_import`` (``--sizes``, ``--rpm``,
``--comments``). Prints a report and writes ``bench/results/import.json``. Not a test: timings
depend on the machine.

Set-up: a moto server and the Zendesk sandbox each run in their own process (their memory is
theirs, not the importer's); each size runs in a fresh child process that seeds a fresh sandbox
account (``/_sandbox/tickets/bulk``), connects an agent through the OAuth flow and drives
``services.imports.run_step`` message by message from an in-memory queue, exactly as the worker
handler would. The delays the steps ask for are not slept: a simulated clock (our ``Context.now``)
jumps over them, so the run also yields the time the import needs at Zendesk's real limits.

Figures per size:
- tickets/s of our processing: wall time inside the steps (DynamoDB on the local moto server
  included), and the same without the time spent waiting for the sandbox's HTTP answers;
- peak RSS of the importer process, and its growth during the import (must stay flat);
- Zendesk requests per 1,000 tickets (every request counted at the transport);
- simulated time at real limits (10 exports/min, ``IMPORT_REQUESTS_PER_MINUTE`` requests/min),
  and the most requests seen in any 60 s window of simulated time (must not exceed the limits).
"""

from __future__ import annotations

import argparse
import json
import logging
import os
import resource
import socket
import subprocess
import sys
import time
from collections import deque
from collections.abc import Iterator
from contextlib import contextmanager, suppress
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
sys.path[:0] = [str(ROOT / "layers" / "shared"), str(ROOT / "local"), str(ROOT)]

import boto3  # noqa: E402
import httpx  # noqa: E402

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
    sandbox = subprocess.Popen(  # noqa: S603
        [sys.executable, "-m", "zdsandbox", "--port", str(sandbox_port), "--quiet"], **quiet
    )
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
class SimClock:
    def __init__(self) -> None:
        self.skipped = 0.0

    def __call__(self) -> datetime:
        return datetime.now(UTC) + timedelta(seconds=self.skipped)


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
        kind = "comments" if "/comments" in path else "other"
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
    from tests.support.flows import callback_params, consent_redirect  # noqa: PLC0415
    from zdagent.core.settings import settings  # noqa: PLC0415
    from zdagent.domain.imports import ImportRequest  # noqa: PLC0415
    from zdagent.services import agents, authorization, imports, integration  # noqa: PLC0415
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
    email = f"ai-agent@{subdomain}.test"
    integration.create_integration(
        ctx,
        agent.agent_id,
        integration.CreateIntegrationRequest(
            crm="zendesk_support", subdomain=subdomain, ai_agent_user_email=email
        ),
    )
    params = callback_params(
        consent_redirect(authorization.start_authorization(ctx, agent.agent_id, PUBLIC), email)
    )
    authorization.complete_authorization(ctx, state=params["state"], code=params["code"])
    transport.counts.clear()

    class ListQueue:
        def __init__(self) -> None:
            self.messages: deque[tuple[imports.StepMessage, int]] = deque()

        def send(self, message: imports.StepMessage, delay_seconds: int) -> None:
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
    while queue.messages:
        message, delay = queue.messages.popleft()
        clock.skipped += delay
        started = time.perf_counter()
        imports.run_step(ctx, message, queue)
        wall += time.perf_counter() - started
        steps += 1
    done = imports.get_import(ctx, agent.agent_id, record.import_id)
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
        "rate_limits": {
            "requests_per_minute": config.import_requests_per_minute,
            "exports_per_minute": config.import_exports_per_minute,
        },
        "simulated_seconds_at_real_limits": round((clock() - started_sim).total_seconds()),
        "peak_requests_in_any_60s": transport.all_requests.peak,
        "peak_exports_in_any_60s": transport.exports.peak,
    }


# --- report --------------------------------------------------------------------------------------
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
            f"  at real limits ({limits['exports_per_minute']} exports/min, "
            f"{limits['requests_per_minute']} requests/min): {minutes:.1f} min simulated; "
            f"peak {r['peak_requests_in_any_60s']} requests and "
            f"{r['peak_exports_in_any_60s']} exports in any 60 s"
        )


def main() -> None:
    parser = argparse.ArgumentParser(prog="bench.bench_import", description=__doc__)
    parser.add_argument("--sizes", default="2000,20000")
    parser.add_argument("--comments", type=int, default=4)
    parser.add_argument("--rpm", type=int, help="IMPORT_REQUESTS_PER_MINUTE (default: setting)")
    parser.add_argument("--child", type=int, help=argparse.SUPPRESS)
    parser.add_argument("--moto", help=argparse.SUPPRESS)
    parser.add_argument("--sandbox", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.rpm:
        os.environ["IMPORT_REQUESTS_PER_MINUTE"] = str(args.rpm)
    if args.child:
        print(json.dumps(run_size(args.child, args.moto, args.sandbox, args.comments)))
        return
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
    RESULTS.write_text(json.dumps({"results": results}, indent=2) + "\n", encoding="utf-8")
    print(f"\nwritten: {RESULTS.relative_to(ROOT)}")


if __name__ == "__main__":
    main()
