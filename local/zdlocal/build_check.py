"""``make build``: ``sam build`` the template and check every function fits Lambda's size limit.

Lambda refuses a function whose code plus layers exceed 262,144,000 bytes unzipped. This builds
with SAM (the layer's arm64 wheels come from pip's manylinux aarch64 builds), measures each
function's build directory plus the layers it uses, prints a table and exits 1 if one is over.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
import time
from dataclasses import dataclass
from pathlib import Path

from zdlocal.template import DEFAULT_TEMPLATE, Template, load_template

LAMBDA_UNZIPPED_LIMIT = 262_144_000
BUILD_DIR = Path(".aws-sam") / "build"


@dataclass(frozen=True)
class SizeRow:
    function_id: str
    function_bytes: int
    layer_bytes: int

    @property
    def total(self) -> int:
        return self.function_bytes + self.layer_bytes

    @property
    def fits(self) -> bool:
        return self.total <= LAMBDA_UNZIPPED_LIMIT


def directory_size(path: Path) -> int:
    """Bytes of every regular file under ``path`` (what Lambda counts unzipped)."""
    if not path.exists():
        return 0
    return sum(p.stat().st_size for p in path.rglob("*") if p.is_file() and not p.is_symlink())


def _layer_ids(template: Template, function_id: str) -> list[str]:
    globals_ = (template.body.get("Globals") or {}).get("Function") or {}
    properties = template.resources[function_id].get("Properties") or {}
    layers = properties.get("Layers", globals_.get("Layers")) or []
    return [str(layer["Ref"]) for layer in layers if isinstance(layer, dict) and "Ref" in layer]


def measure(template: Template, build_dir: Path) -> list[SizeRow]:
    rows = []
    for spec in template.functions():
        layer_bytes = sum(
            directory_size(build_dir / layer_id)
            for layer_id in _layer_ids(template, spec.logical_id)
        )
        rows.append(
            SizeRow(
                function_id=spec.logical_id,
                function_bytes=directory_size(build_dir / spec.logical_id),
                layer_bytes=layer_bytes,
            )
        )
    return rows


def sam_build(template_path: Path, repo: Path) -> float:
    """Run ``sam build``; the seconds it took. ``SystemExit`` with SAM's output on failure."""
    venv_bin = Path(sys.executable).parent
    sam = venv_bin / "sam"
    env = {
        **os.environ,
        "SAM_CLI_TELEMETRY": "0",
        # sam needs a python3.13 on PATH for the python3.13 runtime; the venv's is one.
        "PATH": f"{venv_bin}{os.pathsep}{os.environ.get('PATH', '')}",
    }
    command = [
        str(sam) if sam.exists() else (shutil.which("sam") or "sam"),
        "build",
        "--template",
        str(template_path),
        "--build-dir",
        str(repo / BUILD_DIR),
        "--cached",
        "--parallel",
    ]
    started = time.monotonic()
    completed = subprocess.run(  # noqa: S603 - fixed argv
        command, cwd=repo, env=env, capture_output=True, text=True, check=False
    )
    elapsed = time.monotonic() - started
    if completed.returncode != 0:
        sys.stderr.write(completed.stdout[-4000:] + completed.stderr[-4000:])
        raise SystemExit(
            f"sam build failed after {elapsed:.0f}s (exit {completed.returncode}); its output is "
            "above"
        )
    return elapsed


def format_table(rows: list[SizeRow]) -> str:
    mb = 1_000_000
    lines = [f"{'function':<26} {'code MB':>8} {'layers MB':>10} {'total MB':>9}  limit 262.1 MB"]
    for row in sorted(rows, key=lambda r: -r.total):
        lines.append(
            f"{row.function_id:<26} {row.function_bytes / mb:>8.3f} {row.layer_bytes / mb:>10.2f}"
            f" {row.total / mb:>9.2f}  {'ok' if row.fits else 'TOO BIG'}"
        )
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> int:
    args = argv if argv is not None else sys.argv[1:]
    skip_build = "--no-build" in args
    template_path = DEFAULT_TEMPLATE
    repo = template_path.parent
    template = load_template(template_path)
    if not skip_build:
        elapsed = sam_build(template_path, repo)
        print(f"sam build: {elapsed:.0f}s")
    rows = measure(template, repo / BUILD_DIR)
    missing = [r.function_id for r in rows if not (repo / BUILD_DIR / r.function_id).is_dir()]
    if missing:
        print(
            f"no build output for {', '.join(missing)} in {BUILD_DIR}: run without --no-build",
            file=sys.stderr,
        )
        return 1
    print(format_table(rows))
    too_big = [row for row in rows if not row.fits]
    if too_big:
        names = ", ".join(f"{r.function_id} ({r.total:,} bytes)" for r in too_big)
        print(
            f"over Lambda's 262,144,000-byte unzipped limit (code + layers): {names}; "
            "shrink the layer's requirements or the function's code",
            file=sys.stderr,
        )
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
