"""One store version as queries read it: opened, not loaded.

The folder ``build.py`` wrote is memory-mapped (vectors, token vectors, per-passage arrays,
postings) and its SQLite file is queried by key (passages, terms, the corpus lexicon), so a process
starts in the same time whatever the size of the corpus, and a question touches only what it needs:
the postings of its terms, and the rows and token vectors of its candidate passages.

The attributes keep the shape the rest of the code reads (``index.chunks[i]``, ``index.idf.get``,
``term in index.surface`` ...), each backed by a lookup instead of an in-memory copy.
"""

from __future__ import annotations

import functools
import json
import math
import sqlite3
import threading
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

from .build import LAYOUT, VIEW_CODE
from .chunking import Chunk
from .errors import StoreMismatch
from .text import content_terms

if TYPE_CHECKING:
    import numpy as np

# Chroma's own vector search: (question vector, rows wanted) -> ids of the nearest rows.
DenseSearch = Callable[["np.ndarray", int], list[str]]
CACHE = 4096  # passages and lexicon entries a process keeps at hand
GENERIC_IDF = 1.0  # a term in more than about a third of the passages names the topic, not a constraint
SMALL_TOKENS = 4_000_000  # token vector values kept as float32 in memory below this


class _Db:
    """The version's SQLite file, read-only, one connection per thread."""

    def __init__(self, path: Path):
        self.uri = f"file:{path}?mode=ro&immutable=1"
        self.local = threading.local()

    def __call__(self, sql: str, args: Sequence[Any] = ()) -> list[tuple[Any, ...]]:
        connection = getattr(self.local, "connection", None)
        if connection is None:
            connection = self.local.connection = sqlite3.connect(self.uri, uri=True, check_same_thread=False)
        return connection.execute(sql, args).fetchall()


class Lexicon:
    """Entries of one kind of the corpus lexicon (words, names, abbreviations, ...), by key."""

    def __init__(self, db: _Db, kind: str):
        self.db, self.kind = db, kind
        self.get_cached = functools.lru_cache(maxsize=CACHE)(self._get)

    def _get(self, key: str) -> str | None:
        found = self.db("SELECT value FROM lexicon WHERE kind = ? AND key = ?", (self.kind, key))
        return found[0][0] if found else None

    def __contains__(self, key: object) -> bool:
        return isinstance(key, str) and self.get_cached(key) is not None

    def get(self, key: str, default: str | None = None) -> str | None:
        value = self.get_cached(key)
        return default if value is None else value

    def all(self) -> list[tuple[str, str]]:
        return [(k, v) for k, v in self.db("SELECT key, value FROM lexicon WHERE kind = ?", (self.kind,))]


class Acronyms(Lexicon):
    def __getitem__(self, key: str) -> tuple[str, bool]:
        value = self.get_cached(key)
        if value is None:
            raise KeyError(key)
        long, plural = json.loads(value)
        return str(long), bool(plural)


class TermStats:
    """A sparse index's vocabulary: term -> id and document frequency, as IDF."""

    def __init__(self, db: _Db, kind: str, size: int, idf: Callable[[int], float]):
        self.db, self.kind, self.size, self.idf_of = db, kind, size, idf
        self.lookup = functools.lru_cache(maxsize=CACHE)(self._lookup)

    def _lookup(self, term: str) -> tuple[int, int] | None:
        found = self.db("SELECT id, df FROM terms WHERE kind = ? AND term = ?", (self.kind, term))
        return (int(found[0][0]), int(found[0][1])) if found else None

    def __contains__(self, term: object) -> bool:
        return isinstance(term, str) and self.lookup(term) is not None

    def get(self, term: str, default: float = 0.0) -> float:
        found = self.lookup(term)
        return default if found is None else self.idf_of(found[1])


GUIDE_CACHE = 256  # guides whose token statistics are kept at hand
POSTINGS_BUDGET = 200_000  # postings one question's lexical candidates may read


