"""Agents, knowledge, the integration resource and its live checks."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from zdagent.api.bodies import parse_body
from zdagent.api.http import json_response, new_resolver, parse_json_object
from zdagent.api.requests import context_for
from zdagent.api.router import Response
from zdagent.core.observability import API_GATEWAY_HTTP_REQUEST_ID, logger, metrics
from zdagent.core.validation import validate_model
from zdagent.services import agents, integration

if TYPE_CHECKING:
    from aws_lambda_powertools.utilities.typing import LambdaContext

app = new_resolver()


@app.post("/agents")
def create_agent() -> Response[str]:
    request = parse_body(app.current_event.body, agents.CreateAgentRequest)
    agent = agents.create_agent(context_for(app.lambda_context), request)
    return json_response(201, agent.public())


@app.get("/agents")
def list_agents() -> Response[str]:
    params = app.current_event.query_string_parameters or {}
    query = validate_model(agents.ListAgentsQuery, dict(params))
    return json_response(200, agents.list_agents(context_for(app.lambda_context), query))


@app.delete("/agents/<agent_id>")
def delete_agent(agent_id: str) -> Response[str]:
    agents.delete_agent(context_for(app.lambda_context), agent_id)
    return Response(status_code=204, body="")


@app.get("/agents/<agent_id>")
def get_agent(agent_id: str) -> Response[str]:
    return json_response(200, agents.get_agent(context_for(app.lambda_context), agent_id).public())


@app.patch("/agents/<agent_id>")
def patch_agent(agent_id: str) -> Response[str]:
    patch = parse_json_object(app.current_event.body)
    agent = agents.patch_agent(context_for(app.lambda_context), agent_id, patch)
    return json_response(200, agent.public())


@app.get("/agents/<agent_id>/knowledge/articles")
def list_articles(agent_id: str) -> Response[str]:
    params = app.current_event.query_string_parameters or {}
    query = validate_model(agents.ListArticlesQuery, dict(params))
    return json_response(
        200, agents.list_articles(context_for(app.lambda_context), agent_id, query)
    )


@app.put("/agents/<agent_id>/knowledge")
def put_knowledge(agent_id: str) -> Response[str]:
    request = parse_body(app.current_event.body, agents.PutKnowledgeRequest)
    agent = agents.put_knowledge(context_for(app.lambda_context), agent_id, request)
    return json_response(
        200,
        {
            "agent_id": agent_id,
            "articles": agent.knowledge_articles,
            "knowledge_version": agent.knowledge_version,
        },
    )


@app.post("/agents/<agent_id>/integration")
def create_integration(agent_id: str) -> Response[str]:
    request = parse_body(app.current_event.body, integration.CreateIntegrationRequest)
    created = integration.create_integration(context_for(app.lambda_context), agent_id, request)
    return json_response(201, created.public())


@app.get("/agents/<agent_id>/integration")
def get_integration(agent_id: str) -> Response[str]:
    found = integration.get_integration(context_for(app.lambda_context), agent_id)
    return json_response(200, found.public())


@app.delete("/agents/<agent_id>/integration")
def delete_integration(agent_id: str) -> Response[str]:
    integration.delete_integration(context_for(app.lambda_context), agent_id)
    return Response(status_code=204, body="")


@app.get("/agents/<agent_id>/integration/checks")
def integration_checks(agent_id: str) -> Response[str]:
    # a diagnostic an admin runs now and then (it calls Zendesk a few times, loading the client
    # anyway): the other routes do not build its Zendesk models at the cold start
    from zdagent.services import checks  # noqa: PLC0415

    results = checks.run_checks(context_for(app.lambda_context), agent_id)
    return json_response(200, {"checks": [c.model_dump() for c in results]})


@logger.inject_lambda_context(correlation_id_path=API_GATEWAY_HTTP_REQUEST_ID, clear_state=True)
@metrics.log_metrics
def handler(event: dict[str, Any], context: LambdaContext) -> dict[str, Any]:
    return app.resolve(event, context)
