"""Cold starts (issue 16): each function's handler import against a bare ``import boto3``.

Run from the repository root: ``.venv/bin/python -m bench.bench_cold_start`` (``--runs``,
``--no-bytecode``). Prints each function's ratio against its target and writes
``bench/results/cold_start.json`` (``cold_start_source.json`` with ``--no-bytecode``).

What Lambda has, rebuilt here: the runtime, a virtualenv holding boto3 alone (the runtime's own
copy, with the ``.pyc`` pip wrote), and the layer, the layer's locked requirements installed
without bytecode, both cached in ``bench/.venv-bench`` and rebuilt when the requirements change.
Each run copies those requirements and the ``zdagent`` package to ``opt/python`` and compiles
them as ``layers/shared/Makefile`` does at ``sam build`` (unchecked-hash ``.pyc``; with
``--no-bytecode`` they stay source only, as the python3.13 build method shipped them, so every
cold start compiled them), copies every function's code to ``task/<name>`` (source only: SAM
copies it as is, and Lambda's file system is read-only, so no cache is written) and imports the
handler module in a fresh process (``-B``) with ``sys.path`` as Lambda sets it (task first, then
the layer) and the template's literal Globals environment.

Figures: ``--runs`` paired rounds. In each round every function's import runs in a fresh process
right after a fresh ``import boto3``, and the pair gives one ratio; a function's ratio is the
median of its per-round ratios, printed with their quartiles and range (the spread). Pairing
replaced a ratio of two medians (each target's own median over interleaved runs): both measure
the same thing, the import's CPU time in a fresh process against ``import boto3``'s, but a pair
taken a fraction of a second apart shares the machine's state, so a shared machine's slow
stretches cancel out instead of landing on one side of the ratio. Each process measures the
import's wall time and the CPU time its process spent (user + system, reading the ``.pyc`` files
included). The ratios judged are of CPU time: a Lambda cold start runs on its own
vCPU, where the two are the same, while on a shared machine the wall time also counts the waits
for a core other work holds (at a load of 10 on 2 cores the wall ratios swing by 0.5x from run to
run); the wall-time ratios are printed and written beside them. Targets: the webhook receiver at
most 1.3x ``import boto3``, every other function at most 2x. Each function
with AWS permissions must also load boto3 during its import (it uses AWS on every invocation, so
moving boto3 to the first request would only hide the cost), so must Zendesk access (token provider,
OAuth, HTTP client) and the integration's repository (it names the account) in each
function that calls Zendesk on every invocation, and the reply worker must load the engine's
retrieval (both engines run it on every message; before issue 16's third pass it loaded at the first
message, so earlier figures left out its ~0.15x). The webhook must load neither pydantic, httpx,
the Zendesk client, Powertools' event handler nor an engine.
"""

from __future__ import annotations

import argparse
import hashlib
import json
import shutil
import statistics
import subprocess
import sys
import venv
from dataclasses import dataclass
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
sys.path[:0] = [str(ROOT / "local")]

from zdlocal.template import load_template  # noqa: E402

CACHE = ROOT / "bench" / ".venv-bench"
RESULTS = ROOT / "bench" / "results" / "cold_start.json"
BASELINE = "boto3"
TARGETS = {"WebhookFunction": 1.3}
DEFAULT_TARGET = 2.0
# modules the webhook receiver must not load: it never calls Zendesk, routes one path, answers
# nothing with an engine, and reads its few values without models (services/inbound.py)
WEBHOOK_FORBIDDEN = (
    "pydantic",
    "httpx",
    "zdagent.adapters.zendesk.client",
    "aws_lambda_powertools.event_handler",
    "zdagent.adapters.engines",
    "aws_xray_sdk",
)
# functions that call Zendesk on every invocation: its access must load during their import too
# (Context.zendesk_for builds it lazily, which would otherwise move its cost to the first request)
ZENDESK_EVERY_CALL = (
    "ReplyWorkerFunction",
    "TriggerFunction",
    "KnowledgeWorkerFunction",
    "ImportWorkerFunction",
)
ZENDESK_ACCESS = "zdagent.adapters.tokens"  # the token provider: loads OAuth and the client
# calling Zendesk needs the integration (its account): its repository, which Context loads lazily
STATE_ACCESS = "zdagent.adapters.integration_repository"
# each message the reply worker decides on runs the engine retrieval (get_engine builds it lazily)
ENGINE_EVERY_CALL = {"ReplyWorkerFunction": "zdagent.adapters.engines.knowledge"}
WATCHED = (
    "boto3",
    "aws_xray_sdk",
    ZENDESK_ACCESS,
    STATE_ACCESS,
    *ENGINE_EVERY_CALL.values(),
    *WEBHOOK_FORBIDDEN,
)

