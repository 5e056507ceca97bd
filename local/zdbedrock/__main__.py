"""``python -m zdbedrock [PORT]``: the Converse emulator alone, in the foreground."""

from __future__ import annotations

import sys
import threading

from zdbedrock.server import BedrockEmulator


def main() -> int:
    port = int(sys.argv[1]) if len(sys.argv) > 1 else 3003
    emulator = BedrockEmulator(port=port).start()
    print(f"bedrock converse emulator (not Bedrock): {emulator.url}", flush=True)
    try:
        threading.Event().wait()
    except KeyboardInterrupt:
        pass
    finally:
        emulator.stop()
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
