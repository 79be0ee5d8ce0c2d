"""What retrieval needs, computed once at ingest and loaded once per process.

Each chunk is stored in Chroma as several *views*, each a row with its own vector: the passage, the
passage under its section heading, every sentence (a bullet's later sentences keep the bullet's
label), the bullet label, the heading, and heading + label. Every row points at real text in the
file (exact offsets), so any view can be quoted verbatim. Beside the rows, the snapshot keeps the
contextual token vectors of each passage for late-interaction (MaxSim) matching.

At load time all of it becomes an in-memory ``Index``: chunks, view vectors grouped per view, BM25
matrices over passages and sentences, a character n-gram matrix, token vectors, and per-chunk
priors, so that scoring a query is a handful of numpy operations.
"""

from __future__ import annotations

import hashlib
import json
import math
import re
from collections import Counter
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from .chunking import Chunk
from .text import STOPWORDS, char_grams, content_terms, is_content_token, stem, words

if TYPE_CHECKING:
    import numpy as np

    from .embeddings import QueryEncoder
    from .store import Records


VIEWS = ("chunk", "context", "sentence", "label", "heading", "headlabel")


@dataclass(frozen=True)
class RecordSpec:
    """One row to store: the verbatim text it points at and the text whose vector it carries."""

    id: str
    document: str
    metadata: dict[str, Any]
    embed_text: str


def _hash(text: str) -> str:
    return hashlib.sha256(text.encode("utf-8")).hexdigest()[:16]


def view_texts(
    chunk: Chunk, full_text: str, first_in_section: bool, subject: str | None = None
) -> list[tuple[str, str, int, int, str]]:
    """(view, id suffix, start, end, text to embed) for every view of a chunk.

    ``start:end`` always points at real text in the file (the passage, a sentence, the label or
    the heading); the embedded text may add context to it, such as the section heading. A label
    that only names the guide's ``subject`` ("Technical Project Manager" in a guide about becoming
    one) says nothing about its bullet, so it gets no view of its own.
    """
    label = chunk.label if chunk.label and chunk.label.lower() != (subject or "").lower() else ""
    out = [
        ("chunk", "", chunk.start, chunk.end, chunk.text),
        ("context", ":ctx", chunk.start, chunk.end, f"{chunk.section}\n{chunk.text}"),
    ]
    if len(chunk.sentences) > 1:
        for i, (s, e) in enumerate(chunk.sentences):
            sentence = full_text[s:e]
            if i and chunk.label:
                sentence = f"{chunk.label}: {sentence}"  # later sentences keep the bullet's topic
            out.append(("sentence", f":s{i}", s, e, sentence))
    if label:
        out.append(("label", ":label", chunk.start, chunk.start + len(label), label))
    if first_in_section and chunk.heading[0] >= 0:
        out.append(("heading", ":head", chunk.heading[0], chunk.heading[1], chunk.section))
    # What the passage is about in one line: its heading plus its label (or first sentence).
    if label:
        lead = (chunk.start, chunk.start + len(label))
    else:
        lead = chunk.sentences[0] if chunk.sentences else (chunk.start, chunk.end)
    out.append(("headlabel", ":hl", lead[0], lead[1], f"{chunk.section}\n{full_text[lead[0]:lead[1]]}"))
    return out


def build_records(chunks: list[Chunk], texts: dict[str, str]) -> list[RecordSpec]:
    """Rows for every view of every chunk; ``texts`` maps a source to its decoded text."""
    specs: list[RecordSpec] = []
    seen_headings: set[tuple[str, int]] = set()
    subjects: dict[str, str | None] = {}
    for chunk in chunks:
        full = texts[chunk.source]
        first = (chunk.source, chunk.heading[0]) not in seen_headings
        seen_headings.add((chunk.source, chunk.heading[0]))
        if chunk.source not in subjects:  # a document's first section is its title
            subjects[chunk.source] = guide_subject([chunk.section])
        for view, suffix, start, end, embed_text in view_texts(chunk, full, first, subjects[chunk.source]):
            document = full[start:end]
            meta: dict[str, Any] = {
                "view": view,
                "chunk_id": chunk.id,
                "source": chunk.source,
                "start": start,
                "end": end,
                "embed_hash": _hash(embed_text),
                "row": len(specs),
            }
            if embed_text != document:
                meta["embed"] = embed_text
            if view == "chunk":
                meta |= {
                    "section": chunk.section,
                    "kind": chunk.kind,
                    "label": chunk.label,
                    "position": chunk.position,
                    "sentences": json.dumps(chunk.sentences),
                    "heading_start": chunk.heading[0],
                    "heading_end": chunk.heading[1],
                }
            specs.append(RecordSpec(chunk.id + suffix, document, meta, embed_text))
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
                heading=(int(meta["heading_start"]), int(meta["heading_end"])),
            )
        )
    chunks.sort(key=lambda c: (c.source, c.position))
    return chunks