PROBE = """
import json, sys, time
sys.path[:0] = {paths!r}
started, cpu_started = time.perf_counter(), time.process_time()
import {module}
seconds, cpu = time.perf_counter() - started, time.process_time() - cpu_started
loaded = [m for m in {watched!r} if m in sys.modules]
print(json.dumps({{"seconds": seconds, "cpu_seconds": cpu, "loaded": loaded}}))
"""


@dataclass(frozen=True)
class Target:
    name: str
    module: str
    task_dir: Path | None  # None: the baseline (import boto3 alone)
    uses_aws: bool = True  # the template grants it AWS permissions

    @property
    def target_ratio(self) -> float | None:
        if self.task_dir is None:
            return None
        return TARGETS.get(self.name, DEFAULT_TARGET)


# --- the runtime-only environment ------------------------------------------------------------
BOTO3_PACKAGES = ("boto3", "botocore", "s3transfer")  # pinned as in requirements/dev.lock
# what layers/shared/Makefile runs on the built layer (sam build): CPython bytecode the runtime
# loads without checking the source's timestamp
COMPILE = ("-m", "compileall", "-q", "-j0", "-f", "--invalidation-mode", "unchecked-hash")


def runtime_python() -> tuple[Path, Path]:
    """The runtime (a venv with boto3 alone) and the layer's locked requirements, each cached.

    boto3 keeps the ``.pyc`` pip wrote, as the runtime's own copy has them; the layer's
    requirements are installed without bytecode (``--target``, ``--no-compile``) and compiled
    when staged, as the layer's build does, or left as source (``--no-bytecode``).
    """
    layer_lock = ROOT / "layers" / "shared" / "requirements.txt"
    dev_lock = (ROOT / "requirements" / "dev.lock").read_text()
    pins = [
        line.split()[0]
        for line in dev_lock.splitlines()
        if line.split("==")[0] in BOTO3_PACKAGES and "==" in line
    ]
    key = hashlib.sha256((layer_lock.read_text() + " ".join(pins)).encode()).hexdigest()
    runtime = CACHE / "runtime"
    python = runtime / "bin" / "python"
    site = CACHE / "layer-site"
    stamp = CACHE / ".requirements-sha256"
    if python.exists() and site.exists() and stamp.exists() and stamp.read_text() == key:
        return python, site
    print(f"building the runtime-only environment in {CACHE.relative_to(ROOT)} ...", flush=True)
    shutil.rmtree(CACHE, ignore_errors=True)
    venv.EnvBuilder(with_pip=True, clear=True).create(runtime)
    pip = [str(python), "-m", "pip", "install", "--quiet", "--disable-pip-version-check"]
    subprocess.run([*pip, *pins], check=True)  # noqa: S603
    subprocess.run(  # noqa: S603
        [*pip, "--no-compile", "--require-hashes", "--target", str(site), "-r", str(layer_lock)],
        check=True,
    )
    shutil.rmtree(site / "bin", ignore_errors=True)
    stamp.write_text(key)
    return python, site


def stage_code(work: Path, site: Path, python: Path, bytecode: bool) -> tuple[Path, list[Target]]:
    """Lay out the layer (requirements + zdagent) and each function's code as Lambda does."""
    shutil.rmtree(work, ignore_errors=True)
    layer = work / "opt" / "python"
    shutil.copytree(site, layer, ignore=shutil.ignore_patterns("__pycache__"))
    shutil.copytree(
        ROOT / "layers" / "shared" / "zdagent",
        layer / "zdagent",
        ignore=shutil.ignore_patterns("__pycache__"),
    )
    if bytecode:
        subprocess.run([str(python), *COMPILE, str(layer)], check=True)  # noqa: S603
    targets = [Target(BASELINE, "boto3", None)]
    for spec in sorted(load_template().functions(), key=lambda s: s.logical_id):
        task = work / "task" / spec.logical_id
        shutil.copytree(spec.code_dir, task, ignore=shutil.ignore_patterns("__pycache__"))
        module = spec.handler.rpartition(".")[0]
        policies = load_template().resources[spec.logical_id]["Properties"].get("Policies")
        targets.append(Target(spec.logical_id, module, task, uses_aws=bool(policies)))
    return layer, targets


