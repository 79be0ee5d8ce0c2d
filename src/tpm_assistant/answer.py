"""Extractive answers: the sentence(s) of the best passages that answer, each with its [n] marker.

- One answer sentence is picked among the sentences of the top passages by a small linear model
  (fitted like the ranker, see ``learn.py``): similarity to the question, words in common, the answer
  type the question wants, and how well its passage ranked. A later sentence of a "Label: text"
  bullet keeps its label, so the answer reads on its own.
- When the question asks for a figure and another top passage gives a second figure for the same
  thing (the guide has two salary ranges), both are shown, each with its own citation.
- When the question asks for a list and the best passages are bullets of one list, the answer names
  every bullet of that list, each cited.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from .models import Answer, Citation
from .retrieval import Hit
from .text import content_terms

if TYPE_CHECKING:
    import numpy as np

    from .index import Index
    from .retrieval import Ranking

NOT_COVERED = "The guide does not cover that."
CANDIDATE_PASSAGES = 3
SENTENCE_FEATURES = ("cos", "maxsim", "chunk_score", "top_chunk", "overlap", "money", "years", "percent", "first")
# A word this rare in the guide names one item of a list ("tools", "healthcare"), not the list.
RARE_IDF = 2.3
GENERIC_IDF = 1.0  # a word in a third or more of the passages ("technical", "manager") says little
_BACK_REFERENCE = re.compile(r"^(it|its|they|their|this|these|that|those|he|she|such|both)\b", re.I)
_MONEY = re.compile(r"\$\s?\d")
_YEARS = re.compile(r"\b\d+\s*(?:-\s*\d+\s*)?years?\b")
_PERCENT = re.compile(r"\d\s?%")
LIST_ITEM_WORDS = 12  # an unlabelled bullet is named by its first words


@dataclass
class Sentence:
    hit: int  # rank of the passage it comes from (0-based)
    chunk: int
    start: int
    end: int
    text: str
    first: bool  # the passage's first sentence
    features: list[float]
    score: float = 0.0


def _sentence_maxsim(index: Index, ranking: Ranking, chunk: int, i: int) -> float:
    """Late interaction within one sentence: each question token's best match there, IDF-weighted."""
    q, weights = ranking.extra["query_tokens"], ranking.extra["token_weights"]
    if not index.has_tokens or not len(q) or i >= len(index.sentence_tokens[chunk]):
        return 0.0
    a, b = index.sentence_tokens[chunk][i]
    best = (q @ index.tok_vecs[a:b].T).max(axis=1)  # type: ignore[index]
    return float((weights * best).sum() / weights.sum())


def sentence_candidates(index: Index, ranking: Ranking) -> list[Sentence]:
    """Every sentence of the top passages, with the features the sentence model scores."""
    terms = set(ranking.query.focus_terms or ranking.query.terms)
    intents = ranking.query.intents
    import numpy as np

    top = ranking.hits[0].score if ranking.hits else 0.0
    out = []
    # Candidates come from the best passages, even beyond the k that will be cited.
    best: list[int] = np.argsort(-ranking.scores, kind="stable")[:CANDIDATE_PASSAGES].tolist() if ranking.hits else []
    for rank, chunk_index in enumerate(best):
        hit = Hit(int(chunk_index), float(ranking.scores[chunk_index]))
        chunk = index.chunks[hit.chunk]
        rows = index.sentence_rows[hit.chunk]
        for i, row in enumerate(rows):
            start, end = (int(x) for x in index.row_span[row])
            text = chunk.text[start - chunk.start : end - chunk.start]
            overlap = len(terms & index.sentence_terms[hit.chunk][i]) / max(1, len(terms))
            features = [
                float(ranking.row_cosine[row]),
                _sentence_maxsim(index, ranking, hit.chunk, i),
                hit.score - top,
                float(rank == 0),
                overlap,
                float(intents["money"] and bool(_MONEY.search(text))),
                float(intents["years"] and bool(_YEARS.search(text))),
                float(intents["percent"] and bool(_PERCENT.search(text))),
                float(i == 0),
            ]
            out.append(Sentence(rank, hit.chunk, start, end, text, i == 0, features))
    return out