def embed_texts_of(records: Records) -> list[str]:
    """The text each stored vector was computed from (to check an encoder against stored vectors)."""
    return [meta.get("embed", doc) for meta, doc in zip(records.metadatas, records.documents)]


def passage_token_text(chunk: Chunk) -> str:
    """The text whose token vectors represent a passage for late interaction."""
    return f"{chunk.section}. {chunk.text}"


def passage_text_offset(chunk: Chunk) -> int:
    """Where the passage's own text starts inside ``passage_token_text``."""
    return len(chunk.section) + 2


TOKEN_DIMENSIONS = 192  # late interaction compares tokens in the corpus's top principal directions


def token_extras(chunks: list[Chunk], encoder: QueryEncoder) -> dict[str, np.ndarray]:
    """Token ids and vectors of every passage, stored in the snapshot beside the rows.

    The vectors are projected on the corpus tokens' top TOKEN_DIMENSIONS principal directions
    (queries are projected the same way): MaxSim costs half as much, with the same answers on
    the evaluation sets.
    """
    import numpy as np

    encoded = encoder.token_vectors([passage_token_text(c) for c in chunks])
    lengths = [len(ids) for ids, _, _ in encoded]
    vecs = np.vstack([e[1] for e in encoded]) if encoded else np.zeros((0, 1), np.float32)
    mean = vecs.mean(axis=0) if len(vecs) else np.zeros(vecs.shape[1], np.float32)
    dims = min(TOKEN_DIMENSIONS, *vecs.shape) if len(vecs) else 1
    projection = np.linalg.svd(vecs - mean, full_matrices=False)[2][:dims].T if len(vecs) else np.eye(vecs.shape[1], 1)
    return {
        "tok_chunk_ids": np.array([c.id for c in chunks], dtype=str),
        "tok_offsets": np.concatenate([[0], np.cumsum(lengths)]).astype(np.int64),
        "tok_ids": np.concatenate([e[0] for e in encoded]).astype(np.int32) if encoded else np.zeros(0, np.int32),
        "tok_chars": np.concatenate([e[2] for e in encoded]).astype(np.int32) if encoded else np.zeros(0, np.int32),
        "tok_mean": mean.astype(np.float32),
        "tok_projection": projection.astype(np.float32),
        # float16 halves the snapshot; MaxSim scores move by ~1e-3, far below any ranking margin
        "tok_vecs": project_tokens(vecs, mean, projection).astype(np.float16),
    }


def project_tokens(vecs: np.ndarray, mean: np.ndarray, projection: np.ndarray) -> np.ndarray:
    """Token vectors in the reduced space, unit length."""
    import numpy as np

    out = (vecs - mean) @ projection
    result: np.ndarray = out / np.clip(np.linalg.norm(out, axis=1, keepdims=True), 1e-12, None)
    return result.astype(np.float32)


def tokens_match(chunks: list[Chunk], extras: dict[str, np.ndarray]) -> bool:
    ids = extras.get("tok_chunk_ids")
    return ids is not None and "tok_projection" in extras and ids.tolist() == [c.id for c in chunks]


def attach_tokens(records: Records, encoder: Any) -> bool:
    """Add the passages' token vectors to ``records`` unless they are there; True when computed."""
    chunks = chunks_from_records(records.ids, records.documents, records.metadatas)
    if tokens_match(chunks, records.extras) or not hasattr(encoder, "token_vectors"):
        return False
    records.extras.update(token_extras(chunks, encoder))
    return True