def lambda_environment() -> dict[str, str]:
    """The template's Globals variables that are literal strings (Refs need a deployed stack)."""
    globals_ = load_template().body.get("Globals", {}).get("Function", {})
    variables = globals_.get("Environment", {}).get("Variables", {})
    return {name: value for name, value in variables.items() if isinstance(value, str)}


# --- measuring ------------------------------------------------------------------------------
def probe(python: Path, target: Target, layer: Path, env: dict[str, str]) -> dict[str, Any]:
    paths = [str(target.task_dir), str(layer)] if target.task_dir else []
    code = PROBE.format(paths=paths, module=target.module, watched=WATCHED)
    answer = subprocess.run(  # noqa: S603
        [str(python), "-B", "-s", "-c", code],
        cwd=target.task_dir or CACHE,
        env=env,
        capture_output=True,
        text=True,
        check=False,
    )
    if answer.returncode != 0:
        raise RuntimeError(f"importing {target.name} failed:\n{answer.stderr}")
    result: dict[str, Any] = json.loads(answer.stdout.strip().splitlines()[-1])
    return result


def measure(runs: int, bytecode: bool = True) -> dict[str, Any]:
    """Paired rounds: in each round every function is imported right after a fresh ``import boto3``.

    Each function's ratio is the median, over the rounds, of its import's CPU time divided by
    the CPU time of the ``import boto3`` measured just before it (both a few hundred ms apart):
    a slower stretch of a shared machine slows both sides of a pair alike, where a ratio of two
    medians taken minutes apart moved with whatever else ran. The spread printed is the range
    (and the quartiles) of those per-round ratios.
    """
    python, site = runtime_python()
    layer, targets = stage_code(CACHE / "stage", site, python, bytecode)
    env = {"PATH": "/usr/bin:/bin", "AWS_DEFAULT_REGION": "us-east-1"} | lambda_environment()
    baseline, functions = targets[0], targets[1:]
    seconds: dict[str, list[float]] = {t.name: [] for t in targets}
    cpu: dict[str, list[float]] = {t.name: [] for t in targets}
    ratios: dict[str, list[float]] = {t.name: [] for t in functions}
    wall_ratios: dict[str, list[float]] = {t.name: [] for t in functions}
    loaded: dict[str, list[str]] = {}
    for _ in range(runs):
        for target in functions:
            base = probe(python, baseline, layer, env)
            result = probe(python, target, layer, env)
            for name, measured in ((baseline.name, base), (target.name, result)):
                seconds[name].append(measured["seconds"])
                cpu[name].append(measured["cpu_seconds"])
            ratios[target.name].append(result["cpu_seconds"] / base["cpu_seconds"])
            wall_ratios[target.name].append(result["seconds"] / base["seconds"])
            loaded[target.name] = result["loaded"]
    rows = [_row(baseline, seconds=seconds, cpu=cpu, ratios=[1.0], wall_ratios=[1.0], loaded=[])]
    for target in functions:
        rows.append(
            _row(
                target,
                seconds=seconds,
                cpu=cpu,
                ratios=ratios[target.name],
                wall_ratios=wall_ratios[target.name],
                loaded=loaded[target.name],
            )
        )
    return {
        "runs": runs,
        "pairing": "per round: import boto3, then the function, in two fresh processes",
        "python": sys.version.split()[0],
        "layer_bytecode": bytecode,
        "rows": rows,
    }


def spread(values: list[float]) -> dict[str, float]:
    """Median, quartiles and range of per-round ratios."""
    ordered = sorted(values)
    if len(ordered) > 1:
        low, _, high = statistics.quantiles(ordered, n=4, method="inclusive")
    else:
        low = high = ordered[0]
    return {
        "median": round(statistics.median(ordered), 3),
        "q1": round(low, 3),
        "q3": round(high, 3),
        "min": round(ordered[0], 3),
        "max": round(ordered[-1], 3),
    }