def expand(offsets: np.ndarray, items: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """For items stored in ranges (item ``i`` holds ``offsets[i]`` to ``offsets[i + 1]``: a passage's
    rows, tokens or sentences, a document's postings): the positions of the given items' ranges,
    in order, and the index in ``items`` each position belongs to."""
    import numpy as np

    starts, ends = offsets[items], offsets[items + 1]
    counts = (ends - starts).astype(np.int64)
    positions = np.repeat(starts - np.concatenate([[0], np.cumsum(counts)[:-1]]), counts) + np.arange(int(counts.sum()))
    return positions.astype(np.int64), np.repeat(np.arange(len(items)), counts)


@dataclass
class Postings:
    """CSR postings (memory-mapped): a term's documents and weights; and, for scoring a few
    documents only, the same by document (``forward``: offsets, term ids, weights)."""

    terms: TermStats
    offsets: np.ndarray
    docs: np.ndarray
    vals: np.ndarray
    forward: tuple[np.ndarray, np.ndarray, np.ndarray] | None = None

    def score_docs(self, weights: dict[str, float], docs: np.ndarray) -> np.ndarray:
        """The score of the given documents only: sum of weight x value over their terms."""
        import numpy as np

        wanted = self._ids(weights)
        if self.forward is None:
            return self._score_ids(wanted)[docs]
        offsets, term_ids, vals = self.forward
        out = np.zeros(len(docs), dtype=np.float32)
        if not wanted or not len(docs):
            return out
        # Read whichever is shorter: the question's terms' postings (all documents), or the given
        # documents' terms. A small guide's every passage has more terms (character n-grams
        # included) than a question's terms have postings.
        asked = np.fromiter(wanted.keys(), dtype=np.int64)
        by_term = int((self.offsets[asked + 1] - self.offsets[asked]).sum())
        by_doc = int((offsets[docs + 1] - offsets[docs]).sum())
        if by_term <= by_doc:
            return self._score_ids(wanted)[docs]
        positions, owner = expand(offsets, docs)
        ids = term_ids[positions]
        keys = np.sort(asked)
        at = np.minimum(np.searchsorted(keys, ids), len(keys) - 1)
        key_weight = np.array([wanted[int(k)] for k in keys], dtype=np.float32)
        contrib = np.where(keys[at] == ids, key_weight[at] * vals[positions], 0.0)
        np.add.at(out, owner, contrib.astype(np.float32))
        return out

    @property
    def size(self) -> int:
        return self.terms.size

    def _ids(self, weights: dict[str, float]) -> dict[int, float]:
        """The weights of the terms the postings hold, by term id."""
        return {found[0]: w for t, w in weights.items() if (found := self.terms.lookup(t)) is not None}

    def docs_of(self, term: str) -> np.ndarray:
        """The documents holding ``term`` (its postings alone: no array over every document)."""
        import numpy as np

        found = self.terms.lookup(term)
        if found is None:
            return np.zeros(0, dtype=np.int64)
        return np.asarray(self.docs[int(self.offsets[found[0]]) : int(self.offsets[found[0] + 1])])

    def score(self, weights: dict[str, float]) -> np.ndarray:
        """Sum of weight x value over the given terms, for every document."""
        return self._score_ids(self._ids(weights))

    def _score_ids(self, wanted: dict[int, float]) -> np.ndarray:
        import numpy as np

        parts = []
        for term, weight in wanted.items():
            a, b = int(self.offsets[term]), int(self.offsets[term + 1])
            parts.append((self.docs[a:b], weight * self.vals[a:b]))
        if not parts:
            return np.zeros(self.size, dtype=np.float32)
        rows = np.concatenate([p[0] for p in parts])
        values = np.concatenate([p[1] for p in parts])
        return np.bincount(rows, weights=values, minlength=self.size).astype(np.float32)

    def top(self, weights: dict[str, float], k: int, budget: int = POSTINGS_BUDGET) -> np.ndarray:
        """The ``k`` best-scoring documents, reading the postings of the rarest terms first and at
        most ``budget`` of them (beyond it only common, low-weight terms are left): the cost is
        bounded whatever the corpus size."""
        import numpy as np

        found = sorted((int(self.offsets[i + 1] - self.offsets[i]), i, w) for i, w in self._ids(weights).items())
        docs, values, read = [], [], 0
        for count, term, weight in found:
            if read and read + count > budget:
                break
            a, b = int(self.offsets[term]), int(self.offsets[term + 1])
            docs.append(np.asarray(self.docs[a:b]))
            values.append(weight * np.asarray(self.vals[a:b], dtype=np.float64))
            read += count
        if not docs:
            return np.zeros(0, dtype=np.int64)
        unique, owner = np.unique(np.concatenate(docs), return_inverse=True)
        sums = np.bincount(owner, weights=np.concatenate(values))
        best = np.argsort(-sums, kind="stable")[:k]
        return unique[best].astype(np.int64)


class ChunkTable(Sequence[Chunk]):
    """The passages, read by position when asked for (and kept at hand)."""

    def __init__(self, db: _Db, size: int):
        self.db, self.size = db, size
        self.get = functools.lru_cache(maxsize=CACHE)(self._get)

    def _get(self, i: int) -> Chunk:
        row = self.db('SELECT id, source, section, kind, text, start, "end", label, sentences, position, '
                      "heading_start, heading_end FROM chunks WHERE i = ?", (i,))  # fmt: skip
        if not row:
            raise IndexError(i)
        cid, source, section, kind, text, start, end, label, sentences, position, hs, he = row[0]
        spans = tuple((int(s), int(e)) for s, e in json.loads(sentences))
        return Chunk(cid, source, section, kind, text, int(start), int(end), label or "", spans, int(position),
                     (int(hs), int(he)))  # fmt: skip

    def __len__(self) -> int:
        return self.size

    def __getitem__(self, i: Any) -> Any:
        if isinstance(i, slice):
            return [self.get(j) for j in range(*i.indices(self.size))]
        if i < 0:
            i += self.size
        if not 0 <= i < self.size:
            raise IndexError(i)
        return self.get(int(i))

    def __iter__(self) -> Iterator[Chunk]:
        return (self.get(i) for i in range(self.size))


class _PerChunk:
    """A value per passage computed from its text when first asked for."""

    def __init__(self, compute: Callable[[int], Any]):
        self.get = functools.lru_cache(maxsize=CACHE)(compute)

    def __getitem__(self, i: int) -> Any:
        return self.get(int(i))


class KnownWords:
    """Whole words the tokenizer knows, and the corpus's words."""

    def __init__(self, tokenizer: set[str], surface: Lexicon):
        self.tokenizer, self.surface = tokenizer, surface

    def __contains__(self, word: object) -> bool:
        return word in self.tokenizer or word in self.surface


class Index:
    """One store version, opened for queries."""

    def __init__(
        self,
        folder: Path,
        collection: str = "",
        known_words: set[str] | None = None,
        dense: DenseSearch | None = None,
    ):
        import numpy as np

        self.folder, self.collection, self.dense = folder, collection, dense
        self.db = _Db(folder / "meta.sqlite")
        try:
            stats = {k: json.loads(v) for k, v in self.db("SELECT key, value FROM stats")}
        except sqlite3.Error as exc:
            message = f"store version {collection} at {folder} is unreadable ({exc}); run `tpm-assistant ingest`"
            raise StoreMismatch(message) from exc
        if stats.get("layout") != LAYOUT:
            raise StoreMismatch(f"store version {collection} has another layout; run `tpm-assistant ingest`")
        self.stats = stats
        n, rows, tokens = int(stats["chunks"]), int(stats["rows"]), int(stats["tokens"])

        # Memory-mapped, but as plain arrays: numpy's memmap subclass costs time on every slice.
        def load(name: str) -> np.ndarray:
            return np.asarray(np.load(folder / f"{name}.npy", mmap_mode="r"))

        def raw(name: str, dtype: Any, shape: tuple[int, ...]) -> np.ndarray:
            if not shape[0]:
                return np.zeros(shape, dtype=dtype)
            return np.asarray(np.memmap(folder / name, dtype=dtype, mode="r", shape=shape))

        self.dim = int(stats["dimension"])
        self.vectors = raw("vectors.f32", np.float32, (rows, self.dim))
        self.tok_vecs = raw("tok_vecs.f16", np.float16, (tokens, int(stats["token_dimension"])))
        self.tok_ids = raw("tok_ids.i32", np.int32, (tokens,))
        # A small version's token vectors are kept as float32 in memory (a guide's take about 3 MB):
        # converting them on every question would cost more than the rest of the scoring.
        self.tok_vecs32 = np.asarray(self.tok_vecs, dtype=np.float32) if self.tok_vecs.size <= SMALL_TOKENS else None
        self.chunks = ChunkTable(self.db, n)
        self.row_chunk, self.row_view, self.row_span = load("row_chunk"), load("row_view"), load("row_span")
        self.row_start, self.tok_start, self.sent_start = load("row_start"), load("tok_start"), load("sent_start")
        self.sent_tok, self.sent_chunk = load("sent_tok"), load("sent_chunk")
        self.has_money, self.has_years, self.has_percent = load("has_money"), load("has_years"), load("has_percent")
        self.has_count, self.is_bullet, self.proper_density = load("has_count"), load("is_bullet"), load("proper_density")
        self.chunk_heading_row, self.doc, self.hub = load("heading_row"), load("doc"), load("hub")
        self.bylines = np.array(stats.get("bylines", []), dtype=np.int64)  # who wrote a document: see corpus.AUTHOR_PASSAGE
        self.tok_idf_ids = np.asarray(load("tok_idf_ids"), dtype=np.int64)
        self.tok_idf_vals = np.asarray(load("tok_idf_vals"), dtype=np.float32)
        self.tok_default_idf = float(stats["default_tok_idf"])
        projection = np.load(folder / "tok_projection.npz") if (folder / "tok_projection.npz").is_file() else None
        self.tok_mean = None if projection is None else np.asarray(projection["mean"], dtype=np.float32)
        self.tok_projection = None if projection is None else np.asarray(projection["projection"], dtype=np.float32)
        self.tok_projection_digest = "" if projection is None else str(projection["digest"])

        sentences = int(stats["sentences"])
        bm25_idf = functools.partial(_bm25_idf, n)
        self.idf = TermStats(self.db, "p", n, bm25_idf)
        self.passage_bm25 = Postings(self.idf, load("post_p_offsets"), load("post_p_docs"), load("post_p_vals"),
                                     (load("fwd_p_offsets"), load("fwd_p_terms"), load("fwd_p_vals")))  # fmt: skip
        self.sentence_bm25 = Postings(TermStats(self.db, "s", sentences, functools.partial(_bm25_idf, sentences)),
                                      load("post_s_offsets"), load("post_s_docs"), load("post_s_vals"),
                                      (load("fwd_s_offsets"), load("fwd_s_terms"), load("fwd_s_vals")))  # fmt: skip
        self.gram_idf = TermStats(self.db, "g", n, lambda df: math.log(max(1, n) / max(1, df)))
        self.grams = Postings(self.gram_idf, load("post_g_offsets"), load("post_g_docs"), load("post_g_vals"),
                              (load("fwd_g_offsets"), load("fwd_g_terms"), load("fwd_g_vals")))  # fmt: skip

        # The corpus lexicon, by key.
        self.surface = Lexicon(self.db, "surface")
        self.proper, self.lowercase = Lexicon(self.db, "proper"), Lexicon(self.db, "lower")
        self.initials, self.numbers = Lexicon(self.db, "initials"), Lexicon(self.db, "number")
        self.parts = Lexicon(self.db, "part")
        self.acronyms = Acronyms(self.db, "acronym")
        self.known_words = KnownWords(known_words or set(), self.surface)
        titles = self.db("SELECT source, title, subject FROM documents ORDER BY d")
        self.documents = [(str(s), str(t), sub) for s, t, sub in titles]
        # A document's passages are contiguous (ingest writes one document at a time).
        self.doc_start = np.searchsorted(self.doc, np.arange(len(self.documents) + 1), side="left")
        self._guide_idf: dict[int, tuple[np.ndarray, np.ndarray, float]] = {}
        # The jobs the guides are about, one per document, from their titles.
        self.subjects = sorted({sub for _, _, sub in self.documents if sub})
        self.chunk_terms = _PerChunk(lambda i: frozenset(content_terms(f"{self.chunks[i].section} {self.chunks[i].text}")))
        self.sentence_rows = _PerChunk(self._sentence_rows)
        self.sentence_tokens = _PerChunk(self._sentence_tokens)
        self.sentence_terms = _PerChunk(self._sentence_terms)

    def __len__(self) -> int:
        return len(self.chunks)

    # -- vocabulary ------------------------------------------------------------------------------
    @functools.cached_property
    def guide_subject_terms(self) -> tuple[frozenset[str], ...]:
        """Each document's subject words, by document ("technical", "project", "manager")."""
        return tuple(frozenset(content_terms(subject or "")) for _, _, subject in self.documents)

    @functools.cached_property
    def subject_guides(self) -> dict[str, frozenset[int]]:
        """Each word of the guides' subjects, with the documents whose subject has it: a question's
        words find the guides they name without a pass over every guide."""
        out: dict[str, set[int]] = {}
        for d, terms in enumerate(self.guide_subject_terms):
            for t in terms:
                out.setdefault(t, set()).add(d)
        return {t: frozenset(ds) for t, ds in out.items()}

    @functools.cached_property
    def subject_terms(self) -> frozenset[str]:
        """The words of the guides' subjects ("technical", "project", "manager"; "data", "engineer")."""
        return frozenset().union(*self.guide_subject_terms)

    def generic(self, term: str, guide: int | None = None) -> bool:
        """A word that names a guide's topic rather than what a question asks about it: common
        across the passages, or a word of a guide's subject (with several guides about different
        jobs, "technical project manager" is rare in the corpus and still the topic of its guide);
        ``guide``: of that guide's subject only (another guide's "Administrative Assistant" does not
        make "assistant" a topic word of the guide on TPMs)."""
        if self.idf.get(term, 99.0) < GENERIC_IDF:
            return True
        return term in (self.subject_terms if guide is None else self.guide_subject_terms[guide])

    def knows(self, term: str) -> bool:
        """Whether the guide uses this (stemmed) term anywhere, a part of a hyphenated word included."""
        return term in self.idf or term in self.parts

    def knows_in(self, term: str, guide: int) -> bool:
        """Whether one guide uses this term: its postings within the guide's passages (a guide's
        passages are contiguous, a term's postings in passage order). "Seattle" may be in another
        guide and still be a name this guide does not know."""
        import numpy as np

        if len(self.documents) <= 1:
            return self.knows(term)
        postings = self.passage_bm25
        found = postings.terms.lookup(term)
        if found is None:
            return term in self.parts
        docs = postings.docs[int(postings.offsets[found[0]]) : int(postings.offsets[found[0] + 1])]
        lo, hi = self.document_span(guide)
        at = int(np.searchsorted(docs, lo))
        return at < len(docs) and int(docs[at]) < hi

    @functools.cached_property
    def word_counts(self) -> dict[str, int]:
        """Every word of the corpus with its count: read whole only to correct a typo."""
        return {k: int(v) for k, v in self.surface.all()}

    @functools.cached_property
    def acronym_keys(self) -> tuple[str, ...]:
        """Every acronym the corpus defines: read whole once, only to read a capitalised typo as one."""
        return tuple(a for a, _ in self.acronyms.all())

    @functools.cached_property
    def correctable(self) -> list[str]:
        from .text import STOPWORDS

        return sorted(w for w in self.word_counts if w.isalpha() and len(w) >= 3 and w not in STOPWORDS)

    @functools.cached_property
    def inflections(self) -> list[str]:
        """Words the tokenizer knows that the corpus writes only in another form ("agency" for the
        corpus's "agencies"): what a typo of such a form stands for. Read once, at the first typo."""
        from .text import STOPWORDS, stem

        known = (w for w in self.known_words.tokenizer if w.isalpha() and len(w) >= 5 and w not in STOPWORDS)
        return sorted(w for w in known if w not in self.word_counts and stem(w) in self.corpus_stems)

    @functools.cached_property
    def corpus_stems(self) -> frozenset[str]:
        """The stems of the corpus's words ("agenc" for "agencies", "intern" for "internships")."""
        from .text import stem

        return frozenset(stem(w) for w in self.correctable)

    @functools.cached_property
    def topics(self) -> tuple[list[tuple[frozenset[str], frozenset[int]]], dict[str, set[int]]]:
        """Labels and headings as (content words, documents), and each word's topics."""
        topics = [(frozenset(k.split()), frozenset(int(d) for d in v.split())) for k, v in Lexicon(self.db, "topic").all()]
        by_word: dict[str, set[int]] = {}
        for i, (words, _) in enumerate(topics):
            for w in words:
                by_word.setdefault(w, set()).add(i)
        return topics, by_word

    def names_role(self, role: str, documents: set[int] | None = None) -> bool:
        """Whether a label or heading of these documents (of any, given none) names this role
        ("Project Coordinator or ...")."""
        terms = set(content_terms(role))
        if not terms:
            return False
        topics, by_word = self.topics
        found = set.intersection(*(by_word.get(t, set()) for t in terms))
        return any(documents is None or topics[i][1] & documents for i in found)

    # -- passages --------------------------------------------------------------------------------
    def rows_of(self, chunks: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        """(rows, the position in ``chunks`` each belongs to) of the given passages' views."""
        return expand(self.row_start, chunks)

    def token_vectors(self, positions: np.ndarray) -> np.ndarray:
        """Token vectors at the given positions, as float32."""
        import numpy as np

        if self.tok_vecs32 is not None:
            out: np.ndarray = self.tok_vecs32[positions]
            return out
        return np.asarray(self.tok_vecs[positions], dtype=np.float32)

    def token_slice(self, a: int, b: int) -> np.ndarray:
        """Token vectors ``a`` to ``b`` (one passage's, or one sentence's), as float32."""
        import numpy as np

        if self.tok_vecs32 is not None:
            out: np.ndarray = self.tok_vecs32[a:b]
            return out
        return np.asarray(self.tok_vecs[a:b], dtype=np.float32)

    def tokens_of(self, chunks: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        """(token positions, the position in ``chunks`` each belongs to) of the given passages."""
        return expand(self.tok_start, chunks)

    def _sentence_rows(self, chunk: int) -> list[int]:
        """Each sentence's row (a one-sentence passage's sentence is its passage row)."""
        a, b = int(self.row_start[chunk]), int(self.row_start[chunk + 1])
        views = self.row_view[a:b]
        rows = [a + i for i, v in enumerate(views.tolist()) if v == VIEW_CODE["sentence"]]
        return rows or [a]

    def _sentence_tokens(self, chunk: int) -> list[tuple[int, int]]:
        a, b = int(self.sent_start[chunk]), int(self.sent_start[chunk + 1])
        return [(int(x), int(y)) for x, y in self.sent_tok[a:b].tolist()]

    def _sentence_terms(self, chunk: int) -> list[frozenset[str]]:
        c = self.chunks[chunk]
        return [frozenset(content_terms(c.text[s - c.start : e - c.start])) for s, e in c.sentences]

    def section_bullets(self, chunk: int) -> list[int]:
        """The bullets under the same heading of the same document, in order."""
        return self._under_heading(chunk, bullets=True)

    def section_passages(self, chunk: int) -> list[int]:
        """Every passage under the same heading of the same document, in order."""
        return self._under_heading(chunk, bullets=False)

    def _under_heading(self, chunk: int, bullets: bool) -> list[int]:
        c = self.chunks[chunk]
        found = self.db("SELECT i FROM chunks WHERE source = ? AND heading_start = ? AND (kind = 'bullet' OR ?) ORDER BY i",
                        (c.source, c.heading[0], int(not bullets)))  # fmt: skip
        return [int(i) for (i,) in found]

    def document_span(self, d: int) -> tuple[int, int]:
        """The passages [start, end) of document ``d``."""
        return int(self.doc_start[d]), int(self.doc_start[d + 1])

    def chunks_of_source(self, source: str) -> list[int]:
        return [int(i) for (i,) in self.db("SELECT i FROM chunks WHERE source = ? ORDER BY i", (source,))]

    def chunks_with_sentence(self, sentence_hash: str) -> list[int]:
        return [int(i) for (i,) in self.db("SELECT chunk FROM sentences WHERE hash = ?", (sentence_hash,))]

    def chunks_with_label(self, label: str) -> list[int]:
        return [int(i) for (i,) in self.db("SELECT i FROM chunks WHERE label = ?", (label,))]

    def rows_by_id(self, ids: list[str]) -> list[int]:
        """Row positions of the given row ids that belong to this version."""
        found: list[int] = []
        for i in range(0, len(ids), 500):
            part = ids[i : i + 500]
            found += [int(r) for (r,) in self.db(f"SELECT r FROM rows WHERE id IN ({','.join('?' * len(part))})", part)]
        return found

    def embed_sample(self, size: int = 256) -> tuple[list[str], np.ndarray]:
        """Texts and stored vectors of some rows: to check an encoder against the version."""
        return self.embedded_texts(list(range(min(size, int(self.stats["rows"])))))

    def embedded_texts(self, rows: list[int]) -> tuple[list[str], np.ndarray]:
        """The text each of the given rows' vectors was computed from, and those vectors."""
        import numpy as np

        texts: dict[int, str] = {}
        for i in range(0, len(rows), 500):
            part = rows[i : i + 500]
            found = self.db(f"SELECT r, embed FROM rows WHERE r IN ({','.join('?' * len(part))})", part)
            texts |= {int(r): str(t) for r, t in found}
        return [texts[r] for r in rows], np.asarray(self.vectors[rows], dtype=np.float32)

    def sentence_similarity(self, chunk: int, sentence: int, q: np.ndarray) -> np.ndarray:
        """Each question token's best similarity within one sentence of a passage, its heading
        (and, for the first sentence, its label) included."""
        import numpy as np

        spans = self.sentence_tokens[chunk]
        if not self.has_tokens or not len(q) or sentence >= len(spans):
            return np.zeros(len(q), dtype=np.float32)
        a, b = spans[sentence]
        lo, first = int(self.tok_start[chunk]), spans[0][0]
        rows = np.r_[lo:first, a:b]  # the heading's tokens come before the passage's own
        out: np.ndarray = (q @ self.token_vectors(rows).T).max(axis=1)
        return out

    @property
    def has_tokens(self) -> bool:
        return len(self.tok_vecs) > 0

    def tok_idf(self, token_id: int, guide: int | None = None) -> float:
        """A token's IDF over passages (tokens the guide never uses get the highest): over one
        ``guide``'s passages when given, as that guide alone would weigh it."""
        import numpy as np

        ids, vals, default = (self.tok_idf_ids, self.tok_idf_vals, self.tok_default_idf) if guide is None \
            else self.guide_tok_idf(guide)  # fmt: skip
        at = int(np.searchsorted(ids, token_id))
        if at < len(ids) and ids[at] == token_id:
            return float(vals[at])
        return default

    def guide_tok_idf(self, guide: int) -> tuple[np.ndarray, np.ndarray, float]:
        """(sorted token ids, their IDF, the IDF of a token it never uses) within one guide, from
        its passages' token ids (costs the guide's size, once: kept for GUIDE_CACHE guides)."""
        import numpy as np

        if guide in self._guide_idf:
            return self._guide_idf[guide]
        if len(self._guide_idf) >= GUIDE_CACHE:
            self._guide_idf.clear()
        start, end = self.document_span(guide)
        bounds = np.asarray(self.tok_start[start : end + 1], dtype=np.int64)
        ids = np.asarray(self.tok_ids[bounds[0] : bounds[-1]], dtype=np.int64)
        owner = np.repeat(np.arange(end - start, dtype=np.int64), np.diff(bounds))
        pairs = np.unique(owner * (1 << 32) + ids)  # each token once per passage
        unique, df = np.unique(pairs % (1 << 32), return_counts=True)
        n = max(1, end - start)
        found = (unique, np.log1p(n / np.maximum(df, 1)).astype(np.float32), math.log1p(n))
        self._guide_idf[guide] = found
        return found

    def gram_idf_in(self, grams: list[str], guide: int) -> dict[str, float]:
        """The IDF of character n-grams within one guide (as in ``_write_grams``)."""
        import numpy as np

        start, end = self.document_span(guide)
        n = max(1, end - start)
        out: dict[str, float] = {}
        for g in grams:
            found = self.grams.terms.lookup(g)
            if found is None:
                continue
            a, b = int(self.grams.offsets[found[0]]), int(self.grams.offsets[found[0] + 1])
            docs = self.grams.docs[a:b]
            df = int(np.searchsorted(docs, end) - np.searchsorted(docs, start))
            if df:
                out[g] = math.log(n / df)
        return out

    def project(self, vecs: np.ndarray) -> np.ndarray:
        """Query token vectors in the passages' token space."""
        from .build import project_tokens

        if self.tok_projection is None or self.tok_mean is None or not len(vecs):
            return vecs
        return project_tokens(vecs, self.tok_mean, self.tok_projection)


def _bm25_idf(n: int, df: int) -> float:
    return math.log(1 + (n - df + 0.5) / (df + 0.5))

