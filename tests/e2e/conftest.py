"""The local stack as a user runs it: ``python -m zdlocal.stack`` in a subprocess on free ports.

``local_stack`` (session) starts it, waits for the ``ready:`` line (with a deadline), yields its
URLs and, on teardown, sends SIGINT (Ctrl-C) and checks that it exits and releases every port.
"""

from __future__ import annotations

import contextlib
import os
import re
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import threading
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path

import pytest

REPO_ROOT = Path(__file__).resolve().parents[2]
READY_DEADLINE_SECONDS = 60
PORT_ATTEMPTS = 3  # free ports taken by another program before the stack bound them: new ones
EXIT_DEADLINE_SECONDS = 20
ADMIN_TOKEN = "e2e-admin-token"
_READY = re.compile(r"^ready: api=(\S+) console=(\S+) sandbox=(\S+) aws=(\S+)$")
_PORT_TAKEN = re.compile(r"^port \d+ \(\w+_PORT\) is in use", re.MULTILINE)


def free_port() -> int:
    return free_ports(1)[0]


def free_ports(count: int) -> tuple[int, ...]:
    """``count`` distinct ports free now (each probe stays bound until all are chosen, so two
    probes never get the same port)."""
    with contextlib.ExitStack() as probes:
        chosen = []
        for _ in range(count):
            probe = probes.enter_context(socket.socket())
            probe.bind(("127.0.0.1", 0))
            chosen.append(int(probe.getsockname()[1]))
    return tuple(chosen)


def port_is_free(port: int) -> bool:
    with socket.socket() as probe:
        probe.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        try:
            probe.bind(("127.0.0.1", port))
        except OSError:
            return False
    return True


@dataclass
class RunningStack:
    process: subprocess.Popen[str]
    api_url: str
    console_url: str
    sandbox_url: str
    aws_url: str
    admin_token: str
    ports: tuple[int, ...]
    bedrock_url: str = ""  # the Converse emulator (local/zdbedrock)
    stdout_lines: list[str] = field(default_factory=list)
    stderr_lines: list[str] = field(default_factory=list)
    temporary_state: Path | None = None  # deleted once the stack has stopped

    def bound_ports(self) -> list[int]:
        return [port for port in self.ports if not port_is_free(port)]

    def stop(self) -> int:
        """Ctrl-C, then wait for the exit (kill after the deadline and fail)."""
        if self.process.poll() is None:
            self.process.send_signal(signal.SIGINT)
        try:
            code = self.process.wait(EXIT_DEADLINE_SECONDS)
            if self.temporary_state is not None:
                shutil.rmtree(self.temporary_state, ignore_errors=True)
            return code
        except subprocess.TimeoutExpired:
            self.process.kill()
            self.process.wait(5)
            raise AssertionError(
                f"the stack did not exit within {EXIT_DEADLINE_SECONDS}s of SIGINT"
            ) from None


def _pump(stream: object, sink: list[str], ready: threading.Event | None = None) -> None:
    for line in stream:  # type: ignore[attr-defined]
        sink.append(line.rstrip("\n"))
        if ready is not None and line.startswith("ready:"):
            ready.set()


def start_stack(
    admin_token: str = ADMIN_TOKEN,
    state_dir: Path | None = None,
    ports: tuple[int, ...] | None = None,
) -> RunningStack:
    """Start ``python -m zdlocal.stack`` on four free ports and wait for its ready line.

    The ports: API, sandbox, AWS, Converse emulator. A port found free can be taken by another
    program (other test runs share the machine) before the stack binds it: the stack then says so
    and exits 1, and is started again on new free ports (given ``ports`` are used as they are).
    Its state is kept in ``state_dir`` (a fresh temporary folder unless given: never the
    project's own ``.local-state``, which belongs to the developer's ``make run``)."""
    for attempt in range(1, PORT_ATTEMPTS + 1):
        folder = state_dir or Path(tempfile.mkdtemp(prefix="zdlocal-state-"))
        stack = _launch(admin_token, folder, ports or free_ports(4), temporary=state_dir is None)
        if _ready(stack):
            return stack
        stack.stop()
        tail = "\n".join(stack.stderr_lines[-30:])
        if ports is None and attempt < PORT_ATTEMPTS and _PORT_TAKEN.search(tail):
            continue
        raise AssertionError(
            f"no ready line within {READY_DEADLINE_SECONDS}s "
            f"(exit {stack.process.returncode}):\n{tail}"
        )
    raise AssertionError("unreachable")  # pragma: no cover


def _launch(
    admin_token: str, folder: Path, ports: tuple[int, ...], *, temporary: bool
) -> RunningStack:
    api, sandbox, aws, bedrock = ports
    env = {
        **stack_env(API_PORT=api, SANDBOX_PORT=sandbox, AWS_PORT=aws, BEDROCK_PORT=bedrock),
        "ADMIN_TOKEN": admin_token,
        "LOCAL_STATE_DIR": str(folder),
    }
    process = subprocess.Popen(
        [sys.executable, "-m", "zdlocal.stack"],
        cwd=REPO_ROOT,
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    return RunningStack(
        process=process,
        api_url="",
        console_url="",
        sandbox_url="",
        aws_url="",
        admin_token=admin_token,
        ports=ports,
        bedrock_url=f"http://127.0.0.1:{bedrock}",
        temporary_state=folder if temporary else None,
    )


def _ready(stack: RunningStack) -> bool:
    """Wait for the ready line (its URLs filled in), or the exit, or the deadline."""
    ready = threading.Event()
    process = stack.process
    threading.Thread(
        target=_pump, args=(process.stdout, stack.stdout_lines, ready), daemon=True
    ).start()
    threading.Thread(target=_pump, args=(process.stderr, stack.stderr_lines), daemon=True).start()
    deadline = time.monotonic() + READY_DEADLINE_SECONDS
    while not ready.wait(0.1):
        if process.poll() is not None or time.monotonic() > deadline:
            return False
    (line,) = [line for line in stack.stdout_lines if line.startswith("ready:")]
    match = _READY.match(line)
    assert match, line
    stack.api_url, stack.console_url, stack.sandbox_url, stack.aws_url = match.groups()
    return True


def stack_env(**ports: int) -> dict[str, str]:
    """The environment ``python -m zdlocal.stack`` runs with (``API_PORT=...`` as keywords)."""
    env = {
        **os.environ,
        **{name: str(port) for name, port in ports.items()},
        "PYTHONPATH": os.pathsep.join(
            [str(REPO_ROOT / "local"), str(REPO_ROOT / "layers" / "shared")]
        ),
        "PYTHONUNBUFFERED": "1",
    }
    for name in ("AWS_ENDPOINT_URL", "AWS_PROFILE", "MOTO_PORT"):
        env.pop(name, None)
    return env


@pytest.fixture(scope="session")
def local_stack() -> Iterator[RunningStack]:
    stack = start_stack()
    yield stack
    assert stack.stop() == 0
    assert stack.bound_ports() == [], "ports still bound after the stack exited"


@pytest.fixture
def stack_starter() -> Callable[[], RunningStack]:
    """Starts another stack (the test stops it)."""
    return start_stack
