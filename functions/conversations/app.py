"""Conversation logs and statistics (docs/contract.md §2)."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from zdagent.api.http import json_response, new_resolver
from zdagent.api.requests import context_for
from zdagent.api.router import Response
from zdagent.core.errors import NotFoundError
from zdagent.core.observability import API_GATEWAY_HTTP_REQUEST_ID, logger, metrics
from zdagent.core.validation import validate_model
from zdagent.services import conversation_queries as queries
from zdagent.services import conversations

if TYPE_CHECKING:
    from aws_lambda_powertools.utilities.typing import LambdaContext

app = new_resolver()


@app.get("/agents/<agent_id>/conversations")
def list_conversations(agent_id: str) -> Response[str]:
    params = app.current_event.query_string_parameters or {}
    query = validate_model(queries.ListConversationsQuery, dict(params))
    found = conversations.list_conversations(context_for(app.lambda_context), agent_id, query)
    return json_response(200, found)


@app.get("/agents/<agent_id>/conversations/<ticket_id>")
def get_conversation(agent_id: str, ticket_id: str) -> Response[str]:
    if not ticket_id.isdigit() or len(ticket_id) > 15:
        raise NotFoundError(f"no conversation for ticket {ticket_id[:20]!r}")
    account = _account_query()
    detail = conversations.get_conversation(
        context_for(app.lambda_context), agent_id, int(ticket_id), account.subdomain
    )
    return json_response(200, detail.to_json())


@app.get("/agents/<agent_id>/stats")
def stats(agent_id: str) -> Response[str]:
    account = _account_query()
    found = conversations.stats(context_for(app.lambda_context), agent_id, account.subdomain)
    return json_response(200, found)


def _account_query() -> queries.AccountQuery:
    params = app.current_event.query_string_parameters or {}
    return validate_model(queries.AccountQuery, dict(params))


@logger.inject_lambda_context(correlation_id_path=API_GATEWAY_HTTP_REQUEST_ID, clear_state=True)
@metrics.log_metrics
def handler(event: dict[str, Any], context: LambdaContext) -> dict[str, Any]:
    return app.resolve(event, context)
