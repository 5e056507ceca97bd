"""template.yaml passes `sam validate --lint` (cfn-lint), offline."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

REPO = Path(__file__).resolve().parents[2]


def test_sam_validate_lint() -> None:
    sam = shutil.which("sam") or str(Path(sys.executable).with_name("sam"))
    result = subprocess.run(  # noqa: S603 (fixed arguments)
        [sam, "validate", "--lint", "--template", str(REPO / "template.yaml")],
        capture_output=True,
        text=True,
        timeout=180,
        env={**os.environ, "SAM_CLI_TELEMETRY": "0"},
        check=False,
    )
    assert result.returncode == 0, result.stdout + result.stderr
    assert "is a valid SAM Template" in result.stdout + result.stderr
