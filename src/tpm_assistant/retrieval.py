"""Ranked passages for a question.

Every passage gets a row of features from complementary signals, and a linear model fitted on
held-apart training questions (see ``learn.py``; weights in ``weights.json``) combines them:

- dense: cosine of the question with each view of the passage (passage under its heading, best
  sentence, bullet label, heading, heading + label);
- lexical: BM25 over passages and over single sentences, and character n-grams (typos, word forms);
- late interaction: every question token finds its best-matching token in the passage (MaxSim over
  the model's contextual token vectors, IDF-weighted), so "burning out" meets "burnout";
- priors: answer types (a "how much" question and a passage with a dollar figure), and a penalty
  for "hub" passages that sit close to every question.

Scores are fused by the learned weights, not by rank heuristics: each signal counts as much as it
helped on training questions, and a signal that did not help gets a weight near zero.
"""

from __future__ import annotations

import json
import math
from dataclasses import dataclass, field
from functools import cache
from importlib import resources
from typing import TYPE_CHECKING, Any

from .query import Query, analyze
from .text import char_grams, is_content_token

if TYPE_CHECKING:
    import numpy as np

    from .chat import Boosts
    from .embeddings import QueryEncoder
    from .index import Index

FEATURES = (
    "chunk", "ctx", "sent", "label", "head", "headlabel",
    "bm25", "sbm25", "char", "maxsim",
    "hub", "money", "years", "percent", "list_bullet", "org_proper",
)  # fmt: skip
FEATURE_COLUMN = {name: i for i, name in enumerate(FEATURES)}


@cache
def default_weights() -> dict[str, Any]:
    """The fitted weights shipped with the package (regenerate with ``python -m tpm_assistant.learn``)."""
    data: dict[str, Any] = json.loads(resources.files("tpm_assistant").joinpath("weights.json").read_text())
    return data


@dataclass
class Hit:
    chunk: int  # position in Index.chunks
    score: float  # the fused score that ranks passages


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


@dataclass(frozen=True)
class QueryTokens:
    """The question's content tokens (no stopwords, no punctuation) and how each matches passages."""

    vecs: np.ndarray  # (tokens, dims) unit vectors in the passages' token space
    weights: np.ndarray  # IDF weight of each token
    starts: np.ndarray  # character offset of each token in the analysed question text
    matches: np.ndarray  # (tokens, passages): each token's best similarity within each passage

    def within(self, start: int, end: int) -> np.ndarray:
        """Indices of the tokens that lie in ``text[start:end]``."""
        import numpy as np

        found: np.ndarray = np.flatnonzero((self.starts >= start) & (self.starts < end))
        return found


@dataclass
class Ranking:
    """Passages ranked for one question, plus what answerability and answering reuse."""

    query: Query
    hits: list[Hit]
    scores: np.ndarray  # fused score of every passage
    features: np.ndarray  # (passages, len(FEATURES))
    row_cosine: np.ndarray  # cosine of the question with every stored view
    tokens: QueryTokens
    role_similarity: float = 1.0  # how close a job the question names is to the guide's subject
    # A follow-up: the message searched alone, and the ranking of the whole conversation, whose
    # signals decide whether the guide answers (the earlier question can make it answerable).
    alone: Ranking | None = None
    conversation: Ranking | None = None

    def column(self, name: str) -> np.ndarray:
        """One feature of every passage."""
        out: np.ndarray = self.features[:, FEATURE_COLUMN[name]]
        return out


def _normalise(x: np.ndarray) -> np.ndarray:
    top = float(x.max()) if len(x) else 0.0
    return x / top if top > 0 else x


