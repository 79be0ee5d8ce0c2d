"""Fit the weights of the ranker, the abstention model and the sentence picker on labelled questions.

    python -m tpm_assistant.learn eval/train.jsonl eval/tune.jsonl --check eval/dev.jsonl eval/holdout.jsonl

writes ``src/tpm_assistant/weights.json``. Only the files named first are fitted on; the ``--check``
files are scored with the fitted weights and reported, never fitted on, to show whether the
weights generalise. Every model is linear over generic signals (no question, phrase or answer is
special-cased), with L2 regularisation, so a few hundred questions fit it without memorising them.
"""

from __future__ import annotations

import argparse
import json
import sys
from collections.abc import Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any

from .abstain import SIGNALS, signals
from .answer import SENTENCE_FEATURES, sentence_candidates, sentence_matrix
from .evaluation import holds, load_items
from .retrieval import FEATURES, Retriever

if TYPE_CHECKING:
    import numpy as np

    from .assistant import Assistant

FALSE_ABSTAIN_BUDGET = 0.02  # the abstention threshold keeps wrong "not covered" below this on training data


def fit_listwise(x: np.ndarray, valid: np.ndarray, positive: np.ndarray, l2: float = 1e-2, steps: int = 3000, rate: float = 0.2) -> np.ndarray:
    """Linear scores s = x @ w maximising, per question, the softmax probability of its positives.

    x: (questions, candidates, features); valid/positive: (questions, candidates) booleans.
    Questions without a positive are ignored. Features are standardised for the fit; the returned
    weights apply to raw features.
    """
    import numpy as np

    keep = positive.any(axis=1)
    x, valid, positive = x[keep], valid[keep], positive[keep]
    flat = x[valid]
    mean, std = flat.mean(axis=0), flat.std(axis=0) + 1e-9
    z = np.where(valid[..., None], (x - mean) / std, 0.0)
    w = np.zeros(x.shape[2])
    for _ in range(steps):
        s = np.where(valid, z @ w, -np.inf)
        s = s - s.max(axis=1, keepdims=True)
        e = np.where(valid, np.exp(s), 0.0)
        p = e / e.sum(axis=1, keepdims=True)
        pos = p * positive
        pos_share = pos / pos.sum(axis=1, keepdims=True)
        grad = (np.einsum("qc,qcf->qf", p, z) - np.einsum("qc,qcf->qf", pos_share, z)).mean(axis=0) + l2 * w
        w -= rate * grad
    weights: np.ndarray = w / std
    return weights


def fit_logistic(x: np.ndarray, y: np.ndarray, l2: float = 1e-2, steps: int = 5000, rate: float = 0.1) -> tuple[np.ndarray, float]:
    import numpy as np

    mean, std = x.mean(axis=0), x.std(axis=0) + 1e-9
    z = (x - mean) / std
    w, b = np.zeros(x.shape[1]), 0.0
    for _ in range(steps):
        p = 1 / (1 + np.exp(-(z @ w + b)))
        g = p - y
        w -= rate * (z.T @ g / len(y) + l2 * w)
        b -= rate * g.mean()
    return w / std, float(b - (mean / std) @ w)


def _questions(items: list[dict[str, Any]]) -> tuple[list[tuple[str, list[str]]], list[str]]:
    facts = [(i["question"], i["expect"]) for i in items if i["kind"] == "fact"]
    oos = [i["question"] for i in items if i["kind"] == "out_of_scope"]
    return facts, oos


