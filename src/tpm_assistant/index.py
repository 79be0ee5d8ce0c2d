"""What retrieval needs, computed once at ingest and loaded once per process.

Each chunk is stored as several *views*, each a row with its own vector: the passage itself, the
passage under its section heading, and every sentence (a bullet's later sentences keep the bullet's
label). Rows keep exact offsets, so any view can be cited or quoted verbatim. At load time the rows
become an in-memory ``Index``: chunks, a matrix of view vectors and lexical statistics.
"""

from __future__ import annotations

import hashlib
import json
import math
from collections import Counter
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from .chunking import Chunk
from .text import content_terms

if TYPE_CHECKING:
    import numpy as np

    from .store import Records

VIEWS = ("chunk", "context", "sentence")


@dataclass(frozen=True)
class RecordSpec:
    """One row to store: the verbatim text it points at and the text whose vector it carries."""

    id: str
    document: str
    metadata: dict[str, Any]
    embed_text: str


def _hash(text: str) -> str:
    return hashlib.sha256(text.encode("utf-8")).hexdigest()[:16]


def view_texts(chunk: Chunk, full_text: str) -> list[tuple[str, str, int, int, str]]:
    """(view, id suffix, start, end, text to embed) for every view of a chunk."""
    out = [
        ("chunk", "", chunk.start, chunk.end, chunk.text),
        ("context", ":ctx", chunk.start, chunk.end, f"{chunk.section}\n{chunk.text}"),
    ]
    if len(chunk.sentences) > 1:
        for i, (s, e) in enumerate(chunk.sentences):
            sentence = full_text[s:e]
            if i and chunk.label:
                sentence = f"{chunk.label}: {sentence}"
            out.append(("sentence", f":s{i}", s, e, sentence))
    return out


def build_records(chunks: list[Chunk], texts: dict[str, str]) -> list[RecordSpec]:
    """Rows for every view of every chunk; ``texts`` maps a source to its decoded text."""
    specs: list[RecordSpec] = []
    for chunk in chunks:
        full = texts[chunk.source]
        for view, suffix, start, end, embed_text in view_texts(chunk, full):
            meta: dict[str, Any] = {
                "view": view,
                "chunk_id": chunk.id,
                "source": chunk.source,
                "start": start,
                "end": end,
                "embed_hash": _hash(embed_text),
                "row": len(specs),
            }
            if view == "chunk":
                meta |= {
                    "section": chunk.section,
                    "kind": chunk.kind,
                    "label": chunk.label,
                    "position": chunk.position,
                    "sentences": json.dumps(chunk.sentences),
                }
            specs.append(RecordSpec(chunk.id + suffix, full[start:end], meta, embed_text))
    return specs


def chunks_from_records(ids: list[str], documents: list[str], metadatas: list[dict[str, Any]]) -> list[Chunk]:
    """The chunks stored in a version's rows, in document order."""
    chunks = []
    for cid, doc, meta in zip(ids, documents, metadatas):
        if meta.get("view") != "chunk":
            continue
        chunks.append(
            Chunk(
                id=cid,
                source=meta["source"],
                section=meta["section"],
                kind=meta["kind"],
                text=doc,
                start=int(meta["start"]),
                end=int(meta["end"]),
                label=meta.get("label", ""),
                sentences=tuple(tuple(s) for s in json.loads(meta["sentences"])),  # type: ignore[misc]
                position=int(meta["position"]),
            )
        )
    chunks.sort(key=lambda c: (c.source, c.position))
    return chunks


def embed_texts_of(records: Records) -> list[str]:
    """Rebuild the embedded text of each stored row (to verify an encoder against stored vectors)."""
    chunks = {c.id: c for c in chunks_from_records(records.ids, records.documents, records.metadatas)}
    out = []
    for meta, doc in zip(records.metadatas, records.documents):
        chunk = chunks[meta["chunk_id"]]
        view = meta["view"]
        if view == "chunk":
            out.append(doc)
        elif view == "context":
            out.append(f"{chunk.section}\n{doc}")
        else:
            first = chunk.sentences and int(meta["start"]) == chunk.sentences[0][0]
            out.append(doc if first or not chunk.label else f"{chunk.label}: {doc}")
    return out


class Lexical:
    """BM25 over chunks (text plus section heading), with the corpus vocabulary for coverage."""

    def __init__(self, chunks: list[Chunk], k1: float = 1.2, b: float = 0.75):
        self.k1, self.b = k1, b
        self.docs = [Counter(content_terms(f"{c.section} {c.text}")) for c in chunks]
        self.lengths = [sum(d.values()) for d in self.docs]
        self.avg = (sum(self.lengths) / len(self.lengths)) if self.lengths else 1.0
        df: Counter[str] = Counter()
        for d in self.docs:
            df.update(d.keys())
        n = len(self.docs)
        self.idf = {t: math.log(1 + (n - f + 0.5) / (f + 0.5)) for t, f in df.items()}
        self.postings: dict[str, list[tuple[int, int]]] = {}
        for i, d in enumerate(self.docs):
            for t, f in d.items():
                self.postings.setdefault(t, []).append((i, f))

    def scores(self, terms: list[str]) -> list[float]:
        out = [0.0] * len(self.docs)
        for t in set(terms):
            idf = self.idf.get(t)
            if idf is None:
                continue
            for i, f in self.postings[t]:
                norm = self.k1 * (1 - self.b + self.b * self.lengths[i] / self.avg)
                out[i] += idf * f * (self.k1 + 1) / (f + norm)
        return out


class Index:
    """One store version in memory: chunks, view vectors and lexical statistics."""

    def __init__(self, records: Records, collection: str = ""):
        import numpy as np

        self.collection = collection
        self.chunks = chunks_from_records(records.ids, records.documents, records.metadatas)
        self.by_id = {c.id: i for i, c in enumerate(self.chunks)}
        self.vectors = records.vectors
        self.row_chunk = np.array([self.by_id[m["chunk_id"]] for m in records.metadatas], dtype=np.int64)
        self.row_view = np.array([VIEWS.index(m["view"]) for m in records.metadatas], dtype=np.int64)
        self.row_span = np.array([(int(m["start"]), int(m["end"])) for m in records.metadatas], dtype=np.int64)
        self.row_text = records.documents
        self.lexical = Lexical(self.chunks)
        # Row of each sentence of each chunk (a one-sentence chunk's sentence is its chunk row).
        self.sentence_rows: list[list[int]] = [[] for _ in self.chunks]
        chunk_rows: dict[int, int] = {}
        for row, meta in enumerate(records.metadatas):
            chunk = self.by_id[meta["chunk_id"]]
            if meta["view"] == "sentence":
                self.sentence_rows[chunk].append(row)
            elif meta["view"] == "chunk":
                chunk_rows[chunk] = row
        for chunk, rows in enumerate(self.sentence_rows):
            if not rows:
                rows.append(chunk_rows[chunk])

    def __len__(self) -> int:
        return len(self.chunks)