class Retriever:
    def __init__(self, index: Index, encoder: QueryEncoder, weights: dict[str, Any] | None = None):
        import numpy as np

        self.index = index
        self.encoder = encoder
        weights = weights or default_weights()
        # Query rewriting switches, kept with the weights they were fitted with.
        self.options: dict[str, bool] = dict(weights.get("options", {}))
        # Follow-ups: how much the message alone, and the passages it refers to, add to the
        # conversation's score (fitted on training conversations).
        followup = weights.get("followup", {})
        self.followups = bool(followup.get("enabled", True))  # False: every message stands alone
        self.followup = FollowupWeights(**{k: float(v) for k, v in followup.items() if k in FollowupWeights.__dataclass_fields__})
        ranker = weights["ranker"]
        self.feature_names: list[str] = list(ranker["features"])
        self.weights = np.array(ranker["weights"], dtype=np.float32)
        self.columns = [FEATURES.index(f) for f in self.feature_names]
        self._roles: dict[str, float] = {}
        self._subject_vectors: np.ndarray | None = None

    def query_tokens(self, ids: np.ndarray, vecs: np.ndarray, starts: np.ndarray) -> QueryTokens:
        """The question's content tokens with their IDF weights and their matches in every passage."""
        import numpy as np

        keep, weights = [], []
        for i, token_id in enumerate(ids.tolist()):
            if is_content_token(self.encoder.id_to_token(token_id)):
                keep.append(i)
                weights.append(self.index.tok_idf.get(token_id, self.index.tok_default_idf))
        projected = self.index.project(vecs[keep])
        return QueryTokens(projected, np.array(weights, dtype=np.float32), starts[keep], self.token_match(projected))

    def token_match(self, q: np.ndarray) -> np.ndarray:
        """(content tokens, passages): each question token's best similarity within each passage."""
        import numpy as np

        index = self.index
        if not index.has_tokens or not len(q):
            return np.zeros((len(q), len(index.chunks)), dtype=np.float32)
        sims = q @ index.tok_vecs_t
        return np.maximum.reduceat(sims, index.tok_starts, axis=1)

    def features(self, query: Query, vector: np.ndarray, tokens: QueryTokens) -> tuple[np.ndarray, np.ndarray]:
        import numpy as np

        index = self.index
        n = len(index.chunks)
        cos = index.vectors @ vector

        padded = {}

        def best(view: str, missing: float = -1.0) -> np.ndarray:
            if missing not in padded:
                padded[missing] = np.append(cos, np.float32(missing))
            out: np.ndarray = padded[missing][index.view_table[view]].max(axis=1)
            return out

        chunk_cos = best("chunk")
        head = np.where(index.chunk_heading_row >= 0, cos[np.maximum(index.chunk_heading_row, 0)], 0.0)

        passage_bm25 = index.passage_bm25.score(dict.fromkeys(query.terms, 1.0))
        sentence_scores = index.sentence_bm25.score(dict.fromkeys(query.terms, 1.0))
        sentence_bm25 = np.append(sentence_scores, np.float32(0.0))[index.sentence_table].max(axis=1)

        grams = char_grams(query.expanded)
        weights = {g: (1 + math.log(c)) * index.gram_idf[g] for g, c in grams.items() if g in index.gram_idf}
        norm = math.sqrt(sum(w * w for w in weights.values())) or 1.0
        char = index.grams.score({g: w / norm for g, w in weights.items()})

        weights = tokens.weights
        maxsim = (weights / weights.sum()) @ tokens.matches if len(weights) else np.zeros(n, np.float32)

        intent = query.intents
        x = np.column_stack([
            chunk_cos,
            best("context"),
            np.maximum(best("sentence"), chunk_cos),
            best("label", missing=0.0),
            head,
            best("headlabel"),
            _normalise(passage_bm25),
            _normalise(sentence_bm25),
            char,
            maxsim,
            index.hub,
            intent["money"] * index.has_money,
            intent["years"] * index.has_years,
            intent["percent"] * index.has_percent,
            intent["list"] * index.is_bullet,
            intent["organisations"] * index.proper_density,
        ]).astype(np.float32)  # fmt: skip
        return x, cos

    def _rank(self, query: Query, k: int) -> Ranking:
        vector, ids, vecs, starts = self.encoder.encode_query(query.expanded)
        tokens = self.query_tokens(ids, vecs, starts)
        x, cos = self.features(query, vector, tokens)
        scores = x[:, self.columns] @ self.weights
        return Ranking(query, self._top(scores, k), scores, x, cos, tokens, self.role_similarity(query.role))

    def role_similarity(self, role: str | None) -> float:
        """How close the job a question names is to the guide's subject (1.0 when none is named)."""
        import numpy as np

        if role is None or not self.index.subjects:
            return 1.0
        if self.index.names_role(role):
            return 1.0  # a role the guide itself describes ("coordinator", "program manager")
        if role not in self._roles:
            if len(self._roles) > 1000:
                self._roles.clear()  # a small cache: the same few jobs come up again and again
            if self._subject_vectors is None:
                self._subject_vectors = self.encoder.embed(self.index.subjects)
            self._roles[role] = float(np.max(self._subject_vectors @ self.encoder.embed([role])[0]))
        return self._roles[role]

    @staticmethod
    def _top(scores: np.ndarray, k: int) -> list[Hit]:
        import numpy as np

        order = np.argsort(-scores, kind="stable")[:k]
        return [Hit(int(i), float(scores[i])) for i in order]

    def search(self, text: str, k: int) -> Ranking:
        """The top ``k`` passages for a question."""
        return self._rank(self.analyze(text), k)

    def analyze(self, text: str, focus: str | None = None) -> Query:
        """The question as analysed with the options these weights were fitted with."""
        return analyze(
            text,
            self.index,
            focus=focus,
            fix_typos=self.options.get("fix_typos", True),
            expand_acronyms=self.options.get("expand_acronyms", True),
            acronyms_inline=self.options.get("acronyms_inline", False),
            expand_abbreviations=self.options.get("expand_abbreviations", True),
        )

    def search_followup(self, context: str, message: str, k: int, boosts: Boosts | None = None) -> Ranking:
        """A follow-up ("and in New York City?") searched with the question it follows.

        The conversation (earlier question + message) is scored as one query; the message alone and
        the passages the follow-up refers to (see ``chat.Boosts``) add fitted amounts. Answer
        sentences are matched against the message's own tokens, so the answer is about what is
        asked now.
        """
        both = self._rank(self.analyze(f"{context} {message}", focus=message), k)
        alone = self._rank(self.analyze(message), k)
        scores = both.scores + self.followup.message * alone.scores
        if boosts is not None:
            scores = scores + (
                self.followup.quoted * boosts.quoted
                + self.followup.neighbour * boosts.neighbour
                + self.followup.direction * boosts.direction
                + self.followup.ordinal * boosts.ordinal
                + self.followup.sibling * boosts.sibling
            )
        # Answer sentences are matched against the message's own tokens when it has any.
        tokens = alone.tokens if len(alone.tokens.weights) else both.tokens
        return Ranking(both.query, self._top(scores, k), scores, both.features, both.row_cosine, tokens,
                       both.role_similarity, alone=alone, conversation=both)  # fmt: skip
