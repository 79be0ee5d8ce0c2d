"""Fit the weights of the ranker, the abstention model and the sentence picker on labelled questions.

    python -m tpm_assistant.learn eval/train.jsonl eval/tune.jsonl --check eval/dev.jsonl eval/holdout.jsonl

writes ``src/tpm_assistant/weights.json``. Only the files named first are fitted on; the ``--check``
files are scored with the fitted weights and reported, never fitted on, to show whether the
weights generalise. Every model is linear over generic signals (no question, phrase or answer is
special-cased), with L2 regularisation, so a few hundred questions fit it without memorising them.
"""

from __future__ import annotations

import argparse
import dataclasses
import json
import sys
from collections.abc import Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any

from .abstain import SIGNALS, signals
from .answer import SENTENCE_FEATURES, sentence_candidates, sentence_matrix
from .evaluation import holds, load_items
from .retrieval import FEATURES, Retriever
from .weights import Weights, default_weights

if TYPE_CHECKING:
    import numpy as np

    from .assistant import Assistant

FALSE_ABSTAIN_BUDGET = 0.02  # the abstention threshold keeps wrong "not covered" below this on training data


def fit_listwise(
    x: np.ndarray, valid: np.ndarray, positive: np.ndarray, l2: float = 1e-2, steps: int = 3000, rate: float = 0.2
) -> np.ndarray:
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


def fit_logistic(
    x: np.ndarray, y: np.ndarray, l2: float = 1e-2, steps: int = 5000, rate: float = 0.1
) -> tuple[np.ndarray, float]:
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


def _questions(items: list[dict[str, Any]]) -> tuple[list[tuple[str, list[str], bool]], list[str]]:
    facts = [(i["question"], i["expect"], bool(i.get("expect_all"))) for i in items if i["kind"] == "fact"]
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
    unfitted = {"features": list(ranker_features), "weights": [0.0] * len(columns)}
    probe = Retriever(index, encoder, {"ranker": unfitted, "options": options})

    # 1. The ranker: which passage answers.
    n = len(index.chunks)
    x = np.zeros((len(facts), n, len(columns)), dtype=np.float64)
    positive = np.zeros((len(facts), n), dtype=bool)
    for q, (question, expect, _) in enumerate(facts):
        x[q] = probe.search(question, 1).features[:, columns]
        positive[q] = [holds(c.text, expect) for c in index.chunks]
    ranker_w = fit_listwise(x, np.ones_like(positive), positive)
    ranker = {"features": list(ranker_features), "weights": [round(float(v), 6) for v in ranker_w]}
    retriever = Retriever(index, encoder, {"ranker": ranker, "options": options})

    # 2. The sentence picker, on the top passages of the fitted ranker.
    fact_rankings = [retriever.search(question, 3) for question, _, _ in facts]
    s_columns = [SENTENCE_FEATURES.index(f) for f in sentence_features]
    groups = []
    for ranking, (_, expect, _) in zip(fact_rankings, facts, strict=True):
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
    sentence |= fit_answer_length(index, sentence, fact_rankings, [(e, every) for _, e, every in facts])
    sentence["list_model"] = fit_lists(index, sentence, fact_rankings, [(e, every) for _, e, every in facts])

    # 3. Abstention: answerable (facts, and follow-ups the guide answers) vs not covered (out of
    # scope, and follow-ups asking what the guide lacks), on the fitted ranker.
    oos_rankings = [retriever.search(question, 3) for question in oos]
    provisional = assistant.with_weights({"options": options, "ranker": ranker, "sentence": sentence,
                                          "abstain": ANSWER_ALL, "followup": followup or FOLLOWUP_START})  # fmt: skip
    conversations = [i for i in items if i["kind"] == "followup"]
    turn_rankings = [provisional.rank(conversation_messages(provisional, i)) for i in conversations]
    rows = [signals(index, r) for r in fact_rankings + oos_rankings + turn_rankings]
    ax = np.array([[row[s] for s in abstain_signals] for row in rows])
    ay = np.array([1.0] * len(fact_rankings) + [0.0] * len(oos_rankings) + [float(bool(i["expect"])) for i in conversations])
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
    shipped = default_weights().get("followup") if followup is None else None
    weights["followup"] = followup or fit_followup(
        assistant.with_weights(weights), [i for i in items if i["kind"] == "followup"], start=shipped
    )
    return weights


SHORT_ANSWER_WORDS = 40  # median answer length the margins may not exceed
SECOND_SENTENCE_GRID = tuple(x / 4 for x in range(0, 21))
RESTATEMENT_QUANTILES = (0.5, 0.7, 0.8, 0.85, 0.9, 0.93, 0.96, 0.98, 0.99)  # cut-offs tried along the restatement model
MAX_RESTATEMENTS = (1, 2, 3)


