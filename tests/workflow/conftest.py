"""Workflow tier: the real ASL run by moto's interpreter, the real task handlers, the sandbox.

``aws`` is moto (``execute_state_machine`` on, Docker-less Lambda) holding every resource of
template.yaml, with the functions' environment set; zdlocal's ``LambdaHook`` routes the state
machine's Lambda invokes to the in-process handlers the template names, and reports a handler's
exception with ``errorType`` = its class name, as AWS does. Zendesk is the sandbox over loopback,
one fresh account per test. ``ZENDESK_MAX_RETRIES=0`` so a Zendesk 5xx reaches Step Functions,
whose Retry is what these tests exercise.
"""

from __future__ import annotations

import itertools
import uuid
from collections.abc import Iterator

import httpx
import pytest
from moto import mock_aws

from tests.workflow.workflow_support import PUBLIC_BASE_URL
from zdagent.adapters.aws import reset_clients
from zdagent.adapters.secrets import clear_secret_cache
from zdagent.core.settings import reset_settings_cache
from zdagent.services.context import default_context
from zdlocal.aws import DUMMY_CREDENTIALS, MOTO_CONFIG
from zdlocal.lambdas import FunctionRuntime, LambdaHook
from zdlocal.resources import AwsClients, create_resources
from zdlocal.template import Resolver, ResourceMap, load_template, merged_environment
from zdsandbox.config import SandboxConfig
from zdsandbox.server import SandboxServer

_accounts = itertools.count(1)


def _reset_caches() -> None:
    reset_settings_cache()
    reset_clients()
    clear_secret_cache()
    default_context.cache_clear()


@pytest.fixture(scope="session")
def sandbox() -> Iterator[SandboxServer]:
    server = SandboxServer(
        SandboxConfig(
            port=0,
            webhook_retries=0,
            webhook_timeout_seconds=1.0,
            redirect_uris=[f"{PUBLIC_BASE_URL}/oauth/zendesk/callback"],
        )
    ).start()
    yield server
    server.stop()


@pytest.fixture
def subdomain(sandbox: SandboxServer) -> str:
    """A fresh sandbox account (seeded like acme) for this test."""
    name = f"wf{next(_accounts)}-{uuid.uuid4().hex[:6]}"
    answer = httpx.post(f"{sandbox.url}/_sandbox/accounts", json={"subdomain": name}, timeout=10)
    assert answer.status_code == 201, answer.text
    return name


@pytest.fixture
def aws(monkeypatch: pytest.MonkeyPatch, sandbox: SandboxServer) -> Iterator[ResourceMap]:
    for name, value in DUMMY_CREDENTIALS.items():
        monkeypatch.setenv(name, value)
    for name in ("AWS_ENDPOINT_URL", "AWS_PROFILE"):
        monkeypatch.delenv(name, raising=False)
    template = load_template()
    parameters = {"ZendeskBaseUrlTemplate": f"{sandbox.url}/{{subdomain}}"}
    with mock_aws(config=MOTO_CONFIG):  # type: ignore[call-overload]
        resources = create_resources(template, AwsClients.create(), parameters)
        environment = merged_environment(
            template.functions(), Resolver(template, resources, parameters)
        )
        for name, value in environment.items():
            monkeypatch.setenv(name, value)
        monkeypatch.setenv("PUBLIC_BASE_URL", PUBLIC_BASE_URL)
        monkeypatch.setenv("ZENDESK_MAX_RETRIES", "0")
        monkeypatch.setenv("POWERTOOLS_TRACE_DISABLED", "true")
        monkeypatch.setenv("POWERTOOLS_METRICS_DISABLED", "true")
        _reset_caches()
        runtime = FunctionRuntime.from_template(template.functions(), resources)
        with LambdaHook(runtime):
            yield resources
    _reset_caches()


@pytest.fixture
def functions(aws: ResourceMap) -> FunctionRuntime:
    """The template's functions, invoked in-process as Lambda would (``invoke(logical_id, ev)``)."""
    return FunctionRuntime.from_template(load_template().functions(), aws)
