"""One module owns the state table's keys: ``zdagent.adapters.keys``."""

from __future__ import annotations

import re
from pathlib import Path

from zdagent.adapters import keys

PACKAGE = Path(keys.__file__).resolve().parents[1]
# A literal key prefix such as "AGENT#", f"SEEN#{...}" or "KB#": an upper-case word and "#".
KEY_LITERAL = re.compile(r"""f?["'][A-Z][A-Z_]+#""")


def test_no_module_but_keys_builds_a_key_string() -> None:
    offenders = [
        f"{path.relative_to(PACKAGE)}:{number}"
        for path in sorted(PACKAGE.rglob("*.py"))
        if path != Path(keys.__file__).resolve()
        for number, line in enumerate(path.read_text().splitlines(), 1)
        if KEY_LITERAL.search(line) and not line.lstrip().startswith(("#", "``"))
    ]
    assert offenders == []


def test_the_documented_table_covers_every_key() -> None:
    built = [
        keys.agent_pk("a"),
        keys.knowledge_sk("k"),
        keys.lease_sk("l"),
        keys.conversation_sk("acme", 1),
        keys.message_sk("acme", 1, "t", "m"),
        keys.decision_sk("acme", 1, "t", "d"),
        keys.conversations_index_pk("a", "acme"),
        keys.conversation_account_sk("acme"),
        keys.stats_sk("acme"),
        keys.reply_claim_sk("acme", 1, 2),
        keys.seen_sk("acme", "s"),
        keys.import_sk("i"),
        keys.import_ticket_sk("i", 1),
        keys.knowledge_source_index_pk("zendesk_help_center"),
        keys.knowledge_seen_sk("s", 1),
        keys.KNOWLEDGE_SK,
        keys.AGENTS_INDEX_PK,
        keys.oauth_state_pk("s"),
        keys.AGENT_SK,
        keys.INTEGRATION_SK,
        keys.DISCONNECT_SK,
        keys.IMPORT_LOCK_SK,
        keys.OAUTH_STATE_SK,
    ]
    table = keys.__doc__ or ""
    for key in built:
        stem = re.split(r"[#\d]", key, maxsplit=1)[0] or key
        assert re.search(rf"\b{re.escape(stem)}\b", table), key


def test_keys_sort_the_way_queries_read_them() -> None:
    assert keys.conversation_sk("acme", 9) < keys.conversation_sk("acme", 10)  # zero-padded
    assert keys.message_sk("acme", 7, "t", "m").startswith(keys.conversation_sk("acme", 7) + "#")
    assert keys.reply_claim_sk("acme", 1, 9) < keys.reply_claim_sk("acme", 1, 10)
    assert keys.import_ticket_sk("i", 9) < keys.import_ticket_sk("i", 10)
    assert keys.knowledge_seen_sk("s", 9).startswith(keys.knowledge_seen_prefix("s"))


def test_a_ticket_is_keyed_by_its_zendesk_account() -> None:
    """Ticket and comment ids are numbered per account: account B's ticket 1 is another item
    than account A's, for the log, the stats, the reply claims and the webhook marks."""
    for build in (
        lambda sub: keys.conversation_sk(sub, 1),
        lambda sub: keys.message_sk(sub, 1, "t", "m"),
        lambda sub: keys.decision_sk(sub, 1, "t", "d"),
        lambda sub: keys.conversations_index_pk("a", sub),
        keys.stats_sk,
        lambda sub: keys.reply_claim_sk(sub, 1, 1000001),
        lambda sub: keys.seen_sk(sub, "k"),
    ):
        assert build("acme") != build("beta")
    assert not keys.conversation_sk("acme", 1).startswith(keys.conversation_prefix("acme2"))
