"""The tuning tool (bench/tune_engine.py): what it may read and how it cross-validates."""

from __future__ import annotations

from collections import Counter

import pytest

from bench.bench_engines import LABELLED_SETS, tuning_emails
from bench.tune_engine import coefficients, folds, operating_point, tuning_sets
from zdagent.adapters.engines import calibration
from zdagent.adapters.engines.calibration import Evidence, probability_right
from zdagent.adapters.engines.evaluation import (
    LabelledEmail,
    answer_rate,
    evaluate,
    wrong_public_answers,
)
from zdagent.adapters.engines.knowledge import KnowledgeEngine
from zdagent.adapters.engines.screening import IndexCache
from zdagent.domain.engine import KnowledgeBase

EVIDENCE = Evidence(
    coverage=0.8,
    question_coverage=0.8,
    passage_coverage=0.7,
    unknown=0.0,
    anchored=0.5,
    margin=0.4,
    rival=0.0,
    unknown_any=0.0,
)


def test_cross_validation_reads_the_tuning_halves_of_the_three_earlier_sets_only() -> None:
    """A later set (the fresh held-out measure) is never tuned on, even if the benchmark
    measures on it."""
    assert sorted(path.name for path in LABELLED_SETS.values()) == [
        "labelled_emails.json",
        "labelled_emails_fresh.json",
        "labelled_emails_third.json",
    ]
    sets = tuning_sets()
    assert sorted(sets) == sorted(LABELLED_SETS)
    grouped = [email.id for emails in sets.values() for email in emails]
    assert sorted(grouped) == sorted(email.id for email in tuning_emails())
    assert all(emails for emails in sets.values())


@pytest.mark.parametrize("scheme", ["hash", "by-set"])
def test_every_tuning_email_is_answered_once_by_a_fit_that_did_not_see_it(scheme: str) -> None:
    sets = tuning_sets()
    answered: Counter[str] = Counter()
    for _, fit_on, answer in folds(sets, scheme):
        assert answer
        assert not {email.id for email in fit_on} & {email.id for email in answer}
        answered.update(email.id for email in answer)
    assert answered == Counter(email.id for emails in sets.values() for email in emails)


def test_leaving_one_set_out_answers_that_whole_set() -> None:
    sets = tuning_sets()
    for (name, _, answer), left_out in zip(folds(sets, "by-set"), sets.values(), strict=True):
        assert [email.id for email in answer] == [email.id for email in left_out], name


def test_unknown_scheme_is_refused() -> None:
    with pytest.raises(ValueError, match="unknown cross-validation scheme"):
        folds(tuning_sets(), "random")


def test_a_folds_coefficients_score_inside_the_block_only() -> None:
    shipped = probability_right(EVIDENCE)
    with coefficients([-30.0] + [0.0] * len(calibration.FEATURES)):
        assert probability_right(EVIDENCE) < 1e-6
    assert probability_right(EVIDENCE) == shipped


@pytest.mark.parametrize("threshold", [0.5, 0.9])
def test_an_operating_point_read_from_threshold_zero_is_what_that_threshold_gives(
    labelled_emails: list[LabelledEmail], demo_kb: KnowledgeBase, threshold: float
) -> None:
    """Cross-validation evaluates once, at threshold 0, and reads every threshold from it."""
    tuning = [email for email in labelled_emails if email.split == "tuning"]
    at_zero = evaluate(KnowledgeEngine(cache=IndexCache()), demo_kb, tuning, confidence_threshold=0)
    direct = evaluate(
        KnowledgeEngine(cache=IndexCache()), demo_kb, tuning, confidence_threshold=threshold
    )
    assert answer_rate(direct) > 0.0
    assert operating_point(at_zero, threshold) == (
        wrong_public_answers(direct),
        answer_rate(direct),
    )
