"""``make bench``: every benchmark in turn; each prints figures and writes bench/results/*.json."""

from __future__ import annotations

import subprocess
import sys

BENCHMARKS = [
    "bench.bench_cold_start",
    "bench.bench_engines",
    "bench.bench_webhook",
    "bench.bench_reply_path",
    "bench.bench_import",
    "bench.bench_knowledge_sync",
]


def main() -> int:
    failed = []
    for module in BENCHMARKS:
        print(f"\n=== {module}", flush=True)
        if subprocess.run([sys.executable, "-m", module], check=False).returncode != 0:  # noqa: S603
            failed.append(module)
    if failed:
        print(f"\nfailed: {', '.join(failed)}", flush=True)
    return 1 if failed else 0


if __name__ == "__main__":
    raise SystemExit(main())
