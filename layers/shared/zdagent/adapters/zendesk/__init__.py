"""Typed Zendesk Support client: models, errors, retries, pagination, bearer auth, OAuth."""

from zdagent.adapters.zendesk.auth import BearerAuth, StaticTokenProvider, TokenProvider
from zdagent.adapters.zendesk.client import ZendeskClient, base_url_for
from zdagent.adapters.zendesk.errors import error_from_response
from zdagent.adapters.zendesk.models import (
    Action,
    Comment,
    CommentCreate,
    Condition,
    Conditions,
    Group,
    GroupMembership,
    IncrementalTicketPage,
    OAuthTokenInfo,
    Ticket,
    TicketUpdate,
    Trigger,
    TriggerPayload,
    User,
    Via,
    Webhook,
    WebhookCreate,
)
from zdagent.adapters.zendesk.oauth import (
    OAuthTokenEndpoint,
    TokenSet,
    authorize_url,
    code_challenge_s256,
    new_code_verifier,
)

__all__ = [
    "Action",
    "BearerAuth",
    "Comment",
    "CommentCreate",
    "Condition",
    "Conditions",
    "Group",
    "GroupMembership",
    "IncrementalTicketPage",
    "OAuthTokenEndpoint",
    "OAuthTokenInfo",
    "StaticTokenProvider",
    "Ticket",
    "TicketUpdate",
    "TokenProvider",
    "TokenSet",
    "Trigger",
    "TriggerPayload",
    "User",
    "Via",
    "Webhook",
    "WebhookCreate",
    "ZendeskClient",
    "authorize_url",
    "base_url_for",
    "code_challenge_s256",
    "error_from_response",
    "new_code_verifier",
]