def fit(assistant: Assistant, items: list[dict[str, Any]], ranker_features: Sequence[str] = FEATURES,
        abstain_signals: Sequence[str] = SIGNALS, sentence_features: Sequence[str] = SENTENCE_FEATURES,
        options: dict[str, bool] | None = None, followup: dict[str, float] | None = None) -> dict[str, Any]:  # fmt: skip
    """Weights for every model, fitted on ``items`` (eval-file format) with the assistant's store.

    ``options`` are the query-rewriting switches of ``query.analyze``; a given ``followup`` is
    used as is instead of being searched for (both for ablations).
    """
    import numpy as np

    options = dict(options or {})
    loaded = assistant.loaded or assistant.load()
    index, encoder = loaded.index, loaded.retriever.encoder
    facts, oos = _questions(items)
    columns = [FEATURES.index(f) for f in ranker_features]
    probe = Retriever(index, encoder, {"ranker": {"features": list(ranker_features), "weights": [0.0] * len(columns)}, "options": options})

    # 1. The ranker: which passage answers.
    n = len(index.chunks)
    x = np.zeros((len(facts), n, len(columns)), dtype=np.float64)
    positive = np.zeros((len(facts), n), dtype=bool)
    for q, (question, expect) in enumerate(facts):
        x[q] = probe.search(question, 1).features[:, columns]
        positive[q] = [holds(c.text, expect) for c in index.chunks]
    ranker_w = fit_listwise(x, np.ones_like(positive), positive)
    ranker = {"features": list(ranker_features), "weights": [round(float(v), 6) for v in ranker_w]}
    retriever = Retriever(index, encoder, {"ranker": ranker, "options": options})

    # 2. The sentence picker, on the top passages of the fitted ranker.
    fact_rankings = [retriever.search(question, 3) for question, _ in facts]
    s_columns = [SENTENCE_FEATURES.index(f) for f in sentence_features]
    groups = []
    for ranking, (_, expect) in zip(fact_rankings, facts):
        candidates = sentence_candidates(index, ranking)
        if candidates:
            groups.append((sentence_matrix(candidates)[:, s_columns], [holds(s.text, expect) for s in candidates]))
    width = max(len(g[1]) for g in groups)
    sx = np.zeros((len(groups), width, len(s_columns)))
    s_valid = np.zeros((len(groups), width), dtype=bool)
    s_pos = np.zeros((len(groups), width), dtype=bool)
    for q, (m, pos) in enumerate(groups):
        sx[q, : len(pos)], s_valid[q, : len(pos)], s_pos[q, : len(pos)] = m, True, pos
    sentence_w = fit_listwise(sx, s_valid, s_pos)
    picked = np.where(s_valid, sx @ sentence_w, np.nan)
    margin = float(np.nanstd(picked))  # "close to the best sentence" in the picker's own units
    sentence = {
        "features": list(sentence_features),
        "weights": [round(float(v), 6) for v in sentence_w],
        "second_figure_margin": round(0.5 * margin, 6),
    }
    sentence["second_sentence_margin"] = fit_second_sentence(index, sentence, fact_rankings, [e for _, e in facts])

    # 3. Abstention: answerable (facts) vs not covered (out of scope), on the fitted ranker.
    oos_rankings = [retriever.search(question, 3) for question in oos]
    rows = [signals(r) for r in fact_rankings + oos_rankings]
    ax = np.array([[row[s] for s in abstain_signals] for row in rows])
    ay = np.array([1.0] * len(fact_rankings) + [0.0] * len(oos_rankings))
    aw, ab = fit_logistic(ax, ay)
    p = 1 / (1 + np.exp(-(ax @ aw + ab)))
    # The highest threshold whose wrong "not covered" on the training facts stays in budget.
    fact_p = np.sort(p[ay == 1])
    allowed = int(np.floor(FALSE_ABSTAIN_BUDGET * len(fact_p)))
    threshold = float(fact_p[allowed]) if len(fact_p) else 0.5
    abstain = {
        "features": list(abstain_signals),
        "weights": [round(float(v), 6) for v in aw],
        "bias": round(ab, 6),
        "threshold": round(threshold - 1e-6, 6),
    }
    weights = {"options": options, "ranker": ranker, "sentence": sentence, "abstain": abstain}
    weights["followup"] = followup or fit_followup(assistant.with_weights(weights), [i for i in items if i["kind"] == "followup"])
    return weights


SHORT_ANSWER_WORDS = 40  # median answer length the second-sentence margin may not exceed
SECOND_SENTENCE_GRID = tuple(x / 4 for x in range(0, 21))