def fit_answer_length(
    index: Any, sentence: dict[str, Any], rankings: list[Any], expects: list[tuple[list[str], bool]]
) -> dict[str, Any]:
    """When more than the best sentence is shown: the margin for the next best sentence, and which
    statements elsewhere in the guide say the same thing again (and how many are shown).

    The restatement model is a logistic direction over ``answer.RESTATEMENT_FEATURES``, fitted on
    the candidates of the training questions (a candidate is positive when it holds an expected
    string the best sentence lacks); its cut-off, the margin and the count are then the combination
    answering the most training questions (every expected string where a question asks for all)
    while the median answer stays under SHORT_ANSWER_WORDS words. Ties go to the shorter answers."""
    import itertools
    import statistics

    import numpy as np

    from .answer import RESTATEMENT_FEATURES, Composer, restatement_candidates

    composer = Composer(Weights.from_dict({"sentence": sentence}).sentence)
    scored = []
    rows, labels = [], []
    for ranking, (expect, every) in zip(rankings, expects, strict=True):
        candidates = sentence_candidates(index, ranking)
        if candidates:
            composer.score(candidates)
            best = max(candidates, key=lambda s: s.score)
            found = restatement_candidates(index, ranking, best, composer)
            scored.append((ranking, candidates, found, expect, every))
            for r in found:
                rows.append([r.features[n] for n in RESTATEMENT_FEATURES])
                labels.append(float(any(holds(r.sentence.text, [e]) and not holds(best.text, [e]) for e in expect)))
    model: dict[str, Any] | None = None
    cuts: list[float | None] = [None]
    if rows and len(set(labels)) == 2:
        w, b = fit_logistic(np.array(rows), np.array(labels))
        z = np.array(rows) @ w + b
        fitted = {n: round(float(v), 6) for n, v in zip(RESTATEMENT_FEATURES, w, strict=True)}
        model = {"weights": fitted, "bias": round(float(b), 6)}
        cuts += [float(np.quantile(z, q)) for q in RESTATEMENT_QUANTILES]
    best_found: tuple[int, float, dict[str, Any]] = (-1, 0.0, {})
    for margin, cut, most in itertools.product(SECOND_SENTENCE_GRID, cuts, MAX_RESTATEMENTS):
        if cut is None and most != 1:
            continue  # the count does not matter without restatements
        composer.second_sentence_margin = margin
        composer.restatement_margin = -1.0 if cut is None else 1.0
        composer.max_restatements = most
        if model is not None and cut is not None:
            composer.restatement_weights, composer.restatement_bias = model["weights"], model["bias"] - cut
        right, lengths = 0, []
        for ranking, candidates, found, expect, every in scored:
            text = " ".join(s.text for s in composer.pick(candidates, ranking, index, found))
            right += holds(text, expect, every)
            lengths.append(len(text.split()))
        length = statistics.median(lengths) if lengths else 0.0
        if length <= SHORT_ANSWER_WORDS and (right, -length) > best_found[:2]:
            chosen: dict[str, Any] = {"second_sentence_margin": margin, "restatement_margin": composer.restatement_margin,
                                      "max_restatements": most}  # fmt: skip
            if model is not None and cut is not None:
                chosen["restatement_model"] = {"weights": model["weights"], "bias": round(model["bias"] - cut + 1e-6, 6)}
            best_found = (right, -length, chosen)
    return best_found[2]


def fit_lists(index: Any, sentence: dict[str, Any], rankings: list[Any], expects: list[tuple[list[str], bool]]) -> dict[str, Any]:
    """The model telling questions that want a whole list from those that want one item of it, on
    training questions whose best passage sits in a list: a logistic direction (a question wants the
    whole list when it expects every one of several strings, held by different items of the list),
    then the cut-off along it that answers the most of those questions right."""
    import numpy as np

    from .answer import LIST_FEATURES, Composer

    composer = Composer(Weights.from_dict({"sentence": sentence}).sentence)
    rows, labels, gains = [], [], []
    for ranking, (expect, every) in zip(rankings, expects, strict=True):
        items = composer.list_items(index, ranking)
        if not items:
            continue
        holding = {i for i in items for e in expect if holds(index.chunks[i].text, [e])}
        values = composer.list_features(index, ranking, items)
        rows.append([values[n] for n in LIST_FEATURES])
        labels.append(float(every and len(holding) >= 2))
        as_list = holds(composer.compose_list(index, ranking, items).answer, expect, every)
        as_sentences = holds(composer.compose_sentences(index, ranking).answer, expect, every)
        gains.append(int(as_list) - int(as_sentences))
    if not rows or len(set(labels)) < 2:
        return {"weights": {}, "bias": -1.0}
    w, b = fit_logistic(np.array(rows), np.array(labels))
    z = np.array(rows) @ w + b
    # Answer with the list above a cut-off: the one with the largest gain over sentence answers.
    cuts = np.concatenate([[np.inf], np.sort(z)])
    gain = [sum(g for g, v in zip(gains, z, strict=True) if v >= cut) for cut in cuts]
    cut = float(cuts[int(np.argmax(gain))])
    bias = -1.0e6 if not np.isfinite(cut) else b - cut + 1e-6
    return {"weights": {n: round(float(v), 6) for n, v in zip(LIST_FEATURES, w, strict=True)}, "bias": round(float(bias), 6)}


