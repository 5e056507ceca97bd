"""Fit the knowledge engine's confidence on the *tuning* half of the labelled emails.

Run from the repository root: ``.venv/bin/python -m bench.tune_engine [--write]``. For every
tuning email that reaches article selection (not screened out as a thank-you, an injection, a
request for a person, ...), with the demo articles and with 1,000 distractor articles, it records
the selection's ``Evidence`` and whether the selection is right, then fits a logistic model (L2,
plain gradient descent, no dependency). ``--write`` pastes the coefficients into
``calibration.py``. The held-out halves are never read here: ``bench_engines`` measures on them.

``--cv`` cross-validates the fit on the tuning halves: the coefficients are fitted without some
tuning emails and the engine, with those coefficients, answers them (demo articles and 1,000
distractors, per language, with a reliability table). Two schemes: halves by a salted hash of each
id, and one labelled set left out at a time (the nearest the tuning halves come to emails written
later). Both only refit the coefficients: the rules were written on every tuning half, so neither
can show how the engine does on emails nobody has read (the held-out halves and later sets do).

Tuning reads emails only through ``bench_engines.tuning_emails``, which refuses a held-out-only
set (the fourth) however it is offered.
"""

from __future__ import annotations

import argparse
import hashlib
import logging
import math
import re
import sys
from collections.abc import Iterator
from contextlib import contextmanager

from bench import bench_engines
from bench.bench_engines import ROOT, THRESHOLDS, precision, synthetic_knowledge, tuning_emails
from zdagent.adapters.engines import calibration
from zdagent.adapters.engines.calibration import FEATURES, Evidence
from zdagent.adapters.engines.demo_kb import demo_knowledge_base
from zdagent.adapters.engines.evaluation import (
    LabelledEmail,
    Outcome,
    evaluate,
    reliability,
    request_for,
)
from zdagent.adapters.engines.index import KnowledgeIndex
from zdagent.adapters.engines.knowledge import KnowledgeEngine
from zdagent.adapters.engines.language import primary_subtag
from zdagent.adapters.engines.screening import (
    IndexCache,
    enabled_languages,
    prepare_message,
    screen_message,
)
from zdagent.adapters.engines.selection import Selection, select_articles
from zdagent.core.observability import logger
from zdagent.domain.engine import KnowledgeBase

CALIBRATION = ROOT / "layers/shared/zdagent/adapters/engines/calibration.py"
L2 = 0.001
STEPS = 8000
RATE = 2.0
CV_SALT = "cv"
Fold = tuple[str, list[LabelledEmail], list[LabelledEmail]]


def tuning_sets() -> dict[str, list[LabelledEmail]]:
    """``tuning_emails`` (the only emails tuning may look at), grouped by labelled set."""
    allowed = {email.id for email in tuning_emails()}
    return {
        name: [email for email in bench_engines.load_labelled(path) if email.id in allowed]
        for name, path in bench_engines.LABELLED_SETS.items()
    }


def folds(sets: dict[str, list[LabelledEmail]], scheme: str) -> list[Fold]:
    """(name, fit on, answer) triples: every tuning email is answered once, by a fit without it.
    ``hash``: two halves by a salted SHA-256 of each id; ``by-set``: one set left out at a time."""
    every = [email for emails in sets.values() for email in emails]
    if scheme == "by-set":
        return [
            (f"without {name}", [e for e in every if e not in left_out], left_out)
            for name, left_out in sets.items()
        ]
    if scheme != "hash":
        raise ValueError(f"unknown cross-validation scheme {scheme!r}")
    halves: list[list[LabelledEmail]] = [[], []]
    for email in every:
        halves[hashlib.sha256(f"{CV_SALT}:{email.id}".encode()).digest()[0] % 2].append(email)
    return [(f"half {k}", halves[1 - k], halves[k]) for k in (0, 1)]


def samples(
    knowledge: KnowledgeBase, emails: list[LabelledEmail]
) -> list[tuple[str, Evidence, bool]]:
    index = KnowledgeIndex.build(knowledge.articles)
    rows = []
    for email in emails:
        request = request_for(email)
        prepared = prepare_message(request, enabled_languages(request, knowledge))
        if screen_message(prepared) is not None:
            continue
        language_index = index.by_language.get(primary_subtag(prepared.language))
        if language_index is None:
            continue
        selection = select_articles(language_index, cleaned=prepared.cleaned, subject=email.subject)
        if selection.evidence is not None and selection.evidence.on_topic:
            rows.append((email.id, selection.evidence, is_right(email, selection)))
    return rows


def is_right(email: LabelledEmail, selection: Selection) -> bool:
    if email.expected.kind != "answer" or not selection.articles:
        return False
    cited = [article.id for article in selection.articles]
    wanted = set(email.expected.articles)
    return cited[0] in wanted and wanted <= set(cited) and len(set(cited) - wanted) <= 1


def fit(rows: list[tuple[str, Evidence, bool]]) -> list[float]:
    xs = [[1.0, *evidence.values()] for _, evidence, _ in rows]
    ys = [1.0 if right else 0.0 for _, _, right in rows]
    weights = [0.0] * len(xs[0])
    for _ in range(STEPS):
        gradient = [0.0] * len(weights)
        for x, y in zip(xs, ys, strict=True):
            error = _sigmoid(sum(w * v for w, v in zip(weights, x, strict=True))) - y
            for i, value in enumerate(x):
                gradient[i] += error * value
        for i in range(len(weights)):
            penalty = 0.0 if i == 0 else L2 * weights[i]
            weights[i] -= RATE * (gradient[i] / len(xs) + penalty)
    return [round(weight, 3) for weight in weights]


