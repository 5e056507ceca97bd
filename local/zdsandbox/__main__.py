"""python -m zdsandbox --port 3001: the Zendesk sandbox in the foreground."""

from __future__ import annotations

import argparse
import contextlib
import logging
import os

from zdsandbox.config import SandboxConfig
from zdsandbox.server import SandboxServer


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(prog="zdsandbox", description=__doc__)
    parser.add_argument("--port", type=int, default=int(os.environ.get("SANDBOX_PORT", "3001")))
    parser.add_argument("--host", default="127.0.0.1")
    parser.add_argument(
        "--redirect-uri",
        action="append",
        default=[],
        help="an extra allowed OAuth redirect URL (repeatable)",
    )
    parser.add_argument("--quiet", action="store_true", help="do not log each request")
    args = parser.parse_args(argv)
    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(name)s %(message)s")
    config = SandboxConfig(port=args.port, host=args.host)
    config.redirect_uris.extend(args.redirect_uri)
    server = SandboxServer(config, quiet=args.quiet)
    print(f"zdsandbox: serving on http://{args.host}:{args.port} (account acme seeded)", flush=True)
    with contextlib.suppress(KeyboardInterrupt):
        server.serve_forever()


if __name__ == "__main__":
    main()