ANSWER_ALL = {"features": [], "weights": [], "bias": 1.0, "threshold": 0.0}
FOLLOWUP_START = {"message": 0.25, "quoted": 0.0, "neighbour": 1.0}


def conversation_messages(assistant: Assistant, item: dict[str, Any]) -> list[Any]:
    """A follow-up item's turns with the assistant's answers to all but the last: what /chat gets."""
    from .chat import Turn

    messages: list[Any] = []
    for turn in item["turns"][:-1]:
        messages.append(Turn("user", turn))
        messages.append(Turn("assistant", assistant.chat(messages).answer))
    return [*messages, Turn("user", item["turns"][-1])]


def conversation_right(answer: Any, expect: list[str]) -> bool:
    """The eval's rule: the last answer holds an expected string, or is declined when none is."""
    return bool(answer.answered and holds(answer.answer, expect)) if expect else not answer.answered


FOLLOWUP_GRID = {
    "message": (0.0, 0.25, 0.5, 1.0),
    "quoted": (0.0, 0.5, 1.0, 2.0, 4.0),
    "neighbour": (0.0, 0.5, 1.0, 2.0),
    "direction": (0.0, 1.0, 2.0, 4.0, 8.0),
    "ordinal": (0.0, 2.0, 4.0, 8.0),
    "sibling": (0.0, 1.0, 2.0, 4.0),
}


def fit_followup(
    assistant: Assistant, items: list[dict[str, Any]], rounds: int = 2, start: dict[str, float] | None = None
) -> dict[str, float]:
    """The follow-up boosts with the most training conversations answered right: coordinate
    descent over FOLLOWUP_GRID, one boost at a time, from ``start`` (the shipped boosts when
    refitting; a tie keeps the current value, so a refit changes a boost only where the training
    conversations ask for it). Before each round the earlier turns of every conversation are
    answered again with the boosts found so far, as they will be when the assistant runs (a third
    turn leans on an answer that was itself a follow-up). ``assistant`` answers with the other
    fitted weights."""
    if not items:
        return dict.fromkeys(FOLLOWUP_GRID, 0.0)
    weights = assistant.weights
    started = {k: float(v) for k, v in (start or {}).items() if k in FOLLOWUP_GRID}
    params = {k: 0.0 for k in FOLLOWUP_GRID} | dict(FOLLOWUP_START) | started

    def boosted(params: dict[str, float]) -> Weights:
        """The assistant's weights with these follow-up boosts (FOLLOWUP_GRID's float fields)."""
        boosts: dict[str, Any] = dict(params)
        return dataclasses.replace(weights, followup=dataclasses.replace(weights.followup, **boosts))

    def right(params: dict[str, float], histories: dict[str, list[Any]]) -> int:
        candidate = assistant.with_weights(boosted(params))
        return sum(conversation_right(candidate.chat(histories[i["id"]]), i["expect"]) for i in items)

    for _ in range(rounds):
        current = assistant.with_weights(boosted(params))
        histories = {i["id"]: conversation_messages(current, i) for i in items}
        best = right(params, histories)
        for name, grid in FOLLOWUP_GRID.items():
            for value in grid:
                trial = params | {name: value}
                score = right(trial, histories)
                if score > best:
                    best, params = score, trial
    return params


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
    options = {
        "expand_acronyms": not args.no_acronyms, "fix_typos": not args.no_typos, "acronyms_inline": not args.acronyms_appended,
    }  # fmt: skip
    weights = fit(assistant, items, options=options)
    weights["fitted_on"] = [p.as_posix() for p in args.train]
    assistant = assistant.with_weights(weights)
    report = {}
    for path in [*args.train, *args.check]:
        metrics = run_eval(load_items(path), LocalClient(assistant), settings.corpus_dir).metrics
        keys = ("hit@1", "hit@3", "answer_acc", "false_abstain", "abstain_oos", "followup_acc")
        report[path.as_posix()] = {k: v for k, v in metrics.items() if k in keys or k.startswith("right[")}
        print(path, json.dumps(report[path.as_posix()]), file=sys.stderr)
    weights["scores"] = report
    args.out.write_text(json.dumps(weights, indent=2) + "\n")
    print(f"wrote {args.out}", file=sys.stderr)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
