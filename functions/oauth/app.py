"""Zendesk OAuth: start authorization (PKCE), the callback page, and revocation."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from zdagent.api.http import html_response, json_response, new_resolver
from zdagent.api.pages import callback_page
from zdagent.api.requests import context_for, public_base_url
from zdagent.api.router import Response
from zdagent.core.errors import AppError
from zdagent.core.observability import API_GATEWAY_HTTP_REQUEST_ID, logger, metrics
from zdagent.services import authorization

if TYPE_CHECKING:
    from aws_lambda_powertools.utilities.typing import LambdaContext

app = new_resolver()


@app.post("/agents/<agent_id>/integration/authorization")
def start(agent_id: str) -> Response[str]:
    url = authorization.start_authorization(
        context_for(app.lambda_context), agent_id, public_base_url(app.current_event)
    )
    return json_response(200, {"authorize_url": url})


@app.delete("/agents/<agent_id>/integration/authorization")
def revoke(agent_id: str) -> Response[str]:
    revoked = authorization.revoke_authorization(context_for(app.lambda_context), agent_id)
    return json_response(200, revoked.public())


@app.get("/oauth/zendesk/callback")
def callback() -> Response[str]:
    query = app.current_event.query_string_parameters or {}
    try:
        done = authorization.complete_authorization(
            context_for(app.lambda_context),
            state=query.get("state"),
            code=query.get("code"),
            error=query.get("error"),
            error_description=query.get("error_description"),
        )
    except AppError as exc:
        status = exc.status if exc.status in (400, 403, 404, 409) else 502
        page = callback_page(ok=False, title=exc.title, detail=exc.detail)
        return html_response(status, page)
    user = done.authorization.user
    detail = (
        f"Zendesk Support is connected as {user.email if user else 'the AI agent user'}. "
        "You can close this tab."
    )
    page = callback_page(ok=True, title="Authorized", detail=detail, agent_id=done.agent_id)
    return html_response(200, page)


@logger.inject_lambda_context(correlation_id_path=API_GATEWAY_HTTP_REQUEST_ID, clear_state=True)
@metrics.log_metrics
def handler(event: dict[str, Any], context: LambdaContext) -> dict[str, Any]:
    return app.resolve(event, context)