def _sigmoid(score: float) -> float:
    return 1.0 / (1.0 + math.exp(-max(-30.0, min(30.0, score))))


def report_tuning(tuning: list[LabelledEmail]) -> None:
    """Wrong public answers, answer rate and every error on the tuning halves (demo and 1,000
    articles): what tuning may look at."""
    for name, knowledge in (("demo", demo_knowledge_base()), ("1000", synthetic_knowledge(1000))):
        figures = precision(evaluate(KnowledgeEngine(cache=IndexCache()), knowledge, tuning))
        for language, row in figures["by_language"].items():
            print(
                f"{name} {language}: wrong {row['wrong_public_answers']:.1%} answered "
                f"{row['answer_rate']:.1%} ({row['emails']} emails)"
            )
        for wrong in figures["wrong"]:
            print(
                f"  WRONG {wrong['email']} got {wrong['got']} want {wrong['expected']}"
                f" ({wrong['confidence']})"
            )
        for outcome in figures["missed"]:
            print(f"  missed {outcome}")


@contextmanager
def coefficients(weights: list[float]) -> Iterator[None]:
    """The engine scores with ``weights`` inside the block (a fold's fit), then as shipped."""
    shipped = calibration.COEFFICIENTS
    calibration.COEFFICIENTS = tuple(weights)
    try:
        yield
    finally:
        calibration.COEFFICIENTS = shipped


def cross_validate(scheme: str) -> None:
    """Print wrong public answers and answer rate (per article set, language and confidence
    threshold) and a reliability table for the tuning emails, each answered by a fit that did
    not see it."""
    knowledge = {"demo": demo_knowledge_base(), "1000": synthetic_knowledge(1000)}
    answered: dict[str, list[Outcome]] = {name: [] for name in knowledge}
    for fold, fit_on, answer in folds(tuning_sets(), scheme):
        rows = [row for kb in knowledge.values() for row in samples(kb, fit_on)]
        with coefficients(fit(rows)):
            for name, kb in knowledge.items():
                engine = KnowledgeEngine(cache=IndexCache())
                answered[name] += evaluate(engine, kb, answer, confidence_threshold=0.0)
        print(f"{scheme} {fold}: fitted on {len(fit_on)}, answering {len(answer)}")
    for name, outcomes in answered.items():
        for language in sorted({outcome.language for outcome in outcomes}):
            mine = [outcome for outcome in outcomes if outcome.language == language]
            points = "  ".join(
                "{:.1f}: wrong {:.1%} answered {:.1%}".format(
                    threshold, *operating_point(mine, threshold)
                )
                for threshold in THRESHOLDS
            )
            print(f"{scheme} {name} {language} ({len(mine)} emails) threshold {points}")
    for row in reliability([outcome for outcomes in answered.values() for outcome in outcomes]):
        print(f"{scheme} reliability {row}")


def operating_point(outcomes: list[Outcome], threshold: float) -> tuple[float, float]:
    """Wrong public answers and answer rate at ``threshold``, from outcomes evaluated at
    threshold 0: an answer is sent at ``threshold`` when its confidence reaches it."""
    sent = [o for o in outcomes if o.answered and (o.confidence or 0.0) >= threshold]
    answerable = sum(outcome.answerable for outcome in outcomes)
    return (
        sum(not outcome.correct for outcome in sent) / max(1, len(outcomes)),
        sum(outcome.correct and outcome.answerable for outcome in sent) / max(1, answerable),
    )


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--write", action="store_true", help="paste into calibration.py")
    parser.add_argument("--show", action="store_true", help="print every sample")
    parser.add_argument(
        "--report", action="store_true", help="only print the tuning halves' figures and errors"
    )
    parser.add_argument(
        "--cv", choices=("hash", "by-set"), help="only cross-validate the fit (see the docstring)"
    )
    args = parser.parse_args()
    logger.setLevel(logging.CRITICAL)
    if args.cv:
        cross_validate(args.cv)
        return
    tuning = tuning_emails()
    if args.report:
        report_tuning(tuning)
        return
    rows = samples(demo_knowledge_base(), tuning) + samples(synthetic_knowledge(1000), tuning)
    if args.show:
        for email_id, evidence, right in rows:
            values = " ".join(f"{value:.2f}" for value in evidence.values())
            print(f"{email_id:8} {'RIGHT' if right else 'wrong'} {values}")
    weights = fit(rows)
    print(f"{len(rows)} samples ({sum(r for *_, r in rows)} right); features {FEATURES}")
    print(f"COEFFICIENTS = {tuple(weights)}")
    if args.write:
        text = CALIBRATION.read_text(encoding="utf-8")
        text = re.sub(
            r"COEFFICIENTS: tuple\[float, \.\.\.\] = \([^)]*\)",
            f"COEFFICIENTS: tuple[float, ...] = {tuple(weights)}",
            text,
        )
        CALIBRATION.write_text(text, encoding="utf-8")
        print(f"written to {CALIBRATION.relative_to(ROOT)}", file=sys.stderr)


if __name__ == "__main__":
    main()
