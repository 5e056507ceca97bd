"""Benchmark of the reply engines: accuracy, latency, index build time and layer bytes.

Run from the repository root: ``.venv/bin/python -m bench.bench_engines``. Prints a report and
writes ``bench/results/engines.json``. Not a test: timings depend on the machine.

- accuracy of the knowledge engine on ``tests/unit/engines/labelled_emails.json`` (threshold 0.5)
  and per confidence band (how often an answer in that band is right: the calibration table);
- per-email latency (p50/p95/max) with the demo knowledge base and with 1,000 synthetic articles
  (warm index: the index is built once per (agent, version), as in a warm Lambda);
- index build time for both; bytes the engines add to the layer (source + demo JSON, raw and
  zipped; no new third-party dependency).
"""

from __future__ import annotations

import io
import json
import logging
import random
import statistics
import sys
import time
import zipfile
from pathlib import Path
from typing import Any

from pydantic import TypeAdapter

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "layers" / "shared"))

from zdagent.adapters.engines.demo_kb import demo_knowledge_base  # noqa: E402
from zdagent.adapters.engines.evaluation import (  # noqa: E402
    LabelledEmail,
    Outcome,
    accuracy,
    evaluate,
)
from zdagent.adapters.engines.index import KnowledgeIndex  # noqa: E402
from zdagent.adapters.engines.knowledge import KnowledgeEngine  # noqa: E402
from zdagent.adapters.engines.screening import IndexCache  # noqa: E402
from zdagent.core.observability import logger  # noqa: E402
from zdagent.domain.engine import KnowledgeArticle, KnowledgeBase  # noqa: E402

LABELLED = ROOT / "tests" / "unit" / "engines" / "labelled_emails.json"
RESULTS = ROOT / "bench" / "results" / "engines.json"
ENGINE_FILES = [
    ROOT / "layers/shared/zdagent/adapters/engines",
    ROOT / "layers/shared/zdagent/domain/engine.py",
]
SYNTHETIC_ARTICLES = 1000
ROUNDS = 5
BANDS = [(0.0, 0.5), (0.5, 0.6), (0.6, 0.7), (0.7, 0.8), (0.8, 0.9), (0.9, 1.01)]


def load_labelled() -> list[LabelledEmail]:
    raw = json.loads(LABELLED.read_text(encoding="utf-8"))
    return TypeAdapter(list[LabelledEmail]).validate_python(raw)


def synthetic_knowledge(count: int, seed: int = 7) -> KnowledgeBase:
    """The demo articles plus distractors: sentences of words drawn from the demo articles and
    a shop-like vocabulary (EN and FR), so they share words with every question."""
    rng = random.Random(seed)
    demo = demo_knowledge_base().articles
    vocabulary: dict[str, list[str]] = {"en": [], "fr": []}
    for article in demo:
        vocabulary[article.locale].extend(article.body.split())
    extra = (
        "warehouse courier voucher loyalty gift wrapping size chart fabric cotton wool "
        "battery charger laptop sofa mattress garden bicycle helmet stroller perfume watch"
    )
    vocabulary["en"].extend(extra.split() * 5)
    vocabulary["fr"].extend(extra.split() * 5)
    articles = list(demo)
    for number in range(count - len(demo)):
        locale = "en" if number % 2 else "fr"
        words = vocabulary[locale]
        body = " ".join(
            " ".join(rng.choice(words) for _ in range(rng.randint(8, 16))).rstrip(".") + "."
            for _ in range(rng.randint(6, 14))
        )
        title = " ".join(rng.choice(words) for _ in range(rng.randint(3, 7)))
        articles.append(
            KnowledgeArticle(
                id=f"synthetic-{number}",
                title=title,
                body=body,
                locale=locale,
                url=f"https://shop.example/help/synthetic-{number}",
            )
        )
    return KnowledgeBase(agent_id="bench-large", version="1", articles=articles)


def percentile(values: list[float], fraction: float) -> float:
    ordered = sorted(values)
    index = min(len(ordered) - 1, max(0, round(fraction * (len(ordered) - 1))))
    return ordered[index]


def latency_ms(knowledge: KnowledgeBase, emails: list[LabelledEmail]) -> dict[str, float]:
    engine = KnowledgeEngine(cache=IndexCache())
    evaluate(engine, knowledge, emails[:1])  # build the index once, as a warm Lambda would
    seconds: list[float] = []
    for _ in range(ROUNDS):
        seconds += [outcome.seconds for outcome in evaluate(engine, knowledge, emails)]
    ms = [value * 1000 for value in seconds]
    return {
        "p50_ms": round(percentile(ms, 0.50), 3),
        "p95_ms": round(percentile(ms, 0.95), 3),
        "max_ms": round(max(ms), 3),
        "mean_ms": round(statistics.fmean(ms), 3),
        "samples": len(ms),
    }


