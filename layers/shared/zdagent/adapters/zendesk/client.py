"""Typed Zendesk Support client on httpx.

One ``ZendeskClient`` talks to one account (``base_url`` from ``base_url_for``). Every method
sends one documented request (paths and bodies as in
``docs/reference/zendesk-support-oas.yaml``; a unit test validates them), maps errors to
``zdagent.core.errors`` and returns typed records: dataclasses for what the workers read on every
call (``models.py``: tickets, comments and users; ``help_center.py``) and for the trigger
(``automation.py``: webhooks, triggers, categories), pydantic models for the rest
(``exports.py``, ``account.py``). They load with the first method that
returns them, and the services that call those methods import them at their own import, so no
function pays for models it never reads (cold start, issue 16).

Idempotency decides what is retried (see ``retry.py``): GET, PUT, PATCH and DELETE are retried
on 5xx and on any transport error, POSTs only on 429 and on failures before sending. One
exception: a ticket update that carries a comment without ``safe_update`` is treated as a POST,
because replaying it after a read timeout could post the reply twice.
"""

from __future__ import annotations

import random
import time
from collections.abc import Callable, Iterator, Mapping
from types import TracebackType
from typing import TYPE_CHECKING, Any, Self
from urllib.parse import quote

import httpx

from zdagent.adapters.zendesk.auth import NO_REFRESH
from zdagent.adapters.zendesk.pagination import OnPage, iterate_cursor_pages
from zdagent.adapters.zendesk.retry import QueryParams, RequestRunner, RetryPolicy
from zdagent.adapters.zendesk.urls import base_url_for
from zdagent.core.errors import ValidationFailedError, ZendeskError

if TYPE_CHECKING:
    from zdagent.adapters.zendesk.account import Group, GroupMembership, OAuthTokenInfo
    from zdagent.adapters.zendesk.automation import (
        Trigger,
        TriggerCategory,
        TriggerPayload,
        Webhook,
        WebhookCreate,
    )
    from zdagent.adapters.zendesk.exports import IncrementalTicketPage, TicketEventsPage
    from zdagent.adapters.zendesk.help_center import HelpCenterPage, IncrementalArticlePage
    from zdagent.adapters.zendesk.models import (
        Comment,
        Ticket,
        TicketHistory,
        TicketUpdate,
        User,
    )

DEFAULT_USER_AGENT = "zendesk-ai-email-agent/0.1 (httpx)"
PAGE_SIZE = 100

_IDEMPOTENT = frozenset({"GET", "PUT", "PATCH", "DELETE"})


def zendesk_http(
    base_url: str,
    *,
    auth: httpx.Auth | None = None,
    timeout: float,
    transport: httpx.BaseTransport | None,
    user_agent: str,
) -> httpx.Client:
    """The HTTP client every call to a Zendesk account goes through: JSON, our User-Agent, and
    redirects not followed (a redirect would carry the credentials elsewhere)."""
    return httpx.Client(
        base_url=base_url,
        auth=auth,
        timeout=timeout,
        transport=transport,
        follow_redirects=False,
        headers={"User-Agent": user_agent, "Accept": "application/json"},
    )


