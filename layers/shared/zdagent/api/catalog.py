"""Every route of the HTTP API, one line each, with the models its handler validates with.

``openapi.py`` writes ``GET /openapi.json`` from this list, and a test compares it with the
routes of ``template.yaml`` (none missing, none extra). Adding a route: declare it in
``template.yaml``, write its handler, add its line here, then ``make docs`` (it rewrites the
served ``functions/openapi/openapi.json`` and ``docs/api.md``; tests fail while they are stale).
"""

from __future__ import annotations

from dataclasses import dataclass

from pydantic import BaseModel

from zdagent.api import schemas as out
from zdagent.domain.import_request import ImportRequest
from zdagent.domain.knowledge_source_request import KnowledgeSourceRequest
from zdagent.domain.trigger_request import CreateTriggerRequest, UpdateTriggerRequest
from zdagent.services.agents import (
    CreateAgentRequest,
    ListAgentsQuery,
    ListArticlesQuery,
    PutKnowledgeRequest,
)
from zdagent.services.conversation_queries import AccountQuery, ListConversationsQuery
from zdagent.services.disconnect import StartDisconnectRequest
from zdagent.services.engine import ToggleEngineRequest
from zdagent.services.integration import CreateIntegrationRequest


@dataclass(frozen=True)
class Route:
    """One operation: ``"METHOD /path/{param}"``, what it does, and its models."""

    route: str
    summary: str
    tag: str
    status: int = 200
    body: type[BaseModel] | None = None
    response: type[BaseModel] | None = None
    query: type[BaseModel] | None = None
    body_optional: bool = False  # an empty body means the model's defaults
    calls_zendesk: bool = False  # may answer 502 with Zendesk's own words
    admin: bool = True  # needs the admin token (JWT in AWS)
    html: bool = False  # answers an HTML page (the OAuth callback)

    @property
    def method(self) -> str:
        return self.route.split(" ", 1)[0]

    @property
    def path(self) -> str:
        return self.route.split(" ", 1)[1]


A = "/agents/{agent_id}"
I = f"{A}/integration"  # noqa: E741 - the integration's path, used on most lines below

ROUTES: tuple[Route, ...] = (
    Route("POST /agents", "Create an agent", "agents", 201, CreateAgentRequest, out.AgentResource),
    Route(
        "GET /agents",
        "List agents, newest first",
        "agents",
        response=out.AgentPage,
        query=ListAgentsQuery,
    ),
    Route(f"GET {A}", "Show an agent", "agents", response=out.AgentResource),
    Route(
        f"DELETE {A}",
        "Delete an agent with its knowledge and log (409 while it has an integration)",
        "agents",
        204,
    ),
    Route(
        f"GET {A}/knowledge/articles",
        "List the agent's knowledge articles (without bodies)",
        "agents",
        response=out.ArticlePage,
        query=ListArticlesQuery,
    ),
    Route(
        f"PATCH {A}",
        "Change an agent's name, language or settings",
        "agents",
        body=out.AgentPatch,
        response=out.AgentResource,
    ),
    Route(
        f"PUT {A}/knowledge",
        "Replace the agent's knowledge articles",
        "agents",
        body=PutKnowledgeRequest,
        response=out.KnowledgeReplaced,
    ),
    Route(
        f"GET {A}/knowledge",
        "The knowledge source, article count and last Help Center sync",
        "knowledge",
        response=out.KnowledgeResource,
    ),
    Route(
        f"PUT {A}/knowledge/source",
        "Choose the knowledge source: manual or the Zendesk Help Center",
        "knowledge",
        body=KnowledgeSourceRequest,
        response=out.KnowledgeResource,
    ),
    Route(
        f"POST {A}/knowledge/sync",
        "Sync the knowledge from the Zendesk Help Center now",
        "knowledge",
        202,
        response=out.KnowledgeSyncStarted,
    ),
    Route(
        f"POST {I}",
        "Create the Zendesk Support integration",
        "integration",
        201,
        CreateIntegrationRequest,
        out.IntegrationResource,
    ),
    Route(f"GET {I}", "Show the integration", "integration", response=out.IntegrationResource),
    Route(f"DELETE {I}", "Delete the integration", "integration", 204),
    Route(
        f"GET {I}/checks",
        "Check the integration live against Zendesk",
        "integration",
        response=out.Checks,
        calls_zendesk=True,
    ),
    Route(
        f"POST {I}/authorization",
        "Start OAuth: Zendesk's consent URL",
        "authorization",
        response=out.AuthorizeUrl,
    ),
    Route(
        f"DELETE {I}/authorization",
        "Revoke the authorization",
        "authorization",
        response=out.IntegrationResource,
        calls_zendesk=True,
    ),
    Route(
        "GET /oauth/zendesk/callback",
        "Zendesk's OAuth redirect (an HTML page)",
        "authorization",
        admin=False,
        html=True,
        calls_zendesk=True,
    ),
    Route(
        f"POST {I}/trigger",
        "Create the automation trigger and its webhook",
        "trigger",
        201,
        CreateTriggerRequest,
        out.TriggerCreated,
        body_optional=True,
        calls_zendesk=True,
    ),
    Route(
        f"GET {I}/trigger",
        "Show the trigger as Zendesk has it",
        "trigger",
        response=out.TriggerShown,
        calls_zendesk=True,
    ),
    Route(
        f"PUT {I}/trigger",
        "Edit or reorder the trigger",
        "trigger",
        body=UpdateTriggerRequest,
        response=out.TriggerUpdated,
        calls_zendesk=True,
    ),
    Route(
        f"POST {I}/trigger/deactivate",
        "Deactivate the trigger",
        "trigger",
        response=out.IntegrationResource,
        calls_zendesk=True,
    ),
    Route(
        f"PUT {I}/engine",
        "Turn the automation engine on or off",
        "engine",
        body=ToggleEngineRequest,
        response=out.IntegrationResource,
    ),
    Route(
        f"POST {I}/imports",
        "Start an import of historical tickets",
        "imports",
        202,
        ImportRequest,
        out.ImportStatus,
    ),
    Route(
        f"GET {I}/imports/{{import_id}}",
        "An import's progress",
        "imports",
        response=out.ImportStatus,
    ),
    Route(
        f"POST {I}/imports/{{import_id}}/cancel",
        "Cancel a running import",
        "imports",
        response=out.ImportStatus,
    ),
    Route(
        f"POST {I}/disconnect",
        "Start the disconnect workflow",
        "disconnect",
        202,
        StartDisconnectRequest,
        out.DisconnectStarted,
        body_optional=True,
    ),
    Route(
        f"GET {I}/disconnect",
        "The disconnect workflow's progress",
        "disconnect",
        response=out.DisconnectStatus,
    ),
    Route(
        f"GET {A}/conversations",
        "The conversation log, newest first",
        "conversations",
        response=out.ConversationPage,
        query=ListConversationsQuery,
    ),
    Route(
        f"GET {A}/conversations/{{ticket_id}}",
        "One conversation with messages and decisions",
        "conversations",
        response=out.ConversationDetailResource,
        query=AccountQuery,
    ),
    Route(
        f"GET {A}/stats",
        "Decision counts by status and reason",
        "conversations",
        response=out.Stats,
        query=AccountQuery,
    ),
    Route("GET /openapi.json", "This document", "meta", admin=False),
)
