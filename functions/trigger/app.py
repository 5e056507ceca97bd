"""The automation trigger: create, show (with drift), edit, deactivate."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

# every invocation calls Zendesk: its token provider, OAuth and HTTP client load at the cold start,
# not at the first request (Context.zendesk_for builds them lazily; bench_cold_start checks it), and
# so does the integration's repository (it names the account; Context loads it lazily)
from zdagent.adapters import integration_repository as _integration  # noqa: F401
from zdagent.adapters import tokens as _zendesk_access  # noqa: F401
from zdagent.api.http import json_response, new_resolver
from zdagent.api.requests import context_for, public_base_url
from zdagent.api.router import Response
from zdagent.core.observability import API_GATEWAY_HTTP_REQUEST_ID, logger, metrics
from zdagent.services import trigger

if TYPE_CHECKING:
    from aws_lambda_powertools.utilities.typing import LambdaContext

app = new_resolver()


@app.post("/agents/<agent_id>/integration/trigger")
def create(agent_id: str) -> Response[str]:
    # only create and edit parse a body: its schemas (pydantic's constrained types) load here,
    # not at every cold start (the show route never needs them)
    from zdagent.api.bodies import parse_body  # noqa: PLC0415
    from zdagent.domain.trigger_request import CreateTriggerRequest  # noqa: PLC0415

    request = parse_body(app.current_event.body, CreateTriggerRequest, allow_empty=True)
    created = trigger.create_trigger(
        context_for(app.lambda_context), agent_id, public_base_url(app.current_event), request
    )
    return json_response(201, created)


@app.get("/agents/<agent_id>/integration/trigger")
def show(agent_id: str) -> Response[str]:
    return json_response(200, trigger.get_trigger(context_for(app.lambda_context), agent_id))


@app.put("/agents/<agent_id>/integration/trigger")
def update(agent_id: str) -> Response[str]:
    from zdagent.api.bodies import parse_body  # noqa: PLC0415
    from zdagent.domain.trigger_request import UpdateTriggerRequest  # noqa: PLC0415

    request = parse_body(app.current_event.body, UpdateTriggerRequest)
    updated = trigger.update_trigger(context_for(app.lambda_context), agent_id, request)
    return json_response(200, updated)


@app.post("/agents/<agent_id>/integration/trigger/deactivate")
def deactivate(agent_id: str) -> Response[str]:
    done = trigger.deactivate_trigger(context_for(app.lambda_context), agent_id)
    return json_response(200, done.public())


@logger.inject_lambda_context(correlation_id_path=API_GATEWAY_HTTP_REQUEST_ID, clear_state=True)
@metrics.log_metrics
def handler(event: dict[str, Any], context: LambdaContext) -> dict[str, Any]:
    return app.resolve(event, context)