def _row(
    target: Target,
    *,
    seconds: dict[str, list[float]],
    cpu: dict[str, list[float]],
    ratios: list[float],
    wall_ratios: list[float],
    loaded: list[str],
) -> dict[str, Any]:
    ratio = spread(ratios)
    problems = _problems(target, loaded)
    ok = target.target_ratio is None or (ratio["median"] <= target.target_ratio and not problems)
    return {
        "function": target.name,
        "cpu_median_s": round(statistics.median(cpu[target.name]), 4),
        "cpu_runs_s": [round(s, 4) for s in cpu[target.name]],
        "ratio": ratio["median"],
        "ratio_spread": ratio,
        "ratio_runs": [round(r, 3) for r in ratios],
        "median_s": round(statistics.median(seconds[target.name]), 4),
        "runs_s": [round(s, 4) for s in seconds[target.name]],
        "wall_ratio": spread(wall_ratios)["median"],
        "target_ratio": target.target_ratio,
        "share_of_rounds_met": (
            None
            if target.target_ratio is None
            else round(sum(r <= target.target_ratio for r in ratios) / len(ratios), 2)
        ),
        "loaded": loaded,
        "problems": problems,
        "met": ok,
    }


def _problems(target: Target, loaded: list[str]) -> list[str]:
    if target.task_dir is None:
        return []
    problems = []
    if target.uses_aws and "boto3" not in loaded:
        problems.append("boto3 not loaded at import: the comparison would hide its cost")
    if target.name in ZENDESK_EVERY_CALL and ZENDESK_ACCESS not in loaded:
        problems.append(
            "Zendesk access (tokens, client) not loaded at import: its cost would move to a request"
        )
    if target.name in ZENDESK_EVERY_CALL and STATE_ACCESS not in loaded:
        problems.append("the integration repository not loaded at import: its cost would move too")
    engine = ENGINE_EVERY_CALL.get(target.name)
    if engine and engine not in loaded:
        problems.append(f"{engine} not loaded at import: the first message would pay for it")
    if target.name == "WebhookFunction":
        problems += [f"loads {m}" for m in WEBHOOK_FORBIDDEN if m in loaded]
    if "aws_xray_sdk" in loaded:
        problems.append("loads the X-Ray SDK")
    return problems


def main() -> int:
    parser = argparse.ArgumentParser(description=(__doc__ or "").splitlines()[0])
    parser.add_argument("--runs", type=int, default=9)
    parser.add_argument(
        "--no-bytecode",
        action="store_true",
        help="the layer as source only (as the python3.13 build method shipped it before)",
    )
    args = parser.parse_args()
    figures = measure(args.runs, bytecode=not args.no_bytecode)
    print(
        f"cold start: {figures['runs']} paired rounds (import boto3, then the function, each in a "
        "fresh process), runtime-only environment;\n  ratio = median of the per-round ratios of "
        "import CPU time [quartiles, range]; wall-time ratio (median) beside"
    )
    print(
        "  layer: "
        + (
            "precompiled (unchecked-hash .pyc, as layers/shared/Makefile builds it)"
            if figures["layer_bytecode"]
            else "source only, compiled at every cold start (--no-bytecode)"
        )
        + "; functions' own app.py: source; boto3: the runtime's, with its .pyc"
    )
    for row in figures["rows"]:
        target = row["target_ratio"]
        verdict = "" if target is None else ("  met" if row["met"] else "  MISSED")
        against = "" if target is None else f"  (target <= {target}x)"
        if target is None:
            band = " " * 31
        else:
            band = (
                f"[{row['ratio_spread']['q1']:.2f}-{row['ratio_spread']['q3']:.2f}, "
                f"{row['ratio_spread']['min']:.2f}-{row['ratio_spread']['max']:.2f}] "
            )
        print(
            f"  {row['function']:<26} cpu {row['cpu_median_s'] * 1000:4.0f} ms "
            f"{row['ratio']:5.2f}x {band}wall {row['wall_ratio']:5.2f}x{against}{verdict}"
        )
        for problem in row["problems"]:
            print(f"      {problem}")
    RESULTS.parent.mkdir(exist_ok=True)
    results = RESULTS if figures["layer_bytecode"] else RESULTS.with_name("cold_start_source.json")
    results.write_text(json.dumps(figures, indent=2) + "\n")
    print(f"written: {results}")
    return 0 if all(row["met"] for row in figures["rows"]) else 1


if __name__ == "__main__":
    raise SystemExit(main())
