"""Zendesk webhook receiver: verify, deduplicate, queue (docs/contract.md §3).

One route, so no resolver: the handler reads API Gateway's HTTP API event (payload 2.0) itself and
answers through ``api.problems``, the mapping every API function uses. It imports nothing it does
not call (no Zendesk client, no httpx, no engine): its cold start is measured by
bench/bench_cold_start.py.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from zdagent.api.problems import proxy_problem, proxy_result
from zdagent.api.requests import context_for
from zdagent.core.observability import API_GATEWAY_HTTP_REQUEST_ID, logger, metrics
from zdagent.services import inbound

if TYPE_CHECKING:
    from aws_lambda_powertools.utilities.typing import LambdaContext


@logger.inject_lambda_context(correlation_id_path=API_GATEWAY_HTTP_REQUEST_ID, clear_state=True)
@metrics.log_metrics
def handler(event: dict[str, Any], context: LambdaContext) -> dict[str, Any]:
    try:
        result = inbound.receive_webhook(
            context_for(context),
            str((event.get("pathParameters") or {}).get("agent_id", "")),
            headers=dict(event.get("headers") or {}),
            body=event.get("body"),
            is_base64_encoded=bool(event.get("isBase64Encoded")),
        )
    except Exception as exc:
        return proxy_problem(exc)
    return proxy_result(200, result.body())
