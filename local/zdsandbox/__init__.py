"""Zendesk sandbox: a stateful local emulator of the Zendesk Support API paths the project uses.

Run it with ``python -m zdsandbox --port 3001``; embed it with
:class:`zdsandbox.server.SandboxServer`.
"""

from zdsandbox.config import SandboxConfig

__all__ = ["SandboxConfig"]
