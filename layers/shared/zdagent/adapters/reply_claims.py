"""Exactly-once bookkeeping of replies: one claim item per (ticket, customer comment).

  AGENT#<id> / REPLY#<subdomain>#<ticket:012d>#<comment:015d>
                                state claimed|done, owner, lease_until, plan

(comment ids are numbered per Zendesk account, so the claims are per account too).

A worker *claims* the comment (a lease, so a crashed worker's claim can be taken over), writes
its *plan* (what it is about to post) before the Zendesk write, and marks the claim *done* after
logging. A worker that finds a plan and our comment already on the ticket finishes the bookkeeping
of that plan instead of writing again.
"""

from __future__ import annotations

import time
from dataclasses import dataclass
from typing import Any, Literal

from botocore.exceptions import ClientError

from zdagent.adapters.dynamodb import (
    StateStore,
    from_dynamo,
    map_client_error,
    to_dynamo,
)
from zdagent.adapters.keys import agent_pk, reply_claim_sk
from zdagent.domain.reply_plan import ReplyPlan

CLAIM_TTL_SECONDS = 14 * 24 * 3600


@dataclass(frozen=True)
class Claim:
    status: Literal["claimed", "done", "busy"]
    owner: str
    plan: ReplyPlan | None = None


@dataclass
class ReplyClaims:
    store: StateStore
    subdomain: str  # the Zendesk account the tickets belong to

    def claim(
        self, agent_id: str, ticket_id: int, comment_id: int, *, owner: str, lease_seconds: int
    ) -> Claim:
        now = int(time.time())
        key = {
            "pk": agent_pk(agent_id),
            "sk": reply_claim_sk(self.subdomain, ticket_id, comment_id),
        }
        try:
            answer = self.store.table.update_item(
                Key=key,
                UpdateExpression="SET #s = :claimed, #o = :owner, lease_until = :until, "
                "expires_at = :expires",
                ConditionExpression="attribute_not_exists(pk) OR (#s = :claimed AND "
                "lease_until < :now)",
                ExpressionAttributeNames={"#s": "state", "#o": "owner"},
                ExpressionAttributeValues={
                    ":claimed": "claimed",
                    ":owner": owner,
                    ":until": now + lease_seconds,
                    ":expires": now + CLAIM_TTL_SECONDS,
                    ":now": now,
                },
                ReturnValues="ALL_NEW",
            )
        except ClientError as exc:
            if exc.response.get("Error", {}).get("Code") != "ConditionalCheckFailedException":
                raise map_client_error(exc) from exc
            current = self.store.get(key["pk"], key["sk"]) or {}
            return Claim("done" if current.get("state") == "done" else "busy", owner)
        item = from_dynamo(answer.get("Attributes") or {})
        plan = item.get("plan")
        return Claim("claimed", owner, None if plan is None else ReplyPlan.from_json(plan))

    def save_plan(
        self, agent_id: str, ticket_id: int, comment_id: int, owner: str, plan: ReplyPlan
    ) -> None:
        self._update(
            agent_id,
            ticket_id,
            comment_id,
            "SET #p = :plan",
            {":plan": to_dynamo(plan.to_json()), ":owner": owner},
            names={"#p": "plan", "#o": "owner"},
            condition="#o = :owner",
        )

    def complete(self, agent_id: str, ticket_id: int, comment_id: int, outcome: str) -> None:
        self._update(
            agent_id,
            ticket_id,
            comment_id,
            "SET #s = :done, outcome = :outcome",
            {":done": "done", ":outcome": outcome},
            names={"#s": "state"},
        )

    def release(self, agent_id: str, ticket_id: int, comment_id: int, owner: str) -> None:
        """Give the claim up now (an error we raise): the retry need not wait for the lease."""
        try:
            self._update(
                agent_id,
                ticket_id,
                comment_id,
                "SET lease_until = :zero",
                {":zero": 0, ":owner": owner, ":claimed": "claimed"},
                names={"#o": "owner", "#s": "state"},
                condition="#o = :owner AND #s = :claimed",
            )
        except Exception:  # best effort; the lease expires anyway
            return

    def _update(
        self,
        agent_id: str,
        ticket_id: int,
        comment_id: int,
        expression: str,
        values: dict[str, Any],
        *,
        names: dict[str, str],
        condition: str | None = None,
    ) -> None:
        kwargs: dict[str, Any] = {
            "Key": {
                "pk": agent_pk(agent_id),
                "sk": reply_claim_sk(self.subdomain, ticket_id, comment_id),
            },
            "UpdateExpression": expression,
            "ExpressionAttributeNames": names,
            "ExpressionAttributeValues": values,
        }
        if condition:
            kwargs["ConditionExpression"] = condition
        try:
            self.store.table.update_item(**kwargs)
        except ClientError as exc:
            raise map_client_error(exc) from exc