# Answer types a passage can hold, found from its text; a question's type comes from its wording.
_MONEY = re.compile(r"\$\s?\d")
_YEARS = re.compile(r"\b\d+\s*(?:-\s*\d+\s*)?years?\b")
_PERCENT = re.compile(r"\d\s?%")
_PROPER = re.compile(r"(?<![.:!?]\s)(?<!^)\b[A-Z][a-zA-Z]+")
_DEFINED_ACRONYM = re.compile(r"([A-Z][\w'-]*(?:\s+(?:of|and|in|for|the)?\s*[A-Z][\w'-]*)+)\s*\(([A-Z]{2,6})\)")
_CALLED_ACRONYM = re.compile(r"([A-Za-z][A-Za-z ]+?),\s+(?:often |also |commonly )?(?:called|known as)\s+([A-Z]{2,6})s?\b")
_NUMBER = re.compile(r"\d|\b(?:one|two|three|four|five|six|seven|eight|nine|ten|dozen|hundred|thousand)\b", re.I)
# Numbers that are not counts of things: amounts, rates, durations and calendar years.
_NOT_COUNT = re.compile(r"\$\s?[\d,.]+|[\d,.]+\s?(?:%|usd\b)|\d+\s*(?:-\s*\d+\s*)?(?:years?|months?|weeks?)\b|\b(?:19|20)\d\d\b", re.I)


def holds_count(text: str) -> bool:
    """A number that counts something ("three things", "10 projects"), not a sum, rate or year."""
    return bool(_NUMBER.search(_NOT_COUNT.sub(" ", text)))
_CASED_WORD = re.compile(r"[A-Za-z][A-Za-z’'-]*")


def phrase_initials(texts: Iterable[str]) -> dict[str, str]:
    """What an abbreviation the guide never uses could stand for: the most frequent run of two to
    four words with those initials ("nyc" -> "New York City", "qa" -> "quality assurance")."""
    counts: Counter[tuple[str, str]] = Counter()
    for text in texts:
        for clause in re.split(r"[.,;:!?()]", text):
            run = _CASED_WORD.findall(clause)
            for n in (2, 3, 4):
                for i in range(len(run) - n + 1):
                    phrase = run[i : i + n]
                    if not any(w.lower() in STOPWORDS for w in phrase):
                        counts["".join(w[0] for w in phrase).lower(), " ".join(phrase)] += 1
    best: dict[str, tuple[int, str]] = {}
    for (initials, phrase), n in counts.items():
        if n > best.get(initials, (0, ""))[0]:
            best[initials] = (n, phrase)
    # A phrase seen once could be any two words; a name ("New York City") is one thing.
    return {i: p for i, (n, p) in best.items() if n >= 2 or all(w[0].isupper() for w in p.split())}


def cased_words(texts: Iterable[str]) -> tuple[frozenset[str], frozenset[str]]:
    """(names, common words): lower-cased words the guide only ever writes capitalised inside a
    sentence ("chicago", "epic"), and words it writes in lower case somewhere."""
    capitalised: set[str] = set()
    lower: set[str] = set()
    for text in texts:
        for m in _CASED_WORD.finditer(text):
            word = m.group().rstrip("’'")
            before = text[max(0, m.start() - 2) : m.start()]
            if word[0].islower():
                lower.add(word.lower())
            elif m.start() > 0 and not re.search(r"[.!?:]\s*$|^\s*$", before):
                capitalised.add(word.lower())
    return frozenset(capitalised - lower - STOPWORDS), frozenset(lower)


