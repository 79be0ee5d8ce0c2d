"""What ingest builds for one store version, written once and memory-mapped by every reader.

A version is a folder ``versions/<name>/`` beside the Chroma rows (``store.py``):

- ``meta.sqlite``: the passages (text, section, offsets, sentences), the rows (one per *view* of a
  passage: the passage, the passage under its heading, each sentence, the bullet label, the heading,
  heading + label), the documents and their subjects, the vocabularies of the sparse indexes and
  the corpus lexicon (words, names, abbreviations, acronyms, numbers, topics) queried by key;
- flat arrays (``*.npy``, raw ``.f32``/``.f16``): row vectors, per-passage flags and priors, the
  passages' contextual token vectors, and CSR postings for BM25 over passages and sentences and for
  character n-grams.

Nothing is loaded whole at query time: readers look terms up and read the rows of the few hundred
candidate passages (``index.py``). Ingest streams documents through ``VersionWriter``: memory holds
one document plus the postings being built, and vectors of text seen before are copied, not
recomputed (``ingest.py``).
"""

from __future__ import annotations

import array
import hashlib
import itertools
import json
import math
import os
import shutil
import sqlite3
from collections import Counter
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

from .chunking import Chunk
from .postings import GuideBlock, PostingsWriter, Weigh
from .text import (
    MONEY,
    PERCENT,
    PROPER,
    STOPWORDS,
    YEARS,
    cased_words,
    content_terms,
    find_acronyms,
    guide_subject,
    holds_count,
    is_content_token,
    phrase_runs,
    stem,
    word_grams,
    words,
)

if TYPE_CHECKING:
    import numpy as np

    from .index import Index

VIEWS = ("chunk", "context", "sentence", "label", "heading", "headlabel")
VIEW_CODE = {view: code for code, view in enumerate(VIEWS)}
LAYOUT = 12  # bump when the meaning of a version's files changes
BM25_K1, BM25_B = 1.2, 0.75
HUB_SAMPLE = 2048  # sentences a passage is compared with to tell how generic ("hub") it is
HUB_TOP = 20


@dataclass(frozen=True)
class RecordSpec:
    """One row: the verbatim text it points at and the text whose vector it carries."""

    id: str
    chunk_id: str
    view: str
    source: str
    start: int
    end: int
    document: str  # file text[start:end]
    embed_text: str

    @property
    def embed_hash(self) -> str:
        return text_hash(self.embed_text)


def text_hash(text: str) -> str:
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


def document_records(
    chunks: list[Chunk], text: str, seen: set[int] | None = None, subject: str | None = None
) -> list[RecordSpec]:
    """Rows for every view of every chunk of one document, in order (a chunk's rows together). A
    long document goes a slice of chunks at a time: ``seen`` (the sections met so far) and its
    ``subject`` carry over from one slice to the next."""
    specs: list[RecordSpec] = []
    seen = set() if seen is None else seen
    if subject is None and chunks:
        subject = guide_subject([chunks[0].section])  # a document's first section is its title
    for chunk in chunks:
        first = chunk.heading[0] not in seen
        seen.add(chunk.heading[0])
        # A row's metadata says where its text is (what a worker rebuilding the version from the
        # rows cites): text that moved in its file is a new row, though its vectors are reused.
        place = f"{chunk.id}@{chunk.start}.{chunk.heading[0]}.{chunk.position}"
        views = view_texts(chunk, text, first, subject)
        # The passage's row is the one Chroma holds, carrying its other views: its id changes
        # whenever any of them does.
        carried = text_hash("\x1f".join(f"{v}|{a}|{b}|{e}" for v, _, a, b, e in views))[:8]
        for view, suffix, start, end, embed in views:
            rid = f"{place}#{carried}" if view == "chunk" else place + suffix
            specs.append(RecordSpec(rid, chunk.id, view, chunk.source, start, end, text[start:end], embed))
    return specs


def passage_token_text(chunk: Chunk) -> str:
    """The text whose token vectors represent a passage for late interaction."""
    return f"{chunk.section}. {chunk.text}"


def passage_text_offset(chunk: Chunk) -> int:
    """Where the passage's own text starts inside ``passage_token_text``."""
    return len(chunk.section) + 2


