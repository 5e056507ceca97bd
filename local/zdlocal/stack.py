"""The whole product on one machine, built from template.yaml: ``python -m zdlocal.stack``.

moto (DynamoDB, SQS, Secrets Manager, Step Functions, Lambda) runs as a server in this process, the
template's resources are created in it, every function runs in-process (API routes, SQS pollers,
Step Functions Task states), and the Zendesk sandbox answers on its own port.

In tests::

    with LocalStack(api_port=0, sandbox_port=0, aws_port=0) as stack:
        httpx.get(f"{stack.api_url}/health")
"""

from __future__ import annotations

import contextlib
import logging
import os
import signal
import socket
import sys
import threading
import time
import warnings
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from types import FrameType
from typing import Any, TextIO, cast

from zdlocal import persistence
from zdlocal.api import ApiServer
from zdlocal.aws import DUMMY_CREDENTIALS, MotoServer, moto_config
from zdlocal.lambdas import FunctionRuntime, LambdaHook
from zdlocal.resources import AwsClients, create_resources
from zdlocal.sqs import pollers_for
from zdlocal.template import (
    DEFAULT_TEMPLATE,
    LOCAL_PARAMETERS,
    Resolver,
    ResourceMap,
    Template,
    TemplateError,
    load_template,
    merged_environment,
)
from zdlocal.terminal import JsonFormatter, SplitLog

log = logging.getLogger("zdlocal.stack")

DEFAULT_ADMIN_TOKEN = "local-admin-token"
PROJECT_ROOT = Path(__file__).resolve().parents[2]
HOST = "127.0.0.1"


class PortInUseError(Exception):
    """A port the stack needs is taken; the message says which and what to do."""

    def __init__(self, port: int, env_name: str) -> None:
        super().__init__(
            f"port {port} ({env_name}) is in use: "
            f"stop what uses it or set {env_name} to a free port"
        )
        self.port = port
        self.env_name = env_name


def port_is_free(port: int, host: str = HOST) -> bool:
    """Whether a server could bind ``host:port`` now (0 is always free)."""
    if port == 0:
        return True
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as probe:
        probe.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        try:
            probe.bind((host, port))
        except OSError:
            return False
    return True


def free_port(host: str = HOST) -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as probe:
        probe.bind((host, 0))
        return int(probe.getsockname()[1])


@dataclass
class _Part:
    name: str
    stop: Any