class ZendeskClient:
    def __init__(
        self,
        base_url: str,
        *,
        auth: httpx.Auth | None,
        timeout: float = 10,
        max_retries: int = 4,
        retry_after_cap: float = 30,
        remaining_time: Callable[[], float] | None = None,
        transport: httpx.BaseTransport | None = None,
        sleep: Callable[[float], None] = time.sleep,
        user_agent: str = DEFAULT_USER_AGENT,
        deadline_margin: float = 2.0,
        uniform: Callable[[float, float], float] = random.uniform,
    ) -> None:
        self.base_url = base_url.rstrip("/")
        self._http = zendesk_http(
            self.base_url, auth=auth, timeout=timeout, transport=transport, user_agent=user_agent
        )
        self._runner = RequestRunner(
            self._http,
            RetryPolicy(
                max_retries=max_retries,
                retry_after_cap=retry_after_cap,
                deadline_margin=deadline_margin,
            ),
            remaining_time=remaining_time,
            sleep=sleep,
            uniform=uniform,
        )

    @classmethod
    def for_subdomain(
        cls,
        subdomain: str,
        *,
        auth: httpx.Auth | None,
        remaining_time: Callable[[], float] | None = None,
        transport: httpx.BaseTransport | None = None,
        retry_after_cap: float | None = None,
        max_retries: int | None = None,
    ) -> ZendeskClient:
        """A client configured from ``settings()`` (base URL template, timeout, retries).

        ``retry_after_cap`` overrides the setting: 0 never sleeps on a 429, it raises
        ``ZendeskRateLimited`` at once so a queued job can come back after ``retry_after``."""
        from zdagent.core.settings import settings  # noqa: PLC0415 (read lazily, never at import)

        config = settings()
        return cls(
            base_url_for(subdomain, config.zendesk_base_url_template),
            auth=auth,
            timeout=config.zendesk_timeout_seconds,
            max_retries=config.zendesk_max_retries if max_retries is None else max_retries,
            retry_after_cap=(
                config.zendesk_retry_after_cap_seconds
                if retry_after_cap is None
                else retry_after_cap
            ),
            remaining_time=remaining_time,
            transport=transport,
        )

    def close(self) -> None:
        self._http.close()

    def __enter__(self) -> Self:
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self.close()

    # --- plumbing --------------------------------------------------------------------------
    def _send(
        self,
        method: str,
        template: str,
        path_params: Mapping[str, str | int] | None = None,
        *,
        params: QueryParams | None = None,
        json: Any = None,
        idempotent: bool | None = None,
        url: str | None = None,
        ok_statuses: frozenset[int] | None = None,
        extensions: Mapping[str, Any] | None = None,
    ) -> httpx.Response:
        if url is None:
            url = template.format(
                **{k: quote(str(v), safe="") for k, v in (path_params or {}).items()}
            )
        return self._runner.send(
            method,
            template,
            url=url,
            idempotent=method in _IDEMPOTENT if idempotent is None else idempotent,
            params=params,
            json=json,
            ok_statuses=ok_statuses,
            extensions=extensions,
        )

    @staticmethod
    def _body(response: httpx.Response, key: str | None = None) -> Any:
        try:
            body = response.json()
        except ValueError as exc:
            raise ZendeskError(
                f"Zendesk answered {response.status_code} with a body that is not JSON",
                zendesk_status=response.status_code,
            ) from exc
        if key is None:
            return body
        if not isinstance(body, dict) or key not in body:
            raise ZendeskError(
                f"Zendesk answered {response.status_code} without {key!r}",
                zendesk_status=response.status_code,
            )
        return body[key]

    def _get(self, template: str, key: str, **path_params: str | int) -> Any:
        return self._body(self._send("GET", template, path_params), key)

    def _paginate(
        self,
        template: str,
        items_key: str,
        path_params: Mapping[str, str | int],
        params: Mapping[str, str | int | bool] | None = None,
        on_page: OnPage | None = None,
    ) -> Iterator[dict[str, Any]]:
        first_url = template.format(**{k: quote(str(v), safe="") for k, v in path_params.items()})

        def fetch(url: str, query: Mapping[str, str | int | bool] | None) -> Any:
            return self._body(self._send("GET", template, url=url, params=query))

        return iterate_cursor_pages(
            fetch,
            url=first_url,
            params={"page[size]": PAGE_SIZE, **(params or {})},
            items_key=items_key,
            base_url=self.base_url,
            on_page=on_page,
        )

    # --- the account -----------------------------------------------------------------------
    def public_locales(self) -> list[dict[str, Any]]:
        """``GET /api/v2/locales/public`` (ListAvailablePublicLocales, allowed for anyone): a
        cheap request that answers on every real account, anonymously."""
        locales = self._get("/api/v2/locales/public", "locales")
        if not isinstance(locales, list):
            raise ZendeskError("Zendesk answered public locales that are not a list")
        return [locale for locale in locales if isinstance(locale, dict)]

    # --- users and groups ------------------------------------------------------------------
    def me(self) -> User:
        from zdagent.adapters.zendesk.models import User  # noqa: PLC0415

        return User.from_json(self._get("/api/v2/users/me", "user"))

    def get_user(self, user_id: int) -> User:
        from zdagent.adapters.zendesk.models import User  # noqa: PLC0415

        return User.from_json(self._get("/api/v2/users/{user_id}", "user", user_id=user_id))

    def find_user_by_email(self, email: str) -> User | None:
        """The user whose primary email is ``email`` (case-insensitive), or None."""
        from zdagent.adapters.zendesk.models import User  # noqa: PLC0415

        response = self._send("GET", "/api/v2/users/search", params={"query": f"email:{email}"})
        wanted = email.strip().casefold()
        for raw in self._body(response, "users"):
            user = User.from_json(raw)
            if user.email is not None and user.email.casefold() == wanted:
                return user
        return None

    def user_group_memberships(self, user_id: int) -> Iterator[GroupMembership]:
        from zdagent.adapters.zendesk.account import GroupMembership  # noqa: PLC0415

        pages = self._paginate(
            "/api/v2/users/{user_id}/group_memberships",
            "group_memberships",
            {"user_id": user_id},
        )
        return (GroupMembership.model_validate(raw) for raw in pages)

    def group_memberships_of_group(self, group_id: int) -> Iterator[GroupMembership]:
        from zdagent.adapters.zendesk.account import GroupMembership  # noqa: PLC0415

        pages = self._paginate(
            "/api/v2/groups/{group_id}/memberships",
            "group_memberships",
            {"group_id": group_id},
        )
        return (GroupMembership.model_validate(raw) for raw in pages)

    def get_group(self, group_id: int) -> Group:
        from zdagent.adapters.zendesk.account import Group  # noqa: PLC0415

        return Group.model_validate(
            self._get("/api/v2/groups/{group_id}", "group", group_id=group_id)
        )

    # --- tickets ---------------------------------------------------------------------------
    def get_ticket(self, ticket_id: int) -> Ticket:
        from zdagent.adapters.zendesk.models import Ticket  # noqa: PLC0415

        return Ticket.from_json(
            self._get("/api/v2/tickets/{ticket_id}", "ticket", ticket_id=ticket_id)
        )

    def list_comments(self, ticket_id: int, *, newest_first: bool = False) -> Iterator[Comment]:
        """Every comment (public and internal), oldest first unless ``newest_first``."""
        from zdagent.adapters.zendesk.models import Comment  # noqa: PLC0415

        pages = self._paginate(
            "/api/v2/tickets/{ticket_id}/comments",
            "comments",
            {"ticket_id": ticket_id},
            {"sort": "-created_at"} if newest_first else None,
        )
        return (Comment.from_json(raw) for raw in pages)

    def ticket_history(self, ticket_id: int) -> TicketHistory:
        """The ticket, every comment (oldest first, public and internal) and their authors in
        one request a page: the ticket's audits (``GET /api/v2/tickets/{id}/audits``, up to 100
        a page) with the ticket and the users sideloaded (``include=users,tickets``; the audits
        need the global ``read`` scope). If Zendesk left the ticket out, it is read on its own.
        """
        from zdagent.adapters.zendesk.models import (  # noqa: PLC0415
            Ticket,
            TicketAudit,
            TicketHistory,
            User,
            comments_from_audits,
        )

        users: dict[int, User] = {}
        tickets: dict[int, Ticket] = {}

        def keep_sideloads(page: dict[str, Any]) -> None:
            for raw in page.get("users") or ():
                user = User.from_json(raw)
                users[user.id] = user
            for raw in page.get("tickets") or ():
                ticket = Ticket.from_json(raw)
                tickets[ticket.id] = ticket

        pages = self._paginate(
            "/api/v2/tickets/{ticket_id}/audits",
            "audits",
            {"ticket_id": ticket_id},
            {"include": "users,tickets"},
            on_page=keep_sideloads,
        )
        audits = [TicketAudit.from_json(raw) for raw in pages]
        ticket = tickets.get(ticket_id) or self.get_ticket(ticket_id)
        return TicketHistory(ticket, comments_from_audits(audits), users)

    def update_ticket(self, ticket_id: int, update: TicketUpdate) -> Ticket:
        from zdagent.adapters.zendesk.models import Ticket  # noqa: PLC0415

        replay_safe = update.comment is None or bool(update.safe_update)
        response = self._send(
            "PUT",
            "/api/v2/tickets/{ticket_id}",
            {"ticket_id": ticket_id},
            json={"ticket": update.to_json()},
            idempotent=replay_safe,
        )
        return Ticket.from_json(self._body(response, "ticket"))

    def add_tags(self, ticket_id: int, tags: list[str]) -> list[str]:
        """Add ``tags`` without touching the others; returns the ticket's tags after."""
        response = self._send(
            "PUT",
            "/api/v2/tickets/{ticket_id}/tags",
            {"ticket_id": ticket_id},
            json={"tags": list(tags)},
        )
        return [str(tag) for tag in self._body(response, "tags")]

    def incremental_tickets(
        self,
        *,
        start_time: int | None = None,
        cursor: str | None = None,
        per_page: int = 1000,
    ) -> IncrementalTicketPage:
        """One page of the cursor export: start with ``start_time``, go on with ``cursor``."""
        from zdagent.adapters.zendesk.exports import IncrementalTicketPage  # noqa: PLC0415

        if (start_time is None) == (cursor is None):
            raise ValidationFailedError("give exactly one of start_time and cursor")
        if not 1 <= per_page <= 1000:
            raise ValidationFailedError("per_page must be between 1 and 1000")
        params: dict[str, str | int | bool] = {"per_page": per_page}
        if cursor is not None:
            params["cursor"] = cursor
        else:
            params["start_time"] = int(start_time or 0)
        body = self._body(self._send("GET", "/api/v2/incremental/tickets/cursor", params=params))
        return IncrementalTicketPage.from_json(body)

    def ticket_events(self, *, start_time: int, per_page: int = 1000) -> TicketEventsPage:
        """One page of the ticket event export from ``start_time``, comments included
        (``include=comment_events``): up to 1,000 ticket updates with their comments."""
        from zdagent.adapters.zendesk.exports import TicketEventsPage  # noqa: PLC0415

        if not 1 <= per_page <= 1000:
            raise ValidationFailedError("per_page must be between 1 and 1000")
        params: dict[str, str | int | bool] = {
            "start_time": int(start_time),
            "include": "comment_events",
            "per_page": per_page,
        }
        body = self._body(self._send("GET", "/api/v2/incremental/ticket_events", params=params))
        return TicketEventsPage.from_json(body)

    # --- webhooks --------------------------------------------------------------------------
    def create_webhook(self, webhook: WebhookCreate) -> Webhook:
        from zdagent.adapters.zendesk.automation import Webhook  # noqa: PLC0415

        response = self._send("POST", "/api/v2/webhooks", json={"webhook": webhook.to_json()})
        return Webhook.from_json(self._body(response, "webhook"))

    def get_webhook(self, webhook_id: str) -> Webhook:
        from zdagent.adapters.zendesk.automation import Webhook  # noqa: PLC0415

        return Webhook.from_json(
            self._get("/api/v2/webhooks/{webhook_id}", "webhook", webhook_id=webhook_id)
        )

    def update_webhook_status(self, webhook_id: str, status: str) -> None:
        """Activate or deactivate (``PATCH``, 204); setting a status is safe to replay."""
        if status not in ("active", "inactive"):
            raise ValidationFailedError("webhook status must be 'active' or 'inactive'")
        self._send(
            "PATCH",
            "/api/v2/webhooks/{webhook_id}",
            {"webhook_id": webhook_id},
            json={"webhook": {"status": status}},
        )

    def delete_webhook(self, webhook_id: str) -> None:
        self._send("DELETE", "/api/v2/webhooks/{webhook_id}", {"webhook_id": webhook_id})

    def webhook_signing_secret(self, webhook_id: str) -> str:
        secret = self._get(
            "/api/v2/webhooks/{webhook_id}/signing_secret",
            "signing_secret",
            webhook_id=webhook_id,
        )
        if not isinstance(secret, dict) or not isinstance(secret.get("secret"), str):
            raise ZendeskError("Zendesk answered a signing secret without 'secret'")
        return str(secret["secret"])

    # --- triggers --------------------------------------------------------------------------
    def list_triggers(self) -> Iterator[Trigger]:
        from zdagent.adapters.zendesk.automation import Trigger  # noqa: PLC0415

        pages = self._paginate("/api/v2/triggers", "triggers", {})
        return (Trigger.from_json(raw) for raw in pages)

    def get_trigger(self, trigger_id: int) -> Trigger:
        from zdagent.adapters.zendesk.automation import Trigger  # noqa: PLC0415

        return Trigger.from_json(
            self._get("/api/v2/triggers/{trigger_id}", "trigger", trigger_id=trigger_id)
        )

    def create_trigger(self, payload: TriggerPayload) -> Trigger:
        from zdagent.adapters.zendesk.automation import Trigger  # noqa: PLC0415

        response = self._send("POST", "/api/v2/triggers", json={"trigger": payload.to_json()})
        return Trigger.from_json(self._body(response, "trigger"))

    def update_trigger(self, trigger_id: int, payload: TriggerPayload) -> Trigger:
        """The whole trigger (Zendesk replaces conditions and actions together)."""
        from zdagent.adapters.zendesk.automation import Trigger  # noqa: PLC0415

        response = self._send(
            "PUT",
            "/api/v2/triggers/{trigger_id}",
            {"trigger_id": trigger_id},
            json={"trigger": payload.to_json()},
        )
        return Trigger.from_json(self._body(response, "trigger"))

    def delete_trigger(self, trigger_id: int) -> None:
        self._send("DELETE", "/api/v2/triggers/{trigger_id}", {"trigger_id": trigger_id})

    def reorder_triggers(self, trigger_ids: list[int]) -> None:
        """Every trigger id, in the new order (Zendesk answers 404 if one is missing and
        ``LimitOneCategory`` with several categories: use ``update_many_triggers`` then)."""
        self._send("PUT", "/api/v2/triggers/reorder", json={"trigger_ids": list(trigger_ids)})

    def update_many_triggers(self, items: list[dict[str, Any]]) -> list[Trigger]:
        """Items ``{"id", "position"?, "active"?, "category_id"?}``; other keys are ignored
        by Zendesk, so they are refused here."""
        from zdagent.adapters.zendesk.automation import Trigger  # noqa: PLC0415

        allowed = {"id", "position", "active", "category_id"}
        for item in items:
            if "id" not in item or not set(item) <= allowed:
                raise ValidationFailedError(
                    "each trigger item needs 'id' and may have only position, active, category_id"
                )
        response = self._send("PUT", "/api/v2/triggers/update_many", json={"triggers": list(items)})
        return [Trigger.from_json(raw) for raw in self._body(response, "triggers")]

    def list_trigger_categories(self) -> list[TriggerCategory]:
        """Every ticket trigger category, by ``position`` (then id)."""
        from zdagent.adapters.zendesk.automation import TriggerCategory  # noqa: PLC0415

        pages = self._paginate("/api/v2/trigger_categories", "trigger_categories", {})
        categories = [TriggerCategory.from_json(raw) for raw in pages]
        return sorted(categories, key=lambda c: (c.position or 0, c.id))

    def trigger_definitions(self) -> dict[str, Any]:
        """``{"actions": [...], "conditions_all": [...], "conditions_any": [...]}``."""
        definitions = self._get("/api/v2/triggers/definitions", "definitions")
        if not isinstance(definitions, dict):
            raise ZendeskError("Zendesk answered trigger definitions that are not an object")
        return definitions

    # --- Help Center (Guide) ------------------------------------------------------------------
    def help_center_locales(self) -> list[str]:
        """The locales the Help Center is published in (``GET /api/v2/help_center/locales``)."""
        locales = self._get("/api/v2/help_center/locales", "locales")
        if not isinstance(locales, list):
            raise ZendeskError("Zendesk answered Help Center locales that are not a list")
        return [str(locale) for locale in locales]

    def help_center_articles_page(
        self, locale: str, *, after: str | None = None, page_size: int = PAGE_SIZE
    ) -> HelpCenterPage:
        """One cursor page of ``GET /api/v2/help_center/{locale}/articles`` (oldest first)."""
        from zdagent.adapters.zendesk.help_center import HelpCenterPage  # noqa: PLC0415

        params: dict[str, str | int | bool] = {
            "page[size]": page_size,
            "sort_by": "created_at",
            "sort_order": "asc",
        }
        if after:
            params["page[after]"] = after
        response = self._send(
            "GET", "/api/v2/help_center/{locale}/articles", {"locale": locale}, params=params
        )
        body = self._body(response)
        if not isinstance(body, dict) or not isinstance(body.get("articles"), list):
            raise ZendeskError("Zendesk answered an article page without 'articles'")
        meta = body.get("meta") or {}
        if not isinstance(meta.get("after_cursor"), str | None):
            raise ZendeskError("Zendesk answered an article page whose after_cursor is not text")
        return HelpCenterPage(
            articles=body["articles"],
            has_more=bool(meta.get("has_more")),
            after_cursor=meta.get("after_cursor"),
        )

    def help_center_incremental_articles(self, start_time: int) -> IncrementalArticlePage:
        """One page of ``GET /api/v2/help_center/incremental/articles`` (time-based: the next
        page starts at this page's ``end_time``)."""
        from zdagent.adapters.zendesk.help_center import IncrementalArticlePage  # noqa: PLC0415

        body = self._body(
            self._send(
                "GET",
                "/api/v2/help_center/incremental/articles",
                params={"start_time": int(start_time)},
            )
        )
        if not isinstance(body, dict) or not isinstance(body.get("articles"), list):
            raise ZendeskError("Zendesk answered an incremental export without 'articles'")
        end_time = body.get("end_time")
        return IncrementalArticlePage(
            articles=body["articles"],
            end_time=int(end_time) if isinstance(end_time, int | float) else None,
            has_next_page=bool(body.get("next_page")),
        )

    # --- OAuth tokens ----------------------------------------------------------------------
    def current_token(self) -> OAuthTokenInfo:
        from zdagent.adapters.zendesk.account import OAuthTokenInfo  # noqa: PLC0415

        return OAuthTokenInfo.model_validate(
            self._get("/api/v2/oauth/tokens/current.json", "token")
        )

    def revoke_current_token(self, *, missing_ok: bool = False) -> None:
        """Revoke the token this client authenticates with (204).

        Never refreshes on 401: a refused token is what revoking wants. With ``missing_ok``
        a 401 counts as "already revoked"; otherwise it raises ``ZendeskAuthError``.
        """
        self._send(
            "DELETE",
            "/api/v2/oauth/tokens/current.json",
            ok_statuses=frozenset({401}) if missing_ok else None,
            extensions={NO_REFRESH: True},
        )