@dataclass(frozen=True)
class Tokens:
    """A passage's content tokens for late interaction: ids, unit vectors in the model's reduced
    token space (float16), and each token's offset in ``passage_token_text``."""

    ids: np.ndarray
    vecs: np.ndarray
    chars: np.ndarray


@dataclass(frozen=True)
class TokenProjection:
    """Token vectors are compared in the top principal directions of the model's token space (half
    the dimensions: MaxSim costs half, with the same answers). Fitted once per model, so the token
    vectors of an unchanged passage can be copied from one version to the next."""

    mean: np.ndarray
    projection: np.ndarray  # (model dimension, reduced dimension)
    digest: str

    @property
    def dimension(self) -> int:
        return int(self.projection.shape[1])

    @classmethod
    def identity(cls, dimension: int) -> TokenProjection:
        import numpy as np

        return cls(np.zeros(dimension, np.float32), np.eye(dimension, dtype=np.float32), "identity")

    @classmethod
    def fit(cls, vecs: np.ndarray, dimensions: int) -> TokenProjection:
        import numpy as np

        mean = vecs.mean(axis=0).astype(np.float32)
        projection = np.linalg.svd(vecs - mean, full_matrices=False)[2][:dimensions].T.astype(np.float32)
        digest = hashlib.sha256(mean.tobytes() + projection.tobytes()).hexdigest()[:16]
        return cls(mean, projection, digest)


def project_tokens(vecs: np.ndarray, mean: np.ndarray, projection: np.ndarray) -> np.ndarray:
    """Token vectors in the reduced space, unit length."""
    import numpy as np

    out = (vecs - mean) @ projection
    result: np.ndarray = out / np.clip(np.linalg.norm(out, axis=1, keepdims=True), 1e-12, None)
    return result.astype(np.float32)


_SCHEMA = """
CREATE TABLE chunks (i INTEGER PRIMARY KEY, id TEXT UNIQUE, source TEXT, section TEXT, kind TEXT, label TEXT,
                     text TEXT, start INT, "end" INT, sentences TEXT, position INT, heading_start INT, heading_end INT,
                     doc INT);
CREATE INDEX chunks_section ON chunks (source, heading_start);
CREATE INDEX chunks_label ON chunks (label);
CREATE TABLE rows (r INTEGER PRIMARY KEY, id TEXT UNIQUE, chunk INT, view TEXT, embed_hash TEXT, embed TEXT);
CREATE TABLE documents (d INTEGER PRIMARY KEY, source TEXT UNIQUE, title TEXT, subject TEXT);
CREATE TABLE terms (kind TEXT, term TEXT, id INT, df INT, PRIMARY KEY (kind, term)) WITHOUT ROWID;
CREATE TABLE lexicon (kind TEXT, key TEXT, value TEXT, PRIMARY KEY (kind, key)) WITHOUT ROWID;
CREATE TABLE sentences (hash TEXT, chunk INT);
CREATE INDEX sentences_hash ON sentences (hash);
CREATE TABLE stats (key TEXT PRIMARY KEY, value TEXT);
"""


