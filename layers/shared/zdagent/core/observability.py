"""One Logger, Tracer and Metrics for the whole package (Powertools reads its env lazily)."""

from __future__ import annotations

from aws_lambda_powertools import Logger, Metrics, Tracer

SERVICE = "zendesk-ai-email-agent"

logger = Logger(service=SERVICE)
tracer = Tracer(service=SERVICE)
metrics = Metrics(service=SERVICE, namespace="ZendeskAIEmailAgent")