def _citations(index: Index, chunks: list[int], scores: list[float]) -> list[Citation]:
    """Citations numbered 1.. in the given order."""
    out = []
    for n, (c, score) in enumerate(zip(chunks, scores), start=1):
        chunk = index.chunks[c]
        out.append(
            Citation(
                n=n, chunk_id=chunk.id, source=chunk.source, section=chunk.section, text=chunk.text,
                start=chunk.start, end=chunk.end, score=round(score, 4),
            )  # fmt: skip
        )
    return out


def not_covered(index: Index, ranking: Ranking) -> Answer:
    """Say so plainly, and name the guide's nearest topics so the user can rephrase."""
    sections: list[str] = []
    for hit in ranking.hits:
        section = index.chunks[hit.chunk].section
        if section not in sections:
            sections.append(section)
    nearest = "; ".join(f"“{s}”" for s in sections[:2])
    text = NOT_COVERED + (f" The nearest topics it covers: {nearest}" if nearest else "")
    return Answer(answered=False, answer=text, citations=[])


class Composer:
    def __init__(self, weights: dict[str, Any]):
        self.names: list[str] = list(weights["features"])
        self.weights: list[float] = list(weights["weights"])
        self.columns = [SENTENCE_FEATURES.index(n) for n in self.names]
        self.second_figure_margin = float(weights.get("second_figure_margin", 0.0))
        self.second_sentence_margin = float(weights.get("second_sentence_margin", 0.0))
        self.lists = bool(weights.get("lists", True))  # answer list questions with the whole list

    def score(self, sentences: list[Sentence]) -> None:
        for s in sentences:
            s.score = sum(w * s.features[c] for w, c in zip(self.weights, self.columns))

    def list_section(self, index: Index, ranking: Ranking) -> list[int] | None:
        """The bullets of one list, when the question asks for that list rather than one item.

        The question must ask for several things; the best passage must sit in a section holding a
        list; the question must not name a rare word of one item ("Which *tools*...?" asks for one
        bullet); and it must match the section's heading better than any single item's label.
        """
        query = ranking.query
        if not self.lists or not query.intents["whole_list"] or not ranking.hits:
            return None
        top = index.chunks[ranking.hits[0].chunk]
        items = [i for i, c in enumerate(index.chunks) if c.kind == "bullet" and c.source == top.source and c.heading == top.heading]
        if len(items) < 2:
            return None
        # The question must name what the list's heading is about ("challenges", "skills").
        specific = {t for t in content_terms(top.section) if index.idf.get(t, 0.0) >= GENERIC_IDF}
        if not specific & {*query.focus_terms, *query.terms}:
            return None
        rare = {t for t in {*query.focus_terms, *query.terms} if index.idf.get(t, 0.0) >= RARE_IDF}
        if any(rare & set(content_terms(self._item_name(index, i))) for i in items):
            return None
        from .retrieval import FEATURES

        x = ranking.features
        head = float(x[ranking.hits[0].chunk, FEATURES.index("head")])
        if head <= max(float(x[i, FEATURES.index("label")]) for i in items):
            return None
        return items

    def compose(self, index: Index, ranking: Ranking) -> Answer:
        listed = self.list_section(index, ranking)
        if listed:
            chunks = self._cite_first(ranking, listed)
            number = {c: n for n, c in enumerate(chunks, start=1)}
            items = [f"{self._item_name(index, c)} [{number[c]}]" for c in listed]
            section = index.chunks[listed[0]].section.rstrip("?.:")
            answer = f"Under “{section}”, the guide lists: " + "; ".join(items) + "."
            return Answer(answered=True, answer=answer, citations=self._citations(index, ranking, chunks))

        candidates = sentence_candidates(index, ranking)
        if not candidates:
            return not_covered(index, ranking)
        self.score(candidates)
        parts = self.pick(candidates, ranking)
        chunks = self._cite_first(ranking, list(dict.fromkeys(s.chunk for s in parts)))
        number = {c: n for n, c in enumerate(chunks, start=1)}
        pieces = []
        for chunk in dict.fromkeys(s.chunk for s in parts):
            group = [s for s in parts if s.chunk == chunk]  # best first
            pieces.append(f"{self._group_text(index, candidates, group)} [{number[chunk]}]")
        return Answer(answered=True, answer=" ".join(pieces), citations=self._citations(index, ranking, chunks))

    def pick(self, candidates: list[Sentence], ranking: Ranking) -> list[Sentence]:
        """The answer's sentences: the best one; the next best when it scores nearly as well (a
        margin fitted on training questions, so answers stay short); and, when the question asks
        for a figure, the best figure from another passage (two figures for the same thing)."""
        ranked = sorted(candidates, key=lambda s: -s.score)
        best = ranked[0]
        parts = [best]
        if len(ranked) > 1 and ranked[1].score >= best.score - self.second_sentence_margin:
            parts.append(ranked[1])
        if ranking.query.intents["money"] and _MONEY.search(best.text):
            others = [
                s for s in ranked
                if s.chunk != best.chunk and _MONEY.search(s.text) and s.score >= best.score - self.second_figure_margin
            ]  # fmt: skip
            if others and not any(p.chunk != best.chunk and _MONEY.search(p.text) for p in parts):
                parts.append(others[0])
        return parts

    @staticmethod
    def _cite_first(ranking: Ranking, used: list[int]) -> list[int]:
        """Citation order: the passages the answer quotes, then the other ranked passages, k in
        all (more only when the answer itself quotes more)."""
        others = [h.chunk for h in ranking.hits if h.chunk not in used]
        return used + others[: max(0, len(ranking.hits) - len(used))]

    @staticmethod
    def _citations(index: Index, ranking: Ranking, chunks: list[int]) -> list[Citation]:
        return _citations(index, chunks, [float(ranking.scores[c]) for c in chunks])

    @staticmethod
    def _group_text(index: Index, candidates: list[Sentence], group: list[Sentence]) -> str:
        """Sentences of one passage, best first, readable on their own: a bullet's later sentence
        keeps the bullet's label, and one that opens by pointing back ("It is usually...") keeps
        the sentence before it, just before it."""
        chunk = index.chunks[group[0].chunk]
        if chunk.label and any(s.first for s in group):
            group = sorted(group, key=lambda s: s.start)  # the opening sentence carries the label
        chosen: list[Sentence] = []
        for s in group:
            if not s.first and _BACK_REFERENCE.match(s.text):
                before = [c for c in candidates if c.chunk == s.chunk and c.end <= s.start]
                if before and before[-1] not in group and before[-1] not in chosen:
                    chosen.append(before[-1])
            if s not in chosen:
                chosen.append(s)
        text = " ".join(s.text for s in chosen)
        if not chosen[0].first and chunk.label and not text.startswith(chunk.label):
            text = f"{chunk.label}: {text}"  # the bullet's topic, so the sentence stands alone
        return text

    @staticmethod
    def _item_name(index: Index, c: int) -> str:
        chunk = index.chunks[c]
        if chunk.label:
            return chunk.label
        first = chunk.text[: chunk.sentences[0][1] - chunk.start] if chunk.sentences else chunk.text
        words = first.split()
        return " ".join(words[:LIST_ITEM_WORDS]) + ("…" if len(words) > LIST_ITEM_WORDS else "")


def sentence_matrix(sentences: list[Sentence]) -> np.ndarray:
    import numpy as np

    return np.array([s.features for s in sentences], dtype=np.float32)