class VersionWriter:
    """Writes one version's folder, a document at a time; ``finish`` completes it atomically."""

    def __init__(self, folder: Path, dimension: int, token_dimension: int, dedupe: bool = True):
        self.folder = folder
        self.work = folder.with_name(f".{folder.name}.building")
        shutil.rmtree(self.work, ignore_errors=True)
        self.work.mkdir(parents=True)
        self.dimension, self.token_dimension = dimension, token_dimension
        self.db = sqlite3.connect(self.work / "meta.sqlite")
        self.db.executescript("PRAGMA journal_mode=OFF; PRAGMA synchronous=OFF;" + _SCHEMA)
        names = ("vectors.f32", "tok_vecs.f16", "tok_ids.i32", "tok_chars.i32")
        self._files = {name: (self.work / name).open("wb") for name in names}
        self.n_chunks = self.n_rows = self.n_tokens = self.n_sentences = 0
        self.chunk_arrays: dict[str, array.array[Any]] = {
            name: array.array(code) for name, code in (
                ("has_money", "b"), ("has_years", "b"), ("has_percent", "b"), ("has_count", "b"), ("is_bullet", "b"),
                ("proper_density", "f"), ("heading_row", "q"), ("doc", "i"), ("row_start", "q"), ("tok_start", "q"),
                ("sent_start", "q"),
            )
        }  # fmt: skip
        self.row_arrays: dict[str, array.array[Any]] = {"row_chunk": array.array("i"), "row_view": array.array("b"),
                                                        "row_span": array.array("i")}  # fmt: skip
        self.sent_tok = array.array("q")  # token range [a, b) of every sentence
        self.sent_chunk = array.array("i")
        self.passages, self.sentences, self.grams = (PostingsWriter(self.work, kind) for kind in "psg")
        self._word_grams: dict[str, tuple[int, ...]] = {}  # a word's n-grams' term ids
        self._chunk_rows: list[tuple[Any, ...]] = []  # rows of the passages being added, written together
        self.bylines: list[int] = []  # passages saying who wrote a document (corpus.AUTHOR_PASSAGE)
        self._sentence_rows: list[tuple[str, int]] = []
        self.token_df: Counter[int] = Counter()
        self.surface: Counter[str] = Counter()
        self.capitalised: set[str] = set()
        self.lower: set[str] = set()
        self.initials: Counter[tuple[str, str]] = Counter()
        self.acronyms: dict[str, tuple[str, bool]] = {}
        self.topics: dict[str, set[int]] = {}  # a label's or heading's content words -> documents
        self.hub: dict[int, float] = {}  # passages whose hubness is known (unchanged since the last version)
        self.hub_candidates: list[int] = []  # chunk rows of the others
        self.n_docs = 0
        self.dedupe: dict[str, int] | None = {} if dedupe else None  # embed hash -> row of this version
        self.token_texts: dict[str, tuple[int, int]] = {}  # hash of a passage's token text -> its token range
        self.projection = TokenProjection.identity(token_dimension)

    # -- settings of the whole version ------------------------------------------------------------
    def set_projection(self, projection: TokenProjection) -> None:
        """The model's token projection the version's token vectors are in (a copy is kept)."""
        import numpy as np

        self.projection = projection
        np.savez(self.work / "tok_projection.npz", mean=projection.mean, projection=projection.projection,
                 digest=np.array(projection.digest))  # fmt: skip

    def set_files(self, files: dict[str, str]) -> None:
        """The corpus files (path -> sha256) the version is built from: an ingest of the same files
        has nothing to do."""
        self.db.executemany("INSERT INTO lexicon VALUES ('file', ?, ?)", list(files.items()))

    def projection_matches(self, index: Index) -> bool:
        """Whether ``index``'s token vectors are in this version's projection (and can be copied)."""
        return index.tok_projection_digest == self.projection.digest

    # -- one document -------------------------------------------------------------------------
    def begin_document(self, source: str, title: str) -> None:
        self.db.execute("INSERT INTO documents VALUES (?, ?, ?, ?)", (self.n_docs, source, title, guide_subject([title])))
        self.heading_row: dict[tuple[int, int], int] = {}  # a section's heading row serves all its passages
        self.n_docs += 1

    def add_chunks(self, chunks: list[Chunk], specs: list[RecordSpec], vectors: np.ndarray, tokens: dict[str, Tokens],
                   hubs: dict[str, float]) -> None:  # fmt: skip
        """Passages of the current document (in order) with their rows (as ``document_records``
        gives them) and the rows' ``vectors``; ``tokens`` of every passage by id; ``hubs``: the
        hubness of passages unchanged since the last version, by id."""
        import numpy as np

        doc = self.n_docs - 1
        base = self.n_chunks
        index_of = {c.id: base + i for i, c in enumerate(chunks)}
        first_row: dict[int, int] = {}
        for offset, spec in enumerate(specs):
            row, position = self.n_rows + offset, index_of[spec.chunk_id]
            first_row.setdefault(position, row)
            if spec.view == "heading":
                self.heading_row[chunks[position - base].heading] = row
            self.row_arrays["row_chunk"].append(position)
            self.row_arrays["row_view"].append(VIEW_CODE[spec.view])
            self.row_arrays["row_span"].extend((spec.start, spec.end))
            if self.dedupe is not None:
                self.dedupe.setdefault(spec.embed_hash, row)
        self.db.executemany(
            "INSERT INTO rows VALUES (?, ?, ?, ?, ?, ?)",
            [(self.n_rows + k, s.id, index_of[s.chunk_id], s.view, s.embed_hash, s.embed_text) for k, s in enumerate(specs)],
        )  # fmt: skip
        self._files["vectors.f32"].write(np.ascontiguousarray(vectors, dtype=np.float32).tobytes())
        self._files["vectors.f32"].flush()
        self.n_rows += len(specs)
        for i, chunk in enumerate(chunks):
            g = base + i
            self._add_chunk(g, doc, chunk, first_row[g], self.heading_row.get(chunk.heading, -1), tokens[chunk.id])
            if chunk.id in hubs:
                self.hub[g] = hubs[chunk.id]
            else:
                self.hub_candidates.append(first_row[g])
        self.n_chunks += len(chunks)
        self.db.executemany("INSERT INTO chunks VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)", self._chunk_rows)
        self.db.executemany("INSERT INTO sentences VALUES (?, ?)", self._sentence_rows)
        self._chunk_rows, self._sentence_rows = [], []
        for label in {c.label for c in chunks if c.label} | {c.section for c in chunks if c.section}:
            self.topics.setdefault(" ".join(sorted(set(content_terms(label)))), set()).add(doc)
        texts = [c.text for c in chunks]
        names, lower = cased_words(texts)
        self.capitalised |= names
        self.lower |= lower
        for run in phrase_runs(f"{c.section}. {c.text}" for c in chunks):
            self.initials[run] += 1
        for key, value in find_acronyms(texts).items():
            self.acronyms.setdefault(key, value)

    def _gram_ids(self, word: str) -> tuple[int, ...]:
        found = self._word_grams.get(word)
        if found is None:
            found = self._word_grams[word] = tuple(self.grams.term_id(gram) for gram in word_grams(word))
        return found

    # -- what this version already holds (identical texts are computed once) ----------------------
    def vector_of(self, embed_hash: str) -> np.ndarray | None:
        """The vector of a text this version already holds, if any."""
        import numpy as np

        row = self.dedupe.get(embed_hash) if self.dedupe is not None else None
        if row is None:
            return None
        with (self.work / "vectors.f32").open("rb") as fh:
            fh.seek(row * self.dimension * 4)
            return np.frombuffer(fh.read(self.dimension * 4), dtype=np.float32).copy()

    def tokens_of(self, token_hash: str) -> Tokens | None:
        """The token vectors of a passage text this version already holds, if any."""
        found = self.token_texts.get(token_hash)
        return None if found is None else self._read_tokens(self.work, *found)

    def tokens_from(self, index: Index, chunk: int) -> Tokens:
        """A passage's token vectors as another version (in the same projection) holds them."""
        a, b = int(index.tok_start[chunk]), int(index.tok_start[chunk + 1])
        return self._read_tokens(index.folder, a, b)

    def _read_tokens(self, folder: Path, a: int, b: int) -> Tokens:
        import numpy as np

        for fh in self._files.values():
            fh.flush()

        def read(name: str, dtype: Any, width: int) -> np.ndarray:
            size = np.dtype(dtype).itemsize * width
            with (folder / name).open("rb") as fh:
                fh.seek(a * size)
                data: np.ndarray = np.frombuffer(fh.read((b - a) * size), dtype=dtype).copy()
            return data.reshape(b - a, width) if width > 1 else data

        return Tokens(read("tok_ids.i32", np.int32, 1), read("tok_vecs.f16", np.float16, self.token_dimension),
                      read("tok_chars.i32", np.int32, 1))  # fmt: skip

    def content_tokens(
        self, ids: np.ndarray, vecs: np.ndarray, chars: np.ndarray, token_name: Callable[[int], str | None]
    ) -> Tokens:
        """A passage's tokens as the model gives them, reduced to its content tokens (no stopwords
        or punctuation: fewer to compare, nothing lost) in the version's projection."""
        import numpy as np

        keep = np.array([is_content_token(token_name(int(t))) for t in ids], dtype=bool)
        if len(keep) and not keep.any():
            keep[0] = True  # every passage keeps at least one token
        projected = project_tokens(vecs[keep], self.projection.mean, self.projection.projection) if keep.any() else vecs[keep]
        return Tokens(ids[keep].astype(np.int32), projected.astype(np.float16), chars[keep].astype(np.int32))

    def _add_chunk(self, g: int, doc: int, chunk: Chunk, row_start: int, heading_row: int, tokens: Tokens) -> None:
        import numpy as np

        arrays = self.chunk_arrays
        arrays["has_money"].append(bool(MONEY.search(chunk.text)))
        arrays["has_years"].append(bool(YEARS.search(chunk.text)))
        arrays["has_percent"].append(bool(PERCENT.search(chunk.text)))
        arrays["has_count"].append(holds_count(chunk.text))
        arrays["is_bullet"].append(chunk.kind == "bullet")
        if chunk.kind == "byline":
            self.bylines.append(g)
        arrays["proper_density"].append(len(PROPER.findall(chunk.text)) / max(1, len(chunk.text.split())))
        arrays["heading_row"].append(heading_row)
        arrays["doc"].append(doc)
        arrays["row_start"].append(row_start)
        arrays["tok_start"].append(self.n_tokens)
        arrays["sent_start"].append(self.n_sentences)
        self._chunk_rows.append((g, chunk.id, chunk.source, chunk.section, chunk.kind, chunk.label, chunk.text, chunk.start,
                                 chunk.end, json.dumps(chunk.sentences), chunk.position, chunk.heading[0], chunk.heading[1],
                                 doc))  # fmt: skip
        # Lexical: BM25 over the passage with its heading, and over each sentence; character n-grams.
        # One tokenisation serves all three, and a word's n-grams are looked up once per version.
        tokenised = words(f"{chunk.section} {chunk.text}")
        content = [w for w in tokenised if w not in STOPWORDS]
        terms = Counter(stem(w) for w in content)  # content_terms
        self.passages.add(g, terms, float(sum(terms.values())))
        grams = Counter(itertools.chain.from_iterable(self._gram_ids(w) for w in content))  # char_grams, by id
        self.grams.add_ids(g, list(grams), grams.values(), 0.0)  # raw counts: weighed as 1 + log(count)
        self.surface.update(tokenised)
        # Sentences: their terms, where their tokens are, and a hash to find them again in an answer.
        ids, vecs, chars = tokens.ids, tokens.vecs, tokens.chars
        base = passage_text_offset(chunk) - chunk.start
        for s, e in chunk.sentences:
            sentence = chunk.text[s - chunk.start : e - chunk.start]
            counts = Counter(content_terms(sentence))
            self.sentences.add(self.n_sentences, dict(counts), float(sum(counts.values())))
            a = int(np.searchsorted(chars, s + base, side="left"))
            b = int(np.searchsorted(chars, e + base, side="left"))
            a, b = (a, max(a + 1, b)) if a < len(ids) else (len(ids) - 1, len(ids))
            self.sent_tok.extend((self.n_tokens + a, self.n_tokens + b))
            self.sent_chunk.append(g)
            self._sentence_rows.append((text_hash(sentence), g))
            self.n_sentences += 1
        self.token_texts.setdefault(text_hash(passage_token_text(chunk)), (self.n_tokens, self.n_tokens + len(ids)))
        self.token_df.update(set(ids.tolist()))
        self._files["tok_vecs.f16"].write(np.ascontiguousarray(vecs, dtype=np.float16).tobytes())
        self._files["tok_ids.i32"].write(np.ascontiguousarray(ids, dtype=np.int32).tobytes())
        self._files["tok_chars.i32"].write(np.ascontiguousarray(chars, dtype=np.int32).tobytes())
        self.n_tokens += len(ids)

    # -- the whole version ----------------------------------------------------------------------
    def finish(self, progress: Callable[[str], None] | None = None) -> None:
        """Postings, lexicon, hubness and statistics; then the folder is renamed into place."""
        import numpy as np

        say = progress or (lambda stage: None)
        for fh in self._files.values():
            fh.close()
        grown = {**self.chunk_arrays, **self.row_arrays}
        arrays = {k: np.frombuffer(v, dtype=v.typecode if v.typecode != "b" else "i1") for k, v in grown.items()}
        arrays["row_span"] = arrays["row_span"].reshape(-1, 2)
        for name in ("row_start", "tok_start", "sent_start"):
            total = {"row_start": self.n_rows, "tok_start": self.n_tokens, "sent_start": self.n_sentences}[name]
            arrays[name] = np.concatenate([arrays[name], [total]]).astype(np.int64)
        arrays["sent_tok"] = np.frombuffer(self.sent_tok, dtype=np.int64).reshape(-1, 2)
        arrays["sent_chunk"] = np.frombuffer(self.sent_chunk, dtype=np.int32)
        say("indexing words")
        guide = arrays["doc"].astype(np.int64)
        self._write_bm25(self.passages, guide)
        self._write_bm25(self.sentences, guide[arrays["sent_chunk"].astype(np.int64)])
        self._write_grams(guide)
        # Each token id's IDF over passages, as sorted (id, idf) pairs.
        token_ids = np.array(sorted(self.token_df), dtype=np.int64)
        token_df = np.array([self.token_df[t] for t in token_ids.tolist()], dtype=np.float32)
        arrays["tok_idf_ids"] = token_ids
        arrays["tok_idf_vals"] = np.log1p(max(1, self.n_chunks) / np.maximum(token_df, 1)).astype(np.float32)
        say("scoring passages")
        arrays["hub"] = self._hubness()
        for name, values in arrays.items():
            np.save(self.work / f"{name}.npy", values)
        self._write_lexicon()
        stats = {"layout": LAYOUT, "chunks": self.n_chunks, "rows": self.n_rows, "tokens": self.n_tokens,
                 "sentences": self.n_sentences, "dimension": self.dimension, "token_dimension": self.token_dimension,
                 "avg_p": _mean(self.passages.lengths), "avg_s": _mean(self.sentences.lengths),
                 "default_tok_idf": math.log1p(max(1, self.n_chunks)), "bylines": self.bylines}  # fmt: skip
        self.db.executemany("INSERT INTO stats VALUES (?, ?)", [(k, json.dumps(v)) for k, v in stats.items()])
        self.db.commit()
        self.db.close()
        for file in self.work.iterdir():  # the data must be on disk before the folder is in place
            with file.open("rb") as done:
                os.fsync(done.fileno())
        shutil.rmtree(self.folder, ignore_errors=True)
        os.replace(self.work, self.folder)

    def abort(self) -> None:
        for fh in self._files.values():
            fh.close()
        self.db.close()
        shutil.rmtree(self.work, ignore_errors=True)

    def _write_bm25(self, postings: PostingsWriter, guide: np.ndarray) -> None:
        """BM25 weights with each guide's own statistics (IDF and mean length within the guide of
        the passage or sentence, ``guide`` of each): a guide scores as it would alone, however many
        other guides share its words. The terms table keeps the corpus-wide document frequency."""
        import numpy as np

        lengths = np.frombuffer(postings.lengths, dtype=np.float32).astype(np.float64)

        def weigh(block: GuideBlock) -> np.ndarray:
            mean = float(lengths[block.first : block.last].mean())
            df = block.df[block.terms].astype(np.float64)
            idf = np.log1p((block.guide_units - df + 0.5) / (df + 0.5))
            norm = BM25_K1 * (1 - BM25_B + BM25_B * lengths[block.units] / max(mean, 1e-9))
            values: np.ndarray = idf * block.raw * (BM25_K1 + 1) / (block.raw + norm)
            return values

        self._write_postings(postings, guide, weigh)

    def _write_grams(self, guide: np.ndarray) -> None:
        """L2-normalised TF-IDF over character n-grams (cosine scoring), IDF within each guide."""
        import numpy as np

        def weigh(block: GuideBlock) -> np.ndarray:
            df = np.maximum(block.df[block.terms], 1).astype(np.float64)
            counted = (1 + np.log(block.raw.astype(np.float64))).astype(np.float32)  # sublinear term frequency
            values = counted * np.log(block.guide_units / df)
            local = block.units - block.units[0]
            norms = np.sqrt(np.bincount(local, weights=values**2))
            out: np.ndarray = values / np.maximum(norms[local], 1e-9)
            return out

        self._write_postings(self.grams, guide, weigh)

    def _write_postings(self, postings: PostingsWriter, guide: np.ndarray, weigh: Weigh) -> None:
        postings.write(self.work, guide, weigh)
        postings.remove_scratch()
        df = postings.df.tolist()
        rows = ((postings.kind, term, i, df[i]) for term, i in postings.ids.items())
        self.db.executemany("INSERT INTO terms VALUES (?, ?, ?, ?)", rows)

    def _hubness(self) -> np.ndarray:
        """Mean of a passage's HUB_TOP highest similarities to the sentences of its own document (a
        sample of at most HUB_SAMPLE, chosen by content hash): high for generic passages that sit
        close to everything in their guide, and so win too many queries. Within the document: the
        same paragraph in another guide is not a sign of being generic. Passages unchanged since the
        last version keep their figure; only the others are computed."""
        import numpy as np

        hub = np.zeros(self.n_chunks, dtype=np.float32)
        for chunk, value in self.hub.items():
            hub[chunk] = value
        if not self.hub_candidates or not self.n_rows:
            return hub
        fd = os.open(self.work / "vectors.f32", os.O_RDONLY)
        width = self.dimension * 4

        def vectors_of(rows: Iterable[int]) -> np.ndarray:
            # Read row by row, not through a map of the whole file: mapped pages count in the
            # process's memory, and the passages' rows are spread over all of it.
            data = b"".join(os.pread(fd, width, r * width) for r in rows)
            return np.frombuffer(data, dtype=np.float32).reshape(-1, self.dimension)

        try:
            return self._hub_of(hub, vectors_of)
        finally:
            os.close(fd)

    def _hub_of(self, hub: np.ndarray, vectors_of: Callable[[Iterable[int]], np.ndarray]) -> np.ndarray:
        import numpy as np

        views = np.frombuffer(self.row_arrays["row_view"], dtype=np.int8)
        chunk_of = np.frombuffer(self.row_arrays["row_chunk"], dtype=np.int32)
        doc_of_chunk = np.frombuffer(self.chunk_arrays["doc"], dtype=np.int32)
        row_doc = doc_of_chunk[chunk_of]
        # The sample is chosen by content (not by row id, which also says where the text is).
        hashes = [row for (row,) in self.db.execute("SELECT embed_hash FROM rows ORDER BY r")]
        sentences = (views == VIEW_CODE["sentence"]) | (views == VIEW_CODE["chunk"])
        rows = np.array(self.hub_candidates, dtype=np.int64)
        for doc in np.unique(row_doc[rows]).tolist():
            pool_rows = np.flatnonzero(sentences & (row_doc == doc))
            step = max(1, len(pool_rows) // HUB_SAMPLE)
            picked = [r for r in pool_rows.tolist() if int(hashlib.sha256(hashes[r].encode()).hexdigest()[:8], 16) % step == 0]
            sample = picked[: 2 * HUB_SAMPLE]
            pool = vectors_of(sample)
            mine = rows[row_doc[rows] == doc]
            for i in range(0, len(mine), 1024):
                part = mine[i : i + 1024]
                sims = vectors_of(part.tolist()) @ pool.T
                top = np.sort(sims, axis=1)[:, -min(HUB_TOP, sims.shape[1]) :]
                hub[chunk_of[part]] = top.mean(axis=1)
        return hub

    def _write_lexicon(self) -> None:
        rows: list[tuple[str, str, str]] = []
        rows += [("surface", w, str(c)) for w, c in self.surface.items()]
        rows += [("proper", w, "") for w in self.capitalised - self.lower - STOPWORDS]
        rows += [("lower", w, "") for w in self.lower]
        best: dict[str, tuple[int, str]] = {}
        for (initials, phrase), n in self.initials.items():
            if n > best.get(initials, (0, ""))[0]:
                best[initials] = (n, phrase)
        # A phrase seen once could be any two words; a name ("New York City") is one thing.
        rows += [("initials", i, p) for i, (n, p) in best.items() if n >= 2 or all(w[0].isupper() for w in p.split())]
        rows += [("acronym", k, json.dumps(v)) for k, v in self.acronyms.items()]
        rows += [("number", w, "") for w in {_digits(w) for w in self.surface if any(ch.isdigit() for ch in w)}]
        rows += [("topic", t, " ".join(map(str, sorted(docs)))) for t, docs in self.topics.items() if t]
        # The parts of hyphenated words are words of the guide too ("entry" of "entry-level").
        rows += [("part", stem(p), "") for w in self.surface if "-" in w for p in w.split("-") if p]
        self.db.executemany("INSERT OR REPLACE INTO lexicon VALUES (?, ?, ?)", rows)


def _digits(word: str) -> str:
    return "".join(ch for ch in word if ch.isdigit() or ch in ".%")


def _mean(values: Iterable[float]) -> float:
    values = list(values)
    return sum(values) / len(values) if values else 1.0
