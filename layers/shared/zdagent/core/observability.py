"""One Logger, Tracer and Metrics for the whole package (Powertools reads its env lazily)."""

from __future__ import annotations

import logging

from aws_lambda_powertools import Logger, Metrics, Tracer

SERVICE = "zendesk-ai-email-agent"

logger = Logger(service=SERVICE)
tracer = Tracer(service=SERVICE)
metrics = Metrics(service=SERVICE, namespace="ZendeskAIEmailAgent")

# httpx logs every request line with its full URL at INFO; URLs can carry customer emails (user
# search) and our client already logs each request with its path template instead.
logging.getLogger("httpx").setLevel(logging.WARNING)
logging.getLogger("httpcore").setLevel(logging.WARNING)
