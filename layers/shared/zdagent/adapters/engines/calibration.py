"""Evidence about a candidate answer → the probability that it is right.

A logistic model over a handful of features (``Evidence``), fitted by ``bench/tune_engine.py``
on the *tuning* halves of the three labelled sets in ``tests/unit/engines/`` only (with the demo
articles and with 1,000 distractor articles). The fitted coefficients are pasted below, so the
engine carries a few numbers, not a model file. ``bench/bench_engines.py`` prints the
reliability table on the held-out half: within each confidence bin, the share of answers that
were right.
"""

from __future__ import annotations

import math
from dataclasses import astuple, dataclass, fields

# A question whose topical words are this share or more unknown to every article is out of scope.
UNKNOWN_OUT_OF_SCOPE = 0.33
# Below this lead over the best article not sent (share of the best score), which article is
# meant is a guess.
MIN_MARGIN = 0.1


@dataclass(frozen=True)
class Evidence:
    """What the scorer knows about the chosen articles for one email (each in [0, 1])."""

    coverage: float  # share of the message's information found in the chosen articles
    question_coverage: float  # the same for the least covered question of the email
    passage_coverage: float  # least share of a question said by one passage of the answer
    unknown: float  # largest share of a question's words that no article knows (not names)
    anchored: float  # least share of a question found in the chosen articles' titles and labels
    margin: float  # lead of the best article's score over the runner-up's (re-ranked)
    rival: float  # most a question's share in another candidate's title/labels exceeds ours
    unknown_any: float  # 1 when a question has a topical word no article knows, else 0

    @property
    def on_topic(self) -> bool:
        """Every question touches the topic (title or labels) of a chosen article, the answer
        has passages, no question is a third or more made of words no article knows ("a
        *student* discount?", "how *often*?"), and the best article leads the runner-up by
        ``MIN_MARGIN``: otherwise the answer is not about what was asked, or is a guess between
        articles (confidence 0)."""
        return (
            self.anchored > 0.0
            and self.passage_coverage > 0.0
            and self.unknown < UNKNOWN_OUT_OF_SCOPE
            and self.margin >= MIN_MARGIN
        )

    def values(self) -> tuple[float, ...]:
        return astuple(self)


FEATURES = tuple(item.name for item in fields(Evidence))
# Fitted by bench/tune_engine.py on the tuning half; intercept first, then FEATURES in order.
COEFFICIENTS: tuple[float, ...] = (
    -2.394,
    1.975,
    -0.259,
    2.273,
    -0.078,
    -0.089,
    3.685,
    -1.719,
    0.521,
)


def probability_right(evidence: Evidence) -> float:
    intercept, *weights = COEFFICIENTS
    score = intercept + sum(w * x for w, x in zip(weights, evidence.values(), strict=True))
    return 1.0 / (1.0 + math.exp(-max(-30.0, min(30.0, score))))
