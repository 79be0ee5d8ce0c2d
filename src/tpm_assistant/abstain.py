"""Does the guide cover the question? A logistic model over several signals, fitted on labelled
in-scope and out-of-scope questions (see ``learn.py``), never a hand-picked similarity cut-off.

The signals: how well the best passage scores; how close the best sentence is; how much of the
question the best passage covers token by token (a question about nurses' pay finds "pay" but not
"nurses" in the salary passage); how many of the question's words the guide never uses; and how far
a job the question names is from the job the guide is about (from the guide's title).
"""

from __future__ import annotations

import math
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from .retrieval import Ranking

SIGNALS = ("top_score", "sent", "maxsim", "oov_share", "min_token", "uncovered", "other_job")
WEAK_MATCH = 0.5  # a question token whose best match in the passage is below this is "not found"


def signals(ranking: Ranking) -> dict[str, float]:
    from .retrieval import FEATURES

    ranking = ranking.extra.get("signals_from", ranking)
    query = ranking.query
    if not ranking.hits:
        return dict.fromkeys(SIGNALS, 0.0) | {"oov_share": 1.0, "uncovered": 1.0, "other_job": 0.0}
    top = ranking.hits[0].chunk
    x = ranking.features
    matches = ranking.extra["token_matches"]
    weights = ranking.extra["token_weights"]
    if matches.shape[0]:
        best = matches[:, top]
        min_token = float(best.min())
        uncovered = float((weights * (best < WEAK_MATCH)).sum() / weights.sum())
    else:
        min_token, uncovered = 0.0, 1.0
    return {
        # A question about another job ("What does a nurse earn?") finds the guide's salary passage
        # but names a job far from the guide's subject.
        "other_job": 1.0 - float(ranking.extra.get("role_similarity", 1.0)),
        "top_score": ranking.hits[0].score,
        "sent": float(x[:, FEATURES.index("sent")].max()),
        "maxsim": float(x[:, FEATURES.index("maxsim")].max()),
        "oov_share": len(query.oov) / max(1, len(query.content)),
        "min_token": min_token,
        "uncovered": uncovered,
    }


class Abstainer:
    def __init__(self, weights: dict[str, Any]):
        self.names: list[str] = list(weights["features"])
        self.coefficients: list[float] = list(weights["weights"])
        self.bias: float = float(weights["bias"])
        self.threshold: float = float(weights["threshold"])

    def probability(self, values: dict[str, float]) -> float:
        """Probability that the guide answers the question."""
        z = self.bias + sum(c * values[n] for n, c in zip(self.names, self.coefficients))
        return 1.0 / (1.0 + math.exp(-max(-50.0, min(50.0, z))))

    def covered(self, ranking: Ranking) -> bool:
        return self.probability(signals(ranking)) >= self.threshold
