"""Integration fixtures: moto with every resource of template.yaml, and the handlers' environment.

``aws`` gives a ``mock_aws()`` (real ASL, Docker-less Lambda) in which the template's tables,
queues, secrets, functions and state machines exist, with each function's resolved environment
variables (TABLE_NAME, REPLY_QUEUE_URL, OAUTH_CLIENT_SECRET_ID, ...) set. It yields the
``ResourceMap``: logical id → ``Physical`` (``.ref``, ``.attributes``), e.g.
``aws["ReplyQueue"].ref`` is the queue URL. Lambda ``Invoke`` of a template function (and so a
Step Functions Task state) runs its handler in-process.
"""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from moto import mock_aws

from zdagent.core.settings import reset_settings_cache
from zdlocal.aws import DUMMY_CREDENTIALS, MOTO_CONFIG
from zdlocal.lambdas import FunctionRuntime, LambdaHook
from zdlocal.resources import AwsClients, create_resources
from zdlocal.template import Resolver, ResourceMap, load_template, merged_environment


@pytest.fixture
def aws_env(monkeypatch: pytest.MonkeyPatch) -> None:
    """Dummy credentials and region; no endpoint or profile leaking in from the shell."""
    for name, value in DUMMY_CREDENTIALS.items():
        monkeypatch.setenv(name, value)
    for name in ("AWS_ENDPOINT_URL", "AWS_PROFILE"):
        monkeypatch.delenv(name, raising=False)


@pytest.fixture
def aws(aws_env: None, monkeypatch: pytest.MonkeyPatch) -> Iterator[ResourceMap]:
    """moto with template.yaml's resources and the functions' environment variables set."""
    template = load_template()
    with mock_aws(config=MOTO_CONFIG):  # type: ignore[arg-type]
        resources = create_resources(template, AwsClients.create())
        environment = merged_environment(template.functions(), Resolver(template, resources))
        for name, value in environment.items():
            monkeypatch.setenv(name, value)
        reset_settings_cache()
        runtime = FunctionRuntime.from_template(template.functions(), resources)
        with LambdaHook(runtime):
            yield resources
    reset_settings_cache()
