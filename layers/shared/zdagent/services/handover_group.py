"""Whether the agent's ``handover_group_id`` names a group Zendesk will accept on a ticket.

Used where it is set (``PATCH /agents/{id}``: a 422 naming the group) and by the live checks;
the reply worker still hands over without the group if Zendesk refuses it later (replies.py).
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from zdagent.core.errors import ZendeskNotFound

if TYPE_CHECKING:
    from zdagent.adapters.zendesk.client import ZendeskClient

WHERE_GROUPS_ARE = "Admin Center > People > Team > Groups (the group's id is in its address)"


def group_problem(zendesk: ZendeskClient, group_id: int, subdomain: str) -> str | None:
    """What is wrong with the group, in words an admin can act on, or None when it is usable."""
    try:
        group = zendesk.get_group(group_id)
    except ZendeskNotFound:
        return (
            f"group {group_id} does not exist in the Zendesk account '{subdomain}': pick a "
            f"group from {WHERE_GROUPS_ARE}, or set handover_group_id to null"
        )
    if group.deleted:
        return (
            f"group {group_id} ('{group.name}') was deleted in Zendesk: pick another group from "
            f"{WHERE_GROUPS_ARE}, or set handover_group_id to null"
        )
    return None
