"""The one error hierarchy. Every error we raise derives from ``AppError``.

``status`` is the HTTP status the API maps the error to (``api.errors`` is the one place that
does the mapping); ``code`` is a stable machine-readable name. The class names are also the
names Step Functions sees in ``ErrorEquals`` (a test checks each name used there exists here).
"""

from __future__ import annotations


class AppError(Exception):
    """Root of every error this product raises on purpose."""

    status: int = 500
    code: str = "internal_error"
    title: str = "Internal error"

    def __init__(self, detail: str, *, extra: dict[str, object] | None = None) -> None:
        super().__init__(detail)
        self.detail = detail
        self.extra = extra or {}


# --- configuration -------------------------------------------------------------------------
class ConfigurationError(AppError):
    code = "configuration_error"
    title = "Invalid configuration"


# --- client errors -------------------------------------------------------------------------
class ValidationFailedError(AppError):
    status = 422
    code = "validation_failed"
    title = "Invalid request"


class BadRequestError(AppError):
    status = 400
    code = "bad_request"
    title = "Bad request"


class UnauthenticatedError(AppError):
    status = 401
    code = "unauthenticated"
    title = "Unauthenticated"


class ForbiddenError(AppError):
    status = 403
    code = "forbidden"
    title = "Forbidden"


class NotFoundError(AppError):
    status = 404
    code = "not_found"
    title = "Not found"


class AgentNotFoundError(NotFoundError):
    code = "agent_not_found"
    title = "Agent not found"


class IntegrationNotFoundError(NotFoundError):
    code = "integration_not_found"
    title = "Integration not found"


class PayloadTooLargeError(AppError):
    status = 413
    code = "payload_too_large"
    title = "Payload too large"


class ConflictError(AppError):
    """An ordering rule or a uniqueness rule was broken: 409 naming what to do first."""

    status = 409
    code = "conflict"
    title = "Conflict"


class IntegrationExistsError(ConflictError):
    code = "integration_exists"


class AgentHasIntegrationError(ConflictError):
    code = "agent_has_integration"


class IntegrationNotAuthorizedError(ConflictError):
    code = "integration_not_authorized"


class TriggerNotActiveError(ConflictError):
    code = "trigger_not_active"


class TriggerExistsError(ConflictError):
    code = "trigger_exists"


class EngineEnabledError(ConflictError):
    code = "engine_enabled"


class TriggerActiveError(ConflictError):
    code = "trigger_active"


class IntegrationAuthorizedError(ConflictError):
    code = "integration_authorized"


class OperationRunningError(ConflictError):
    code = "operation_running"


class ConcurrentModificationError(ConflictError):
    """Optimistic locking lost: somebody else wrote the item first."""

    code = "concurrent_modification"


# --- OAuth ---------------------------------------------------------------------------------
class OAuthStateError(BadRequestError):
    code = "oauth_state_invalid"
    title = "Authorization link invalid"


class OAuthDeniedError(BadRequestError):
    code = "oauth_denied"
    title = "Authorization denied"


class WrongZendeskUserError(ForbiddenError):
    code = "wrong_zendesk_user"
    title = "Wrong Zendesk user"


class TokenUnavailableError(AppError):
    """No usable token: never authorized, revoked, or refresh impossible."""

    status = 409
    code = "token_unavailable"
    title = "Authorization needed"


# --- webhook -------------------------------------------------------------------------------
class WebhookSignatureError(UnauthenticatedError):
    code = "webhook_signature_invalid"


# --- Zendesk -------------------------------------------------------------------------------
class ZendeskError(AppError):
    """A call to Zendesk failed; ``zendesk_status`` and ``zendesk_error`` say what Zendesk said."""

    status = 502
    code = "zendesk_error"
    title = "Zendesk error"

    def __init__(
        self,
        detail: str,
        *,
        zendesk_status: int | None = None,
        zendesk_error: str | None = None,
        retry_after: float | None = None,
        extra: dict[str, object] | None = None,
    ) -> None:
        super().__init__(detail, extra=extra)
        self.zendesk_status = zendesk_status
        self.zendesk_error = zendesk_error
        self.retry_after = retry_after


class ZendeskTransientError(ZendeskError):
    """Worth retrying: rate limit, 5xx, timeouts, connection errors."""


class ZendeskRateLimited(ZendeskTransientError):
    code = "zendesk_rate_limited"


class ZendeskServerError(ZendeskTransientError):
    code = "zendesk_server_error"


class ZendeskUnavailable(ZendeskTransientError):
    """Connection refused, DNS failure or timeout."""

    code = "zendesk_unavailable"


class ZendeskClientError(ZendeskError):
    """A 4xx other than 429: retrying the same request will not help."""

    code = "zendesk_client_error"


class ZendeskAuthError(ZendeskClientError):
    """401 after a refresh, or the token endpoint refused (invalid_grant)."""

    code = "zendesk_unauthorized"


class ZendeskForbidden(ZendeskClientError):
    code = "zendesk_forbidden"


class ZendeskNotFound(ZendeskClientError):
    code = "zendesk_not_found"


class ZendeskConflict(ZendeskClientError):
    code = "zendesk_conflict"


class ZendeskInvalidRecord(ZendeskClientError):
    """422 RecordInvalid: Zendesk refused the data we sent."""

    code = "zendesk_invalid_record"


# --- reply engines (added by the reply-engines work; engines turn these into handovers) -------
class EngineError(AppError):
    """A reply engine could not produce a usable result."""

    status = 502
    code = "engine_error"
    title = "Reply engine error"


class EngineUnavailableError(EngineError):
    """The model service throttled, timed out or failed (after the client's own retries)."""

    status = 503
    code = "engine_unavailable"


class EngineOutputError(EngineError):
    """The model answered, but not in the structure it was asked for."""

    code = "engine_output_invalid"


# --- imports (issue 8) ------------------------------------------------------------------------
class ImportNotFoundError(NotFoundError):
    code = "import_not_found"
    title = "Import not found"


class ImportRunningError(OperationRunningError):
    """One import at a time per agent."""

    code = "import_running"


class ImportNotRunningError(ConflictError):
    """Cancelling an import that already ended."""

    code = "import_not_running"


# --- knowledge from the Help Center (issue 14) ----------------------------------------------------
class KnowledgeSyncRunningError(OperationRunningError):
    """One Help Center sync at a time per agent."""

    code = "knowledge_sync_running"


class KnowledgeSourceManualError(ConflictError):
    """A sync (or an upload) that does not fit the agent's knowledge source."""

    code = "knowledge_source_mismatch"