def fit_second_sentence(index: Any, sentence: dict[str, Any], rankings: list[Any], expects: list[list[str]]) -> float:
    """The margin within which the second-best sentence joins the answer: the one answering the most
    training questions while the median answer stays under SHORT_ANSWER_WORDS words."""
    import statistics

    from .answer import Composer

    composer = Composer(sentence)
    scored = []
    for ranking, expect in zip(rankings, expects):
        candidates = sentence_candidates(index, ranking)
        if candidates:
            composer.score(candidates)
            scored.append((ranking, candidates, expect))
    best = (-1, 0.0)
    for margin in SECOND_SENTENCE_GRID:
        composer.second_sentence_margin = margin
        right, lengths = 0, []
        for ranking, candidates, expect in scored:
            text = " ".join(s.text for s in composer.pick(candidates, ranking))
            right += holds(text, expect)
            lengths.append(len(text.split()))
        if lengths and statistics.median(lengths) <= SHORT_ANSWER_WORDS and right > best[0]:
            best = (right, margin)
    return best[1]


FOLLOWUP_GRID = {"message": (0.0, 0.25, 0.5), "quoted": (0.0, 0.5, 1.0, 2.0, 4.0), "neighbour": (0.0, 0.5, 1.0, 2.0)}


def fit_followup(assistant: Assistant, items: list[dict[str, Any]]) -> dict[str, float]:
    """The follow-up boosts with the most training conversations answered right (grid search;
    ties go to the smallest boosts). ``assistant`` answers with the other fitted weights."""
    import itertools

    from .chat import Turn

    if not items:
        return dict.fromkeys(FOLLOWUP_GRID, 0.0)
    firsts = {i["id"]: assistant.ask(i["turns"][0]).answer for i in items}
    weights = assistant.weights or {}
    best: tuple[int, float, dict[str, float]] | None = None
    for values in itertools.product(*FOLLOWUP_GRID.values()):
        params = dict(zip(FOLLOWUP_GRID, values))
        candidate = assistant.with_weights(weights | {"followup": params})
        right = 0
        for item in items:
            turns = [Turn("user", item["turns"][0]), Turn("assistant", firsts[item["id"]]), Turn("user", item["turns"][1])]
            answer = candidate.chat(turns)
            right += answer.answered and holds(answer.answer, item["expect"])
        key = (right, -sum(values), params)
        if best is None or key[:2] > best[:2]:
            best = key
    assert best is not None
    return best[2]


def neutral_weights() -> dict[str, Any]:
    """Equal weights: only to load a store before anything is fitted."""
    return {
        "ranker": {"features": list(FEATURES), "weights": [1.0] * len(FEATURES)},
        "sentence": {"features": list(SENTENCE_FEATURES), "weights": [1.0] * len(SENTENCE_FEATURES)},
        "abstain": {"features": list(SIGNALS), "weights": [0.0] * len(SIGNALS), "bias": 1.0, "threshold": 0.5},
    }


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m tpm_assistant.learn", description=__doc__.split("\n")[0])
    parser.add_argument("train", nargs="+", type=Path, help="eval files to fit on")
    parser.add_argument("--check", nargs="*", type=Path, default=[], help="eval files to score, not fit on")
    parser.add_argument("--out", type=Path, default=Path(__file__).with_name("weights.json"))
    parser.add_argument("--no-acronyms", action="store_true", help="fit without spelling out acronyms")
    parser.add_argument("--no-typos", action="store_true", help="fit without typo correction")
    parser.add_argument("--acronyms-appended", action="store_true", help="append acronyms' long forms instead of replacing them")
    args = parser.parse_args(argv)

    from .assistant import Assistant
    from .config import load_settings
    from .evaluation import LocalClient, run_eval

    settings = load_settings()
    items = [item for path in args.train for item in load_items(path)]
    assistant = Assistant(settings, weights=neutral_weights())
    assistant.load()
    options = {"expand_acronyms": not args.no_acronyms, "fix_typos": not args.no_typos, "acronyms_inline": not args.acronyms_appended}
    weights = fit(assistant, items, options=options)
    weights["fitted_on"] = [p.as_posix() for p in args.train]
    assistant = assistant.with_weights(weights)
    report = {}
    for path in [*args.train, *args.check]:
        metrics = run_eval(load_items(path), LocalClient(assistant), settings.corpus_dir).metrics
        report[path.as_posix()] = {k: metrics[k] for k in ("hit@1", "hit@3", "answer_acc", "false_abstain", "abstain_oos", "followup_acc")}
        print(path, json.dumps(report[path.as_posix()]), file=sys.stderr)
    weights["scores"] = report
    args.out.write_text(json.dumps(weights, indent=2) + "\n")
    print(f"wrote {args.out}", file=sys.stderr)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
