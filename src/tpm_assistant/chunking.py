"""Chunks along the guide's own structure: one paragraph or one bullet per chunk.

Each chunk keeps its section heading, its exact offsets in the file, its sentences' offsets and a
stable id computed from its content, so re-ingesting unchanged text changes nothing.
"""

from __future__ import annotations

import hashlib
import re
from collections import Counter
from dataclasses import dataclass

from .corpus import Block, Document

MAX_CHARS = 1000  # a citation is a passage, never a whole section

# A sentence ends at . ! or ? (plus closing quotes or brackets) followed by space and a capital,
# digit, quote or currency sign; abbreviations such as "vs." or "e.g." do not end one.
_SENTENCE_END = re.compile(r"[.!?][\"'”’)\]]*(?=\s+[\"“'‘(\[$A-Z0-9])")
_ABBREVIATIONS = {
    "vs", "e.g", "i.e", "etc", "dr", "mr", "mrs", "ms", "prof", "inc", "ltd", "co", "corp", "st",
    "no", "jr", "sr", "u.s", "u.k", "approx", "dept", "fig", "jan", "feb", "mar", "apr", "jun",
    "jul", "aug", "sep", "sept", "oct", "nov", "dec", "ph.d", "phd", "mba",
}  # fmt: skip


@dataclass(frozen=True)
class Chunk:
    id: str
    source: str
    section: str
    kind: str  # "paragraph", "bullet" or "byline" (who wrote the document)
    text: str  # == document text[start:end]
    start: int
    end: int
    label: str  # a bullet's "Label:" (without the colon), else ""
    sentences: tuple[tuple[int, int], ...]  # absolute offsets of each sentence
    position: int  # order of the chunk within its document
    heading: tuple[int, int] = (-1, -1)  # offsets of the section heading; (-1, -1) if none


# A line break into a Markdown block-quote line: the marker is not text, so no sentence spans it.
_QUOTE_BREAK = re.compile(r"\s*\n[ \t]*(?:>[ \t]?)+\s*")


def sentence_spans(text: str, start: int = 0, end: int | None = None) -> list[tuple[int, int]]:
    """Offsets of the sentences of ``text[start:end]``, trimmed of surrounding space."""
    end = len(text) if end is None else end
    spans: list[tuple[int, int]] = []
    cursor = start
    for marker in _QUOTE_BREAK.finditer(text, start, end):
        spans += _sentences(text, cursor, marker.start())
        cursor = marker.end()
    return spans + _sentences(text, cursor, end)


def _sentences(text: str, start: int, end: int) -> list[tuple[int, int]]:
    spans: list[tuple[int, int]] = []
    cursor = start
    for match in _SENTENCE_END.finditer(text, start, end):
        word = re.search(r"([\w.]+)$", text[cursor : match.start()])
        if word and (word.group(1).lower() in _ABBREVIATIONS or len(word.group(1)) == 1):
            continue
        spans.append((cursor, match.end()))
        cursor = match.end()
        while cursor < end and text[cursor].isspace():
            cursor += 1
    if cursor < end:
        spans.append((cursor, end))
    return [(s, e) for s, e in spans if e > s]


def _pieces(text: str, start: int, end: int) -> list[tuple[int, int, list[tuple[int, int]]]]:
    """Split an over-long block at sentence boundaries into pieces of at most MAX_CHARS."""
    sentences = sentence_spans(text, start, end)
    if end - start <= MAX_CHARS:
        return [(start, end, sentences)]
    # A single sentence longer than the limit is cut at the last space before it.
    fitted: list[tuple[int, int]] = []
    for s, e in sentences:
        while e - s > MAX_CHARS:
            cut = text.rfind(" ", s, s + MAX_CHARS)
            cut = cut if cut > s else s + MAX_CHARS
            fitted.append((s, cut))
            s = cut + 1 if text[cut : cut + 1] == " " else cut
        fitted.append((s, e))
    pieces: list[tuple[int, int, list[tuple[int, int]]]] = []
    group: list[tuple[int, int]] = []
    for span in fitted:
        if group and span[1] - group[0][0] > MAX_CHARS:
            pieces.append((group[0][0], group[-1][1], group))
            group = []
        group.append(span)
    if group:
        pieces.append((group[0][0], group[-1][1], group))
    return pieces


def chunk_id(source: str, section: str, text: str) -> str:
    """Content-based id: the same text under the same heading in the same file keeps its id."""
    digest = hashlib.sha256("\x1f".join((source, section, text)).encode("utf-8")).hexdigest()
    return digest[:20]


def chunk_document(doc: Document) -> list[Chunk]:
    """One chunk per paragraph or bullet (split further only past MAX_CHARS)."""
    chunks: list[Chunk] = []
    seen: Counter[str] = Counter()
    body: list[Block] = [b for b in doc.blocks if b.kind in ("paragraph", "bullet", "byline")]
    for block in body:
        label = doc.text[block.start : block.label_end] if block.label_end else ""
        for start, end, sentences in _pieces(doc.text, block.start, block.end):
            text = doc.text[start:end]
            base = chunk_id(doc.source, block.section, text)
            seen[base] += 1
            # Identical text twice under one heading: the second copy gets a stable suffix.
            cid = base if seen[base] == 1 else f"{base}-{seen[base]}"
            chunks.append(
                Chunk(
                    id=cid,
                    source=doc.source,
                    section=block.section,
                    kind=block.kind,
                    text=text,
                    start=start,
                    end=end,
                    label=label if start == block.start else "",
                    sentences=tuple(sentences),
                    position=len(chunks),
                    heading=block.heading,
                )
            )
    return chunks
