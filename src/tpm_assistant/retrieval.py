"""Ranked passages for a query: dense similarity over every view of a chunk, BM25, and their fusion."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import TYPE_CHECKING

from .text import content_terms

if TYPE_CHECKING:
    import numpy as np

    from .embeddings import Embedder
    from .index import Index

RRF_K = 60  # the usual reciprocal-rank-fusion constant


@dataclass
class Hit:
    chunk: int  # position in Index.chunks
    score: float  # fused score used for ranking
    dense: float  # best cosine over the chunk's views
    lexical: float  # BM25


@dataclass
class Ranking:
    """The ranked chunks for a query, plus what answer composition reuses."""

    hits: list[Hit]
    row_cosine: np.ndarray  # cosine of the query with every stored view
    terms: list[str] = field(default_factory=list)


class Retriever:
    def __init__(self, index: Index, encoder: Embedder):
        self.index = index
        self.encoder = encoder

    def encode(self, text: str) -> np.ndarray:
        return self.encoder.embed([text])[0]

    def search(self, query: str, k: int, vector: np.ndarray | None = None) -> Ranking:
        import numpy as np

        index = self.index
        vector = self.encode(query) if vector is None else vector
        row_cosine = index.vectors @ vector
        dense = np.full(len(index.chunks), -1.0, dtype=np.float32)
        np.maximum.at(dense, index.row_chunk, row_cosine)
        terms = content_terms(query)
        lexical = np.asarray(index.lexical.scores(terms), dtype=np.float32)

        dense_rank = np.empty(len(dense), dtype=np.int64)
        dense_rank[np.argsort(-dense, kind="stable")] = np.arange(len(dense))
        lex_rank = np.empty(len(lexical), dtype=np.int64)
        lex_rank[np.argsort(-lexical, kind="stable")] = np.arange(len(lexical))
        fused = 1.0 / (RRF_K + 1 + dense_rank) + np.where(lexical > 0, 1.0 / (RRF_K + 1 + lex_rank), 0.0)

        order = np.argsort(-fused, kind="stable")[:k]
        hits = [Hit(int(i), float(fused[i]), float(dense[i]), float(lexical[i])) for i in order]
        return Ranking(hits=hits, row_cosine=row_cosine, terms=terms)
