"""Extractive answers: the sentence(s) from the best passages that answer, with [n] markers."""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

from .models import Answer, Citation
from .text import content_terms

if TYPE_CHECKING:
    from .index import Index
    from .retrieval import Ranking

NOT_COVERED = "The guide does not cover that."
CANDIDATE_PASSAGES = 3


@dataclass
class Sentence:
    hit: int  # rank of the passage it comes from (0-based)
    start: int
    end: int
    text: str
    score: float


def citations(index: Index, ranking: Ranking) -> list[Citation]:
    out = []
    for n, hit in enumerate(ranking.hits, start=1):
        chunk = index.chunks[hit.chunk]
        out.append(
            Citation(
                n=n,
                chunk_id=chunk.id,
                source=chunk.source,
                section=chunk.section,
                text=chunk.text,
                start=chunk.start,
                end=chunk.end,
                score=round(hit.score, 6),
            )
        )
    return out


def candidate_sentences(index: Index, ranking: Ranking) -> list[Sentence]:
    """Every sentence of the top passages, scored by similarity to the question."""
    terms = set(ranking.terms)
    out = []
    for rank, hit in enumerate(ranking.hits[:CANDIDATE_PASSAGES]):
        chunk = index.chunks[hit.chunk]
        for row in index.sentence_rows[hit.chunk]:
            start, end = (int(x) for x in index.row_span[row])
            text = chunk.text[start - chunk.start : end - chunk.start]
            overlap = len(terms & set(content_terms(text))) / max(1, len(terms))
            score = float(ranking.row_cosine[row]) + 0.3 * overlap - 0.05 * rank
            out.append(Sentence(rank, start, end, text, score))
    return out


def not_covered(index: Index, ranking: Ranking) -> Answer:
    sections: list[str] = []
    for hit in ranking.hits:
        section = index.chunks[hit.chunk].section
        if section not in sections:
            sections.append(section)
    nearest = "; ".join(sections[:2])
    text = NOT_COVERED + (f" The nearest topics it covers: {nearest}." if nearest else "")
    return Answer(answered=False, answer=text, citations=[])


def compose(index: Index, ranking: Ranking) -> Answer:
    """The best sentence, cited; the caller has already decided the guide covers the question."""
    cited = citations(index, ranking)
    candidates = candidate_sentences(index, ranking)
    if not candidates:
        return not_covered(index, ranking)
    best = max(candidates, key=lambda s: s.score)
    return Answer(answered=True, answer=f"{best.text} [{best.hit + 1}]", citations=cited)