def find_acronyms(texts: list[str]) -> dict[str, tuple[str, bool]]:
    """Acronyms the corpus defines, with their long form and whether that form is a plural:
    "Amazon Web Services (AWS)" (a name), "Technical project managers, often called TPMs" (plural)."""
    found: dict[str, tuple[str, bool]] = {}

    def long_form(words: list[str], acronym: str) -> str | None:
        # The last words whose initials spell the acronym ("... hire technical project managers").
        tail = words[-len(acronym) :]
        return " ".join(tail) if "".join(w[0] for w in tail).lower() == acronym.lower() else None

    for text in texts:
        for m in _DEFINED_ACRONYM.finditer(text):
            phrase = m.group(1)
            capitals = [w for w in phrase.split() if w[0].isupper()]
            long = long_form(capitals, m.group(2))
            if long:  # from the first initial on, small words included: "Associate in Project"
                first = long.split()[0]
                found.setdefault(m.group(2).lower(), (phrase[phrase.rfind(first) :], False))
        for m in _CALLED_ACRONYM.finditer(text):
            long = long_form(m.group(1).split(), m.group(2))
            if long:
                found.setdefault(m.group(2).lower(), (long, m.group(0).rstrip().endswith("s")))
    return found


def group_table(groups: np.ndarray, members: np.ndarray, size: int, pad: int) -> np.ndarray:
    """A (size, widest group) table of member indices per group, padded with ``pad``: the max
    over a group becomes one fancy-indexing ``max(axis=1)`` instead of a slow ``maximum.at``."""
    import numpy as np

    width = int(np.bincount(groups, minlength=size).max()) if len(groups) else 1
    table = np.full((size, max(1, width)), pad, dtype=np.int64)
    fill = np.zeros(size, dtype=np.int64)
    for g, m in zip(groups.tolist(), members.tolist()):
        table[g, fill[g]] = m
        fill[g] += 1
    return table


_SUBJECT = re.compile(r"\bhow to become an?\s+(.+?)(?::|\s+[-–—]\s+|$)", re.I)


def guide_subject(titles: list[str]) -> str | None:
    """The job a career guide is about, from its title ("How to Become a Technical Project Manager")."""
    for title in titles:
        match = _SUBJECT.search(title)
        if match:
            return match.group(1).strip()
    return None


@dataclass
class Postings:
    """A sparse term -> (chunk or sentence indices, weights) map for lexical scoring."""

    terms: dict[str, tuple[np.ndarray, np.ndarray]]
    size: int

    def score(self, weights: dict[str, float]) -> np.ndarray:
        import numpy as np

        hits = [(self.terms[t], w) for t, w in weights.items() if t in self.terms]
        if not hits:
            return np.zeros(self.size, dtype=np.float32)
        rows = np.concatenate([h[0] for h, _ in hits])
        values = np.concatenate([w * h[1] for h, w in hits])
        return np.bincount(rows, weights=values, minlength=self.size).astype(np.float32)


def bm25_postings(docs: list[Counter[str]], k1: float = 1.2, b: float = 0.75) -> tuple[Postings, dict[str, float]]:
    import numpy as np

    n = len(docs)
    lengths = [sum(d.values()) for d in docs]
    avg = (sum(lengths) / n) if n else 1.0
    df: Counter[str] = Counter()
    for d in docs:
        df.update(d.keys())
    idf = {t: math.log(1 + (n - f + 0.5) / (f + 0.5)) for t, f in df.items()}
    lists: dict[str, tuple[list[int], list[float]]] = {}
    for i, d in enumerate(docs):
        norm = k1 * (1 - b + b * lengths[i] / avg)
        for t, f in d.items():
            entry = lists.setdefault(t, ([], []))
            entry[0].append(i)
            entry[1].append(idf[t] * f * (k1 + 1) / (f + norm))
    terms = {t: (np.array(ix, dtype=np.int64), np.array(w, dtype=np.float32)) for t, (ix, w) in lists.items()}
    return Postings(terms, n), idf


def gram_postings(texts: list[str]) -> tuple[Postings, dict[str, float]]:
    """L2-normalised TF-IDF over character n-grams (cosine scoring)."""
    import numpy as np

    grams = [char_grams(t) for t in texts]
    n = len(grams)
    df: Counter[str] = Counter()
    for g in grams:
        df.update(g.keys())
    idf = {k: math.log(n / f) for k, f in df.items()}
    lists: dict[str, tuple[list[int], list[float]]] = {}
    for i, g in enumerate(grams):
        weights = {k: (1 + math.log(c)) * idf[k] for k, c in g.items()}
        norm = math.sqrt(sum(w * w for w in weights.values())) or 1.0
        for k, w in weights.items():
            entry = lists.setdefault(k, ([], []))
            entry[0].append(i)
            entry[1].append(w / norm)
    terms = {k: (np.array(ix, dtype=np.int64), np.array(w, dtype=np.float32)) for k, (ix, w) in lists.items()}
    return Postings(terms, n), idf


