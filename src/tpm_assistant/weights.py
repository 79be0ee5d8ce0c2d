"""The fitted weights, typed: what each stage reads, checked once when they are loaded.

``weights.json`` (written by ``python -m tpm_assistant.learn``) is the file format, and fitting
and ablations edit it as a plain dict; ``Weights.from_dict`` turns it into these dataclasses, so a
misspelt or missing field fails at load time with its name, not in the middle of an answer.
"""

from __future__ import annotations

import json
import math
from collections.abc import Mapping
from dataclasses import dataclass, field, fields
from functools import cache
from importlib import resources
from typing import Any

STANDALONE = 0.9  # a short follow-up stands alone when at least this likely answered on its own


@dataclass(frozen=True)
class Linear:
    """A linear model over named features: bias + sum of weight x value."""

    features: tuple[str, ...] = ()
    weights: tuple[float, ...] = ()
    bias: float = 0.0

    def __post_init__(self) -> None:
        if len(self.features) != len(self.weights):
            raise ValueError(f"{len(self.features)} features but {len(self.weights)} weights")

    @classmethod
    def from_dict(cls, data: Mapping[str, Any]) -> Linear:
        """``{"features": [...], "weights": [...], "bias": b}``, or ``{"weights": {name: w}, "bias": b}``."""
        raw = data.get("weights", {})
        if isinstance(raw, Mapping):
            names, values = tuple(str(n) for n in raw), tuple(float(w) for w in raw.values())
        else:
            names, values = tuple(str(n) for n in data.get("features", ())), tuple(float(w) for w in raw)
        return cls(names, values, float(data.get("bias", 0.0)))

    def score(self, values: Mapping[str, float]) -> float:
        """The model's value on these features (a feature it does not know counts 0)."""
        return self.bias + sum(w * values.get(n, 0.0) for n, w in zip(self.features, self.weights, strict=True))

    def probability(self, values: Mapping[str, float]) -> float:
        return 1.0 / (1.0 + math.exp(-max(-50.0, min(50.0, self.score(values)))))


@dataclass(frozen=True)
class Options:
    """Query rewriting switches, kept with the weights they were fitted with."""

    fix_typos: bool = True
    expand_acronyms: bool = True
    acronyms_inline: bool = False
    expand_abbreviations: bool = True


@dataclass(frozen=True)
class FollowupWeights:
    """What a follow-up's message alone, and each kind of reference, add to a passage's score."""

    message: float = 0.0
    quoted: float = 0.0
    neighbour: float = 0.0
    direction: float = 0.0
    ordinal: float = 0.0
    sibling: float = 0.0
    substitution: float = 1.0  # 1: "what about X?" swaps the earlier question's slot for X (0: off)
    enabled: bool = True  # False: every message stands alone


@dataclass(frozen=True)
class AbstainWeights:
    """The answerability model: the probability the guide answers, and the cut-offs on it."""

    model: Linear = field(default_factory=Linear)
    threshold: float = 0.5
    standalone: float = STANDALONE


@dataclass(frozen=True)
class SentenceWeights:
    """How answers are composed: the sentence ranker, lists, ordinals and restatements."""

    model: Linear = field(default_factory=Linear)  # scores a passage's sentences (SENTENCE_FEATURES)
    second_figure_margin: float = 0.0
    second_sentence_margin: float = 0.0
    lists: bool = True  # answer list questions with the whole list
    ordinals: bool = True  # "the first job on the path": that item of the list
    ranges: bool = True  # "the path from coordinator to director": those items of the list
    value_first: bool = True  # a question asking for a value: a sentence giving one leads the answer
    list_model: Linear = field(default_factory=lambda: Linear(bias=-1.0))
    # Restatements: the guide says some things twice, differently; both are shown. A fitted model
    # over RESTATEMENT_FEATURES when there is one, else the two fixed margins.
    restatement_margin: float = -1.0
    parallel_cosine: float = 1.0
    max_restatements: int = 1
    restatement_model: Linear | None = None


@dataclass(frozen=True)
class Weights:
    options: Options = field(default_factory=Options)
    ranker: Linear = field(default_factory=Linear)
    sentence: SentenceWeights = field(default_factory=SentenceWeights)
    abstain: AbstainWeights = field(default_factory=AbstainWeights)
    followup: FollowupWeights = field(default_factory=FollowupWeights)

    @classmethod
    def from_dict(cls, data: Mapping[str, Any]) -> Weights:
        """From the ``weights.json`` form; absent sections take their defaults, unknown fields fail."""
        sentence = dict(data.get("sentence", {}))
        model = Linear.from_dict({k: sentence.pop(k) for k in ("features", "weights") if k in sentence})
        for key in ("list_model", "restatement_model"):
            if sentence.get(key) is not None:
                sentence[key] = Linear.from_dict(sentence[key])
        abstain = dict(data.get("abstain", {}))
        abstain_model = Linear.from_dict({k: abstain.pop(k) for k in ("features", "weights", "bias") if k in abstain})
        return cls(
            options=_make(Options, data.get("options", {})),
            ranker=Linear.from_dict(data.get("ranker", {})),
            sentence=_make(SentenceWeights, {"model": model, **sentence}),
            abstain=_make(AbstainWeights, {"model": abstain_model, **abstain}),
            followup=_make(FollowupWeights, data.get("followup", {})),
        )


def _make(kind: Any, data: Mapping[str, Any]) -> Any:
    known = {f.name for f in fields(kind)}
    unknown = sorted(set(data) - known)
    if unknown:
        raise ValueError(f"unknown {kind.__name__} field(s): {', '.join(unknown)}")
    return kind(**data)


@cache
def default_weights() -> dict[str, Any]:
    """The fitted weights shipped with the package, as the file holds them (regenerate with
    ``python -m tpm_assistant.learn``); shared: copy before changing."""
    data: dict[str, Any] = json.loads(resources.files("tpm_assistant").joinpath("weights.json").read_text())
    return data


def typed(weights: Weights | Mapping[str, Any] | None) -> Weights:
    """Weights as the stages read them (the shipped ones when none are given)."""
    if isinstance(weights, Weights):
        return weights
    return Weights.from_dict(default_weights() if weights is None else weights)