def build_ms(knowledge: KnowledgeBase) -> float:
    timings = []
    for _ in range(3):
        started = time.perf_counter()
        KnowledgeIndex.build(knowledge.articles)
        timings.append((time.perf_counter() - started) * 1000)
    return round(min(timings), 2)


def calibration(outcomes: list[Outcome]) -> list[dict[str, Any]]:
    """Per confidence band: how many emails were answered and how many of those were right."""
    rows = []
    for low, high in BANDS:
        answered = [
            o
            for o in outcomes
            if o.got.startswith("answer")
            and o.confidence is not None
            and low <= o.confidence < high
        ]
        rows.append(
            {
                "band": f"{low:.1f}-{min(high, 1.0):.1f}",
                "answers": len(answered),
                "right": sum(o.correct for o in answered),
            }
        )
    return rows


def layer_bytes() -> dict[str, int]:
    files = [
        path
        for root in ENGINE_FILES
        for path in ([root] if root.is_file() else sorted(root.rglob("*")))
        if path.is_file() and "__pycache__" not in path.parts
    ]
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        for path in files:
            archive.write(path, path.relative_to(ROOT))
    return {
        "files": len(files),
        "raw_bytes": sum(path.stat().st_size for path in files),
        "zipped_bytes": len(buffer.getvalue()),
        "new_dependencies": 0,
    }


def main() -> None:
    logger.setLevel(logging.CRITICAL)
    emails = load_labelled()
    demo = demo_knowledge_base()
    outcomes = evaluate(KnowledgeEngine(cache=IndexCache()), demo, emails)
    large = synthetic_knowledge(SYNTHETIC_ARTICLES)
    large_outcomes = evaluate(KnowledgeEngine(cache=IndexCache()), large, emails)
    report: dict[str, Any] = {
        "labelled_emails": len(emails),
        "accuracy": round(accuracy(outcomes), 4),
        "accuracy_by_language": {
            language: round(
                accuracy(
                    [o for o, e in zip(outcomes, emails, strict=True) if e.language == language]
                ),
                4,
            )
            for language in sorted({email.language for email in emails})
        },
        "accuracy_with_1000_articles": round(accuracy(large_outcomes), 4),
        "wrong": [
            {"email": o.email_id, "got": o.got, "expected": o.expected, "confidence": o.confidence}
            for o in outcomes
            if not o.correct
        ],
        "calibration": calibration(outcomes),
        "latency_demo_kb": latency_ms(demo, emails),
        "latency_1000_articles": latency_ms(large, emails),
        "index_build_ms": {
            f"demo_{len(demo.articles)}_articles": build_ms(demo),
            f"synthetic_{len(large.articles)}_articles": build_ms(large),
        },
        "layer": layer_bytes(),
        "python": sys.version.split()[0],
    }
    print_report(report)
    RESULTS.parent.mkdir(parents=True, exist_ok=True)
    RESULTS.write_text(json.dumps(report, indent=2), encoding="utf-8")
    print(f"\nwritten to {RESULTS.relative_to(ROOT)}")


def print_report(report: dict[str, Any]) -> None:
    print(f"labelled emails: {report['labelled_emails']}")
    print(
        f"accuracy (demo KB, threshold 0.5): {report['accuracy']:.1%}  by language: "
        f"{report['accuracy_by_language']}"
    )
    print(f"accuracy with 1,000 articles: {report['accuracy_with_1000_articles']:.1%}")
    for wrong in report["wrong"]:
        print(f"  wrong {wrong['email']}: got {wrong['got']} expected {wrong['expected']}")
    print("calibration (answers per confidence band, right/answered):")
    for row in report["calibration"]:
        print(f"  {row['band']}: {row['right']}/{row['answers']}")
    for name in ("latency_demo_kb", "latency_1000_articles"):
        figures = report[name]
        print(
            f"{name}: p50 {figures['p50_ms']} ms, p95 {figures['p95_ms']} ms, "
            f"max {figures['max_ms']} ms over {figures['samples']} emails"
        )
    print(f"index build: {report['index_build_ms']}")
    layer = report["layer"]
    print(
        f"layer: {layer['files']} files, {layer['raw_bytes']} bytes raw, "
        f"{layer['zipped_bytes']} bytes zipped, {layer['new_dependencies']} new dependencies"
    )


if __name__ == "__main__":
    main()