class LocalStack:
    """Start with ``start()`` (or ``with``); ``stop()`` releases every port and thread.

    Port 0 picks a free port; the chosen ports are in the ``*_url`` properties after ``start()``.
    The stack changes ``os.environ`` (the handlers' settings) and restores it on ``stop()``.
    """

    def __init__(
        self,
        api_port: int = 3000,
        sandbox_port: int = 3001,
        aws_port: int = 3002,
        admin_token: str = DEFAULT_ADMIN_TOKEN,
        *,
        bedrock_port: int = 0,
        template_path: Path | str = DEFAULT_TEMPLATE,
        start_sandbox: bool = True,
        start_pollers: bool = True,
        parameter_overrides: dict[str, Any] | None = None,
        state_dir: Path | str | None = None,
    ) -> None:
        self.api_port = api_port if api_port else free_port()
        self.sandbox_port = sandbox_port if sandbox_port else free_port()
        self.aws_port = aws_port if aws_port else free_port()
        self.bedrock_port = bedrock_port if bedrock_port else free_port()
        self.admin_token = admin_token
        self.template_path = Path(template_path)
        self.start_sandbox = start_sandbox
        self.start_pollers = start_pollers
        self.parameter_overrides = dict(parameter_overrides or {})
        # where state is kept across restarts (None: nothing is kept; see zdlocal.persistence)
        self.state_dir = Path(state_dir) if state_dir else None
        self.restored = False
        self.template: Template | None = None
        self.resources: ResourceMap = {}
        self.runtime: FunctionRuntime | None = None
        self.environment: dict[str, str] = {}
        self.facts: list[str] = []
        self._parts: list[_Part] = []
        self._saved_env: dict[str, str | None] = {}

    # -- URLs
    @property
    def api_url(self) -> str:
        return f"http://{HOST}:{self.api_port}"

    @property
    def console_url(self) -> str:
        return f"{self.api_url}/console"

    @property
    def sandbox_url(self) -> str:
        return f"http://{HOST}:{self.sandbox_port}"

    @property
    def aws_url(self) -> str:
        return f"http://{HOST}:{self.aws_port}"

    @property
    def bedrock_url(self) -> str:
        """The Converse emulator (``local/zdbedrock``), where the Bedrock engine's calls go."""
        return f"http://{HOST}:{self.bedrock_port}"

    def ready_line(self) -> str:
        return (
            f"ready: api={self.api_url} console={self.console_url} "
            f"sandbox={self.sandbox_url} aws={self.aws_url}"
        )

    # -- lifecycle
    def _set_env(self, values: dict[str, str]) -> None:
        for name, value in values.items():
            self._saved_env.setdefault(name, os.environ.get(name))
            os.environ[name] = value

    def _restore_env(self) -> None:
        for name, value in self._saved_env.items():
            if value is None:
                os.environ.pop(name, None)
            else:
                os.environ[name] = value
        self._saved_env.clear()

    def _check_ports(self) -> None:
        for port, env_name in (
            (self.api_port, "API_PORT"),
            (self.sandbox_port, "SANDBOX_PORT"),
            (self.aws_port, "AWS_PORT"),
            (self.bedrock_port, "BEDROCK_PORT"),
        ):
            if env_name == "SANDBOX_PORT" and not self.start_sandbox:
                continue
            if not port_is_free(port):
                raise PortInUseError(port, env_name)

    def _bind(self, server: Any, port: int, env_name: str) -> None:
        try:
            server.start()
        except OSError as exc:
            raise PortInUseError(port, env_name) from exc

    def start(self) -> LocalStack:
        """Start everything; on failure whatever started is stopped again."""
        try:
            self._start()
        except BaseException:
            self.stop()
            raise
        return self

    def _start(self) -> None:
        started = time.monotonic()
        self._check_ports()
        self.template = load_template(self.template_path)
        functions = self.template.functions()
        _add_layers_to_path(self.template)
        self._set_env(
            {
                **DUMMY_CREDENTIALS,
                "AWS_ENDPOINT_URL": self.aws_url,
                # boto3's per-service endpoint: the Bedrock engine talks to the emulator.
                "AWS_ENDPOINT_URL_BEDROCK_RUNTIME": self.bedrock_url,
                "POWERTOOLS_TRACE_DISABLED": os.environ.get("POWERTOOLS_TRACE_DISABLED", "true"),
                "ADMIN_TOKEN": self.admin_token,
            }
        )
        os.environ.pop("AWS_PROFILE", None)

        config = moto_config()
        config.__enter__()
        self._parts.append(_Part("moto config", lambda: config.__exit__(None, None, None)))
        moto = MotoServer(HOST, self.aws_port)
        self._saved_env.setdefault("MOTO_PORT", os.environ.get("MOTO_PORT"))
        self._bind(moto, self.aws_port, "AWS_PORT")
        self._parts.append(_Part("moto server", moto.stop))

        parameters = {
            **LOCAL_PARAMETERS,
            "ZendeskBaseUrlTemplate": f"{self.sandbox_url}/{{subdomain}}",
            "PublicBaseUrl": self.api_url,
            **self.parameter_overrides,
        }
        clients = AwsClients.create(endpoint_url=self.aws_url)
        self.resources = create_resources(self.template, clients, parameters)
        if self.state_dir is not None:
            self._keep_aws_state(clients)
        resolver = Resolver(self.template, self.resources, parameters)
        self.environment = merged_environment(functions, resolver)
        self._set_env(self.environment)
        _reset_settings_cache()

        self.runtime = FunctionRuntime.from_template(functions, self.resources)
        hook = LambdaHook(self.runtime).install()
        self._parts.append(_Part("lambda hook", hook.uninstall))
        for sentence in self.runtime.missing_handlers():
            log.warning("handler missing", extra={"detail": sentence})

        api = ApiServer(
            self.template.http_routes(),
            self.runtime.invoke,
            admin_token=self.admin_token,
            host=HOST,
            port=self.api_port,
            claims={
                "sub": "local-admin",
                "iss": str(parameters["AdminJwtIssuer"]),
                "aud": str(parameters["AdminJwtAudience"]),
                "scope": "admin",
            },
        )
        self._bind(api, self.api_port, "API_PORT")
        self._parts.append(_Part("api server", api.stop))

        if self.start_sandbox:
            self._start_sandbox()
        self._start_bedrock_emulator()

        if self.start_pollers:
            for poller in pollers_for(self.template, self.resources, self.runtime, clients.sqs):
                poller.start()
                self._parts.append(_Part(f"poller {poller.name}", poller.stop))

        routes = self.template.http_routes()
        self.facts[:0] = [
            f"template: {len(functions)} functions, {len(routes)} routes, "
            f"{len(self.template.sqs_events())} SQS pollers, "
            f"{sum(1 for _ in self.template.resources_of_type('AWS::Serverless::StateMachine'))}"
            " state machines",
            f"admin token: Authorization: Bearer {self.admin_token}",
        ]
        knowledge = _demo_knowledge_fact()
        if knowledge:
            self.facts.append(knowledge)
        missing = self.runtime.missing_handlers()
        if missing:
            self.facts.append(
                f"{len(missing)} functions have no handler file yet (their routes answer 500)"
            )
        self.facts.append(f"started in {time.monotonic() - started:.1f}s")

    def _start_sandbox(self) -> None:
        try:
            # Optional: the sandbox package may not be there (yet).
            from zdsandbox.config import SandboxConfig  # noqa: PLC0415
            from zdsandbox.server import SandboxServer  # noqa: PLC0415
        except ImportError as exc:
            log.warning("zendesk sandbox not available", extra={"error": repr(exc)})
            self.facts.append("the Zendesk sandbox package is not there yet; not started")
            return
        sandbox_config = SandboxConfig(
            port=self.sandbox_port,
            host=HOST,
            client_id=LOCAL_PARAMETERS["ZendeskOAuthClientId"],
            client_secret=LOCAL_PARAMETERS["ZendeskOAuthClientSecret"],
            redirect_uris=[f"{self.api_url}/oauth/zendesk/callback"],
        )
        sandbox = SandboxServer(sandbox_config)
        if self.state_dir is not None and persistence.restore_sandbox(
            self.state_dir, sandbox.app.sandbox
        ):
            self.facts.append(f"sandbox state restored from {self.state_dir}")
        self._bind(sandbox, self.sandbox_port, "SANDBOX_PORT")
        self._parts.append(_Part("zendesk sandbox", sandbox.stop))
        if self.state_dir is not None:
            folder, state = self.state_dir, sandbox.app.sandbox
            self._parts.append(
                _Part("sandbox state", lambda: persistence.save_sandbox(folder, state))
            )

    def _keep_aws_state(self, clients: AwsClients) -> None:
        """Restore the last snapshot now; take a new one right before moto stops."""
        assert self.state_dir is not None
        assert self.template is not None
        folder, template, resources = self.state_dir, self.template, self.resources
        self.restored = persistence.restore_aws(folder, template, resources, clients)
        if self.restored:
            self.facts.append(f"state restored from {folder} (make reset starts clean)")
        else:
            self.facts.append(f"state is kept in {folder} across restarts (make reset clears it)")
        # parts stop in reverse order: this one runs after the API, pollers and sandbox stopped
        moto_index = next(i for i, p in enumerate(self._parts) if p.name == "moto server")
        self._parts.insert(
            moto_index + 1,
            _Part("aws state", lambda: persistence.save_aws(folder, template, resources, clients)),
        )

    def _start_bedrock_emulator(self) -> None:
        from zdbedrock.server import BedrockEmulator  # noqa: PLC0415 - local stack only

        emulator = BedrockEmulator(HOST, self.bedrock_port)
        try:
            emulator.start()
        except OSError as exc:
            raise PortInUseError(self.bedrock_port, "BEDROCK_PORT") from exc
        self._parts.append(_Part("bedrock emulator", emulator.stop))
        self.facts.append(
            f"bedrock: Converse emulator (not Bedrock, no model) at {self.bedrock_url}; "
            'an agent with settings.engine "bedrock" uses it'
        )

    def stop(self) -> None:
        """Stop in reverse order; every part is stopped even if one fails."""
        while self._parts:
            part = self._parts.pop()
            started = time.monotonic()
            try:
                part.stop()
                log.debug("stopped", extra={"part": part.name, "ms": _ms_since(started)})
            except Exception as exc:  # keep stopping the rest
                log.warning("stop failed", extra={"part": part.name, "error": repr(exc)})
        self._restore_env()
        _reset_settings_cache()

    def __enter__(self) -> LocalStack:
        return self.start()

    def __exit__(self, *exc: object) -> None:
        self.stop()


