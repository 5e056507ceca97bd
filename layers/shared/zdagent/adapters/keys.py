"""The state table's key scheme: every ``pk`` / ``sk`` / ``gsi1pk`` string is built here.

One table (``StateTable`` in template.yaml), items grouped by agent:

  pk                    sk                                          item
  AGENT#<id>            AGENT                                       the agent
  AGENT#<id>            INTEGRATION                                 its integration
  AGENT#<id>            KB#<article id>                             knowledge articles
  AGENT#<id>            LEASE#<name>                                short exclusive leases
  AGENT#<id>            CONV#<ticket:012d>                          conversation header
                                                                    (gsi1pk AGENT#<id>#CONVS,
                                                                    gsi1sk <updated_at>#<ticket>)
  AGENT#<id>            CONV#<ticket>#MSG#<created_at>#<message id> a logged message
  AGENT#<id>            CONV#<ticket>#DEC#<at>#<decision id>        a decision
  AGENT#<id>            STATS                                       decision counters
  AGENT#<id>            REPLY#<ticket:012d>#<comment:015d>          exactly-once reply claim
  AGENT#<id>            SEEN#<key>                                  webhook dedupe mark (TTL)
  AGENT#<id>            IMPORT#<id>                                 an import and its checkpoint
  AGENT#<id>            IMPORTPAGE#<id>#<page:06d>#<chunk:03d>      an import's pending tickets
  AGENT#<id>            IMPORTLOCK                                  one import at a time
  AGENT#<id>            DISCONNECT                                  the last disconnect run
  OAUTHSTATE#<state>    STATE                                       a pending authorization (TTL)

Pure string building: no boto3 here (tests check the scheme without AWS).
"""

from __future__ import annotations

AGENT_SK = "AGENT"
INTEGRATION_SK = "INTEGRATION"
STATS_SK = "STATS"
DISCONNECT_SK = "DISCONNECT"
IMPORT_LOCK_SK = "IMPORTLOCK"
OAUTH_STATE_SK = "STATE"
KNOWLEDGE_PREFIX = "KB#"


def agent_pk(agent_id: str) -> str:
    return f"AGENT#{agent_id}"


def knowledge_sk(article_id: str) -> str:
    return f"{KNOWLEDGE_PREFIX}{article_id}"


def lease_sk(name: str) -> str:
    return f"LEASE#{name}"


def conversation_sk(ticket_id: int) -> str:
    return f"CONV#{ticket_id:012d}"


def message_sk(ticket_id: int, created_at: str, message_id: str) -> str:
    return f"{conversation_sk(ticket_id)}#MSG#{created_at}#{message_id}"


def decision_sk(ticket_id: int, at: str, decision_id: str) -> str:
    return f"{conversation_sk(ticket_id)}#DEC#{at}#{decision_id}"


def conversations_index_pk(agent_id: str) -> str:
    """``gsi1pk`` of an agent's conversation headers (newest first by ``gsi1sk``)."""
    return f"{agent_pk(agent_id)}#CONVS"


def conversations_index_sk(updated_at: str, ticket_id: int) -> str:
    return f"{updated_at}#{ticket_id:012d}"


def reply_claim_sk(ticket_id: int, comment_id: int) -> str:
    return f"REPLY#{ticket_id:012d}#{comment_id:015d}"


def seen_sk(key: str) -> str:
    return f"SEEN#{key}"


def import_sk(import_id: str) -> str:
    return f"IMPORT#{import_id}"


def import_page_sk(import_id: str, page: int, chunk: int) -> str:
    return f"IMPORTPAGE#{import_id}#{page:06d}#{chunk:03d}"


def oauth_state_pk(state: str) -> str:
    return f"OAUTHSTATE#{state}"
