"""One Logger and Metrics for the whole package (Powertools reads its env lazily).

Tracing is Lambda's active tracing (``Tracing: Active`` in template.yaml): the runtime traces each
invocation and its AWS calls are sampled by the service, with no SDK in the function. The Logger
puts the ``xray_trace_id`` on every line and handlers set a correlation id, so a trace and its logs
meet. No X-Ray SDK (maintenance mode since February 2026, and 0.5 s of every cold start) and no
response body is ever copied into a trace.
"""

from __future__ import annotations

import logging

from aws_lambda_powertools import Logger, Metrics

SERVICE = "zendesk-ai-email-agent"

logger = Logger(service=SERVICE)
metrics = Metrics(service=SERVICE, namespace="ZendeskAIEmailAgent")

# httpx logs every request line with its full URL at INFO; URLs can carry customer emails (user
# search) and our client already logs each request with its path template instead.
logging.getLogger("httpx").setLevel(logging.WARNING)
logging.getLogger("httpcore").setLevel(logging.WARNING)