def _ms_since(started: float) -> float:
    return round((time.monotonic() - started) * 1000, 1)


def _add_layers_to_path(template: Template) -> None:
    """Lambda puts each layer's code on the path (``/opt/python``); locally, the layer's source."""
    for logical_id, props in template.resources_of_type("AWS::Serverless::LayerVersion"):
        content = props.get("ContentUri")
        if not isinstance(content, str):
            raise TemplateError(
                f"{logical_id}: ContentUri must be a local directory for the local stack"
            )
        path = str((template.root / content).resolve())
        if path not in sys.path:
            sys.path.insert(0, path)


def _reset_settings_cache() -> None:
    try:
        from zdagent.core.settings import reset_settings_cache  # noqa: PLC0415 - optional
    except ImportError:
        return
    reset_settings_cache()


def _demo_knowledge_fact() -> str | None:
    """Load the demo knowledge base (the demo agent's articles) if the engines package has it."""
    try:
        from zdagent.adapters.engines.demo_kb import load_demo_knowledge  # noqa: PLC0415
    except ImportError:
        return None
    articles = load_demo_knowledge()
    locales = sorted({str(getattr(a, "locale", "")) for a in articles})
    return f"demo knowledge: {len(articles)} articles ({', '.join(locales)})"


# ----------------------------------------------------------------------------- CLI


