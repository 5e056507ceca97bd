"""The state table's key scheme: every ``pk`` / ``sk`` / ``gsi1pk`` string is built here.

One table (``StateTable`` in template.yaml), items grouped by agent:

  pk                    sk                                          item
  AGENT#<id>            AGENT                                       the agent
                                                                    (gsi1pk AGENTS,
                                                                    gsi1sk <created_at>#<id>)
  AGENT#<id>            INTEGRATION                                 its integration
  AGENT#<id>            KB#<article id>                             knowledge articles
  AGENT#<id>            KNOWLEDGE                                   knowledge source and sync
                                                                    (Help Center sources: gsi1pk
                                                                    KNOWLEDGESOURCE#<kind>,
                                                                    gsi1sk <agent id>)
  AGENT#<id>            KBSEEN#<sync id>#<page:06d>                 article ids a sync page listed
  AGENT#<id>            LEASE#<name>                                short exclusive leases
  AGENT#<id>            CONV#<subdomain>#<ticket:012d>              conversation header
                                                                    (gsi1pk AGENT#<id>#CONVS#
                                                                    <subdomain>, gsi1sk
                                                                    <updated_at>#<ticket>)
  AGENT#<id>            CONV#<subdomain>#<ticket>#MSG#<created_at>#<message id>
                                                                    a logged message
  AGENT#<id>            CONV#<subdomain>#<ticket>#DEC#<at>#<decision id>
                                                                    a decision
  AGENT#<id>            CONVACCOUNT#<subdomain>                     a Zendesk account the log
                                                                    holds conversations of
  AGENT#<id>            STATS#<subdomain>                           decision counters
  AGENT#<id>            REPLY#<subdomain>#<ticket:012d>#<comment:015d>
                                                                    exactly-once reply claim
  AGENT#<id>            SEEN#<subdomain>#<key>                      webhook dedupe mark (TTL)
  AGENT#<id>            IMPORT#<id>                                 an import and its checkpoint
  AGENT#<id>            IMPORTTICKET#<id>#<ticket:012d>             a ticket an import matched
  AGENT#<id>            IMPORTLOCK                                  one import at a time
  AGENT#<id>            DISCONNECT                                  the last disconnect run
  OAUTHSTATE#<state>    STATE                                       a pending authorization (TTL)

Everything about tickets is keyed by the Zendesk account (its subdomain) as well: ticket and
comment ids are numbered per account, so an agent reconnected to another account meets ticket 1
again, and it must neither overwrite nor be refused as a duplicate of the first account's.

Pure string building: no boto3 here (tests check the scheme without AWS).
"""

from __future__ import annotations

AGENT_SK = "AGENT"
INTEGRATION_SK = "INTEGRATION"
DISCONNECT_SK = "DISCONNECT"
IMPORT_LOCK_SK = "IMPORTLOCK"
OAUTH_STATE_SK = "STATE"
KNOWLEDGE_PREFIX = "KB#"
KNOWLEDGE_SK = "KNOWLEDGE"
AGENTS_INDEX_PK = "AGENTS"  # gsi1: every agent, newest first by gsi1sk


def agent_pk(agent_id: str) -> str:
    return f"AGENT#{agent_id}"


def agents_index_sk(created_at: str, agent_id: str) -> str:
    return f"{created_at}#{agent_id}"


def knowledge_sk(article_id: str) -> str:
    return f"{KNOWLEDGE_PREFIX}{article_id}"


def knowledge_source_index_pk(kind: str) -> str:
    """``gsi1pk`` of the agents whose knowledge comes from a ``kind`` source (the schedule)."""
    return f"KNOWLEDGESOURCE#{kind}"


def knowledge_seen_prefix(sync_id: str) -> str:
    return f"KBSEEN#{sync_id}#"


def knowledge_seen_sk(sync_id: str, page: int) -> str:
    return f"{knowledge_seen_prefix(sync_id)}{page:06d}"


def lease_sk(name: str) -> str:
    return f"LEASE#{name}"


def conversation_prefix(subdomain: str) -> str:
    """Every conversation item of one Zendesk account (headers, messages, decisions)."""
    return f"CONV#{subdomain}#"


def conversation_sk(subdomain: str, ticket_id: int) -> str:
    return f"{conversation_prefix(subdomain)}{ticket_id:012d}"


def message_sk(subdomain: str, ticket_id: int, created_at: str, message_id: str) -> str:
    return f"{conversation_sk(subdomain, ticket_id)}#MSG#{created_at}#{message_id}"


def decision_sk(subdomain: str, ticket_id: int, at: str, decision_id: str) -> str:
    return f"{conversation_sk(subdomain, ticket_id)}#DEC#{at}#{decision_id}"


def conversations_index_pk(agent_id: str, subdomain: str) -> str:
    """``gsi1pk`` of an agent's conversation headers with one account (newest first)."""
    return f"{agent_pk(agent_id)}#CONVS#{subdomain}"


def conversations_index_sk(updated_at: str, ticket_id: int) -> str:
    return f"{updated_at}#{ticket_id:012d}"


CONVERSATION_ACCOUNT_PREFIX = "CONVACCOUNT#"


def conversation_account_sk(subdomain: str) -> str:
    return f"{CONVERSATION_ACCOUNT_PREFIX}{subdomain}"


def stats_sk(subdomain: str) -> str:
    return f"STATS#{subdomain}"


def reply_claim_sk(subdomain: str, ticket_id: int, comment_id: int) -> str:
    return f"REPLY#{subdomain}#{ticket_id:012d}#{comment_id:015d}"


def seen_sk(subdomain: str, key: str) -> str:
    return f"SEEN#{subdomain}#{key}"


def import_sk(import_id: str) -> str:
    return f"IMPORT#{import_id}"


def import_ticket_sk(import_id: str, ticket_id: int) -> str:
    return f"IMPORTTICKET#{import_id}#{ticket_id:012d}"


def oauth_state_pk(state: str) -> str:
    return f"OAUTHSTATE#{state}"