class Index:
    """One store version in memory, shaped for fast scoring."""

    def __init__(
        self,
        records: Records,
        collection: str = "",
        known_words: set[str] | None = None,
        token_name: Callable[[int], str | None] | None = None,
    ):
        """``known_words``: the tokenizer's whole words; ``token_name``: its id -> token text, to
        keep only content tokens of passages for late interaction (a question's stopwords and
        punctuation are not matched either)."""
        import numpy as np

        self.collection = collection
        self.chunks = chunks_from_records(records.ids, records.documents, records.metadatas)
        n = len(self.chunks)
        self.by_id = {c.id: i for i, c in enumerate(self.chunks)}
        self.vectors = np.ascontiguousarray(records.vectors, dtype=np.float32)
        self.dim = self.vectors.shape[1] if self.vectors.ndim == 2 else 0
        row_chunk = np.array([self.by_id[m["chunk_id"]] for m in records.metadatas], dtype=np.int64)
        row_view = [m["view"] for m in records.metadatas]
        self.row_chunk = row_chunk
        self.row_span = np.array([(int(m["start"]), int(m["end"])) for m in records.metadatas], dtype=np.int64)
        # Rows of each view, with the chunk each belongs to; a heading row serves its whole section.
        self.view_rows: dict[str, tuple[np.ndarray, np.ndarray]] = {}
        for view in VIEWS:
            rows = [r for r, v in enumerate(row_view) if v == view]
            self.view_rows[view] = (np.array(rows, dtype=np.int64), row_chunk[rows] if rows else np.zeros(0, np.int64))
        # Per view, each chunk's rows in a padded table; the pad points one past the last row.
        self.view_table = {
            view: group_table(chunks, rows, n, pad=len(row_view)) for view, (rows, chunks) in self.view_rows.items()
        }
        heading_row = {(self.chunks[c].source, self.chunks[c].section): r for r, c in zip(*self.view_rows["heading"])}
        self.chunk_heading_row = np.array([heading_row.get((c.source, c.section), -1) for c in self.chunks], dtype=np.int64)
        # Each sentence's row (a one-sentence passage's sentence is its chunk row).
        chunk_row = dict(zip(self.view_rows["chunk"][1].tolist(), self.view_rows["chunk"][0].tolist()))
        self.sentence_rows: list[list[int]] = [[] for _ in self.chunks]
        for r, c in zip(*self.view_rows["sentence"]):
            self.sentence_rows[c].append(int(r))
        for c, rows in enumerate(self.sentence_rows):
            if not rows and c in chunk_row:
                rows.append(chunk_row[c])
        # Every sentence's row and passage, flat: for finding where the guide says a thing again.
        self.all_sentence_rows = np.array([r for rows in self.sentence_rows for r in rows], dtype=np.int64)
        self.all_sentence_chunks = np.array([c for c, rows in enumerate(self.sentence_rows) for _ in rows], dtype=np.int64)

        # Lexical: BM25 over passages (with their heading) and over single sentences; char n-grams.
        self.passage_bm25, self.idf = bm25_postings([Counter(content_terms(f"{c.section} {c.text}")) for c in self.chunks])
        sentence_texts, sentence_chunk = [], []
        for i, c in enumerate(self.chunks):
            for s, e in c.sentences:
                sentence_texts.append(c.text[s - c.start : e - c.start])
                sentence_chunk.append(i)
        sentence_terms = [content_terms(t) for t in sentence_texts]
        self.sentence_bm25, _ = bm25_postings([Counter(t) for t in sentence_terms])
        self.sentence_chunk = np.array(sentence_chunk, dtype=np.int64)
        self.sentence_table = group_table(self.sentence_chunk, np.arange(len(sentence_texts)), n, pad=len(sentence_texts))
        # Each passage's sentences' terms, in sentence order (for picking the answer sentence).
        self.sentence_terms: list[list[frozenset[str]]] = [[] for _ in self.chunks]
        for c, terms in zip(sentence_chunk, sentence_terms):
            self.sentence_terms[c].append(frozenset(terms))
        self.grams, self.gram_idf = gram_postings([f"{c.section} {c.text}" for c in self.chunks])

        # Vocabulary: for typo correction (corpus words) and for telling typos from real words.
        surface: Counter[str] = Counter(w for c in self.chunks for w in words(f"{c.section} {c.text}"))
        self.surface = set(surface)
        self.word_counts = surface
        self.correctable = sorted(w for w in surface if w.isalpha() and len(w) >= 3 and w not in STOPWORDS)
        self.known_words = (known_words or set()) | self.surface
        # Terms the guide uses, the parts of its hyphenated words included ("entry" of "entry-level").
        self.terms = set(self.idf) | {stem(p) for w in surface if "-" in w for p in w.split("-") if p}
        # Words the guide only ever writes capitalised inside a sentence: names ("Chicago", "Epic").
        self.proper, self.lowercase = cased_words(c.text for c in self.chunks)
        self.initials = phrase_initials(f"{c.section}. {c.text}" for c in self.chunks)
        self.numbers = {re.sub(r"[^\d.%]", "", w) for w in surface if any(ch.isdigit() for ch in w)}
        # Each passage's terms with its heading and label, for finding a question's constraints.
        self.chunk_terms = [frozenset(content_terms(f"{c.section} {c.text}")) for c in self.chunks]
        # What the guide's bullet labels and headings name: its topics, roles among them.
        self.topic_terms = {frozenset(content_terms(t)) for c in self.chunks for t in (c.label, c.section) if t}
        self.has_count = np.array([holds_count(c.text) for c in self.chunks], dtype=np.float32)
        self.acronyms = find_acronyms([c.text for c in self.chunks])
        # The jobs the guide is about, one per document, from their titles.
        firsts = {c.source: c.section for c in reversed(self.chunks)}
        self.subjects = sorted({s for s in (guide_subject([t]) for t in firsts.values()) if s})

        # Per-passage priors: answer types it can hold, and how generic ("hub") its vector is.
        self.has_money = np.array([bool(_MONEY.search(c.text)) for c in self.chunks], dtype=np.float32)
        self.has_years = np.array([bool(_YEARS.search(c.text)) for c in self.chunks], dtype=np.float32)
        self.has_percent = np.array([bool(_PERCENT.search(c.text)) for c in self.chunks], dtype=np.float32)
        self.is_bullet = np.array([c.kind == "bullet" for c in self.chunks], dtype=np.float32)
        self.proper_density = np.array(
            [len(_PROPER.findall(c.text)) / max(1, len(c.text.split())) for c in self.chunks], dtype=np.float32
        )
        self.hub = self._hubness()

        self.tok_vecs: np.ndarray | None = None
        self.tok_vecs_t = np.zeros((0, 0), dtype=np.float32)
        self.tok_starts = np.zeros(0, dtype=np.int64)
        self.tok_mean: np.ndarray | None = None
        self.tok_projection: np.ndarray | None = None
        # Token range [a, b) of every sentence of every passage, in sentence order.
        self.sentence_tokens: list[list[tuple[int, int]]] = [[] for _ in self.chunks]
        self.tok_idf: dict[int, float] = {}
        self.tok_default_idf = math.log(1 + n) if n else 0.0
        if tokens_match(self.chunks, records.extras):
            self._load_tokens(records.extras, token_name)

    def _hubness(self) -> np.ndarray:
        """Mean of a passage's 20 highest similarities to all sentences: high for generic passages
        that sit close to everything (and so win too many queries)."""
        import numpy as np

        rows, chunks = self.view_rows["chunk"]
        if not len(rows):
            return np.zeros(len(self.chunks), dtype=np.float32)
        others = np.concatenate([self.view_rows["sentence"][0], rows])
        sims = self.vectors[rows] @ self.vectors[others].T
        top = np.sort(sims, axis=1)[:, -min(20, sims.shape[1]) :]
        out = np.zeros(len(self.chunks), dtype=np.float32)
        out[chunks] = top.mean(axis=1)
        return out

    def _load_tokens(self, extras: dict[str, np.ndarray], token_name: Callable[[int], str | None] | None) -> None:
        import numpy as np

        offsets, ids, chars, vecs = extras["tok_offsets"], extras["tok_ids"], extras["tok_chars"], extras["tok_vecs"]
        if token_name is not None:
            # Only content tokens take part in MaxSim: fewer to compare, nothing lost.
            names = {int(t): is_content_token(token_name(int(t))) for t in np.unique(ids)}
            keep = np.array([names[int(t)] for t in ids], dtype=bool)
            for i in range(len(self.chunks)):
                if not keep[offsets[i] : offsets[i + 1]].any():
                    keep[offsets[i]] = True  # every passage keeps at least one token
            counts = [int(keep[offsets[i] : offsets[i + 1]].sum()) for i in range(len(self.chunks))]
            offsets = np.concatenate([[0], np.cumsum(counts)]).astype(np.int64)
            ids, chars, vecs = ids[keep], chars[keep], vecs[keep]
        self.tok_vecs = np.ascontiguousarray(vecs, dtype=np.float32)
        # The transpose laid out in memory too: the per-question product is about twice as fast.
        self.tok_vecs_t = np.ascontiguousarray(self.tok_vecs.T)
        self.tok_starts = offsets[:-1].astype(np.int64)
        self.tok_mean = np.asarray(extras["tok_mean"], dtype=np.float32)
        self.tok_projection = np.ascontiguousarray(extras["tok_projection"], dtype=np.float32)
        for i, chunk in enumerate(self.chunks):
            lo, hi = int(offsets[i]), int(offsets[i + 1])
            base = passage_text_offset(chunk) - chunk.start
            for s, e in chunk.sentences:
                a = lo + int(np.searchsorted(chars[lo:hi], s + base, side="left"))
                b = lo + int(np.searchsorted(chars[lo:hi], e + base, side="left"))
                self.sentence_tokens[i].append((a, max(a + 1, b)) if a < hi else (hi - 1, hi))
        df: Counter[int] = Counter()
        for i in range(len(self.chunks)):
            df.update(set(ids[offsets[i] : offsets[i + 1]].tolist()))
        n = len(self.chunks)
        self.tok_idf = {t: math.log(1 + n / f) for t, f in df.items()}

    def knows(self, term: str) -> bool:
        """Whether the guide uses this (stemmed) term anywhere."""
        return term in self.terms

    def names_role(self, role: str) -> bool:
        """Whether a label or heading of the guide names this role ("Project Coordinator or ...")."""
        terms = set(content_terms(role))
        return bool(terms) and any(terms <= topic for topic in self.topic_terms)

    def sentence_similarity(self, chunk: int, sentence: int, q: np.ndarray) -> np.ndarray:
        """Each question token's best similarity within one sentence of a passage, its heading
        (and, for the first sentence, its label) included."""
        import numpy as np

        if not self.has_tokens or not len(q) or sentence >= len(self.sentence_tokens[chunk]):
            return np.zeros(len(q), dtype=np.float32)
        a, b = self.sentence_tokens[chunk][sentence]
        lo = int(self.tok_starts[chunk])
        first = self.sentence_tokens[chunk][0][0]
        rows = np.r_[lo:first, a:b]  # the heading's tokens come before the passage's own
        out: np.ndarray = (q @ self.tok_vecs[rows].T).max(axis=1)  # type: ignore[index]
        return out

    @property
    def has_tokens(self) -> bool:
        return self.tok_vecs is not None and len(self.tok_vecs) > 0

    def project(self, vecs: np.ndarray) -> np.ndarray:
        """Query token vectors in the passages' token space."""
        if self.tok_projection is None or self.tok_mean is None or not len(vecs):
            return vecs
        return project_tokens(vecs, self.tok_mean, self.tok_projection)

    def __len__(self) -> int:
        return len(self.chunks)