def _env_port(name: str, default: int) -> int:
    raw = os.environ.get(name, "")
    if not raw:
        return default
    if not raw.isdigit() or not 0 < int(raw) < 65536:
        raise SystemExit(f"{name}={raw!r} is not a port number: set {name} to a number 1-65535")
    return int(raw)


def _bedrock_port() -> int:
    """``BEDROCK_PORT``, else 3003 when free, else any free port (it is not a contract port)."""
    if os.environ.get("BEDROCK_PORT"):
        return _env_port("BEDROCK_PORT", 3003)
    return 3003 if port_is_free(3003) else 0


def state_dir_from_env() -> Path | None:
    """``LOCAL_STATE_DIR`` (default ``.local-state`` in the project); set empty to keep nothing."""
    raw = os.environ.get("LOCAL_STATE_DIR")
    if raw is None:
        return PROJECT_ROOT / ".local-state"
    return Path(raw).resolve() if raw.strip() else None


def _log_stream(state_dir: Path | None) -> TextIO:
    """JSON log lines to ``<state>/logs/stack.jsonl`` and one readable line per event to the
    terminal (stderr); without a state folder, the JSON lines go to stderr as they are."""
    if state_dir is None:
        return sys.stderr
    logs = state_dir / "logs"
    logs.mkdir(parents=True, exist_ok=True)
    file = open(logs / "stack.jsonl", "a", encoding="utf-8")  # noqa: SIM115 - open until exit
    print(f"logs: {logs / 'stack.jsonl'} (JSON); one line per event below", file=sys.stderr)
    return cast(TextIO, SplitLog(file, sys.stderr))


def main() -> int:
    """Run the local stack until Ctrl-C or SIGTERM."""
    out: TextIO = sys.stdout
    state_dir = state_dir_from_env()
    stream = _log_stream(state_dir)
    # Handlers (Powertools Logger/Metrics) write to stdout; locally that goes to the log stream
    # so stdout carries only the startup facts and the ready line.
    sys.stdout = stream
    handler = logging.StreamHandler(stream)
    handler.setFormatter(JsonFormatter())
    logging.basicConfig(level=os.environ.get("LOCAL_LOG_LEVEL", "INFO"), handlers=[handler])
    for noisy in ("werkzeug", "botocore", "boto3", "urllib3", "moto"):
        logging.getLogger(noisy).setLevel(logging.WARNING)
    # Powertools warns on every API call of a handler that publishes no metric.
    warnings.filterwarnings("ignore", message="No application metrics to publish")

    stop = threading.Event()

    def on_signal(signum: int, frame: FrameType | None) -> None:
        stop.set()

    signal.signal(signal.SIGINT, on_signal)
    signal.signal(signal.SIGTERM, on_signal)

    stack = LocalStack(
        api_port=_env_port("API_PORT", 3000),
        sandbox_port=_env_port("SANDBOX_PORT", 3001),
        aws_port=_env_port("AWS_PORT", 3002),
        bedrock_port=_bedrock_port(),
        admin_token=os.environ.get("ADMIN_TOKEN") or DEFAULT_ADMIN_TOKEN,
        state_dir=state_dir,
    )
    try:
        stack.start()
    except (PortInUseError, TemplateError) as exc:
        print(str(exc), file=sys.stderr)
        return 1
    try:
        for fact in stack.facts:
            print(fact, file=out)
        print(stack.ready_line(), file=out, flush=True)
        while not stop.wait(0.5):
            pass
    finally:
        with contextlib.suppress(Exception):
            print("stopping", file=sys.stderr, flush=True)
        stack.stop()
    return 0


@contextlib.contextmanager
def running_stack(**kwargs: Any) -> Iterator[LocalStack]:
    """``LocalStack(**kwargs)`` started for the block, stopped after."""
    stack = LocalStack(**kwargs).start()
    try:
        yield stack
    finally:
        stack.stop()


if __name__ == "__main__":
    sys.exit(main())
