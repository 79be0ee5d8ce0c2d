"""Refresh the store from the corpus: documents stream through parse -> chunk -> embed what
changed -> write rows and the version's files (a document at a time, in bounded slices) -> verify
-> switch -> remove what only the old version used.

Safe to re-run (content-based ids: unchanged text is neither embedded nor written again, and an
unchanged corpus writes nothing), safe to interrupt (readers keep the previous version until the
switch), safe to run while the service answers (the service reloads after the switch), and one
writer at a time (a lock). Its cost follows what changed: vectors and token vectors of unchanged
text are copied from the previous version, and identical texts in several documents are embedded
once (``TPM_DEDUPE_TEXTS``).
"""

from __future__ import annotations

import base64
import hashlib
import itertools
import json
import time
from collections import defaultdict
from collections.abc import Callable
from dataclasses import asdict, dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import TYPE_CHECKING, Any, NamedTuple, Protocol

from .build import RecordSpec, Tokens, VersionWriter, document_records, passage_token_text, text_hash
from .chunking import Chunk, chunk_document
from .config import Settings
from .corpus import iter_corpus
from .embeddings import ModelPin, configured_pin
from .errors import CorpusError, StoreMismatch, StoreMissing
from .store import FOREVER, SCHEMA, Store, Version
from .text import guide_subject

if TYPE_CHECKING:
    import numpy as np

    from .embeddings import QueryEncoder
    from .index import Index

# progress(stage, done, total): stage names what is happening; total 0 means "no count".
Progress = Callable[[str, int, int], None]


@dataclass
class IngestReport:
    documents: int
    chunks: int
    added: int
    updated: int
    removed: int
    unchanged: int
    skipped: list[dict[str, str]] = field(default_factory=list)
    seconds: float = 0.0
    # Not part of the JSON contract: what a human summary also says.
    version: str = ""
    embedded: int = 0
    wrote: bool = False

    def contract(self) -> dict[str, Any]:
        data = asdict(self)
        for extra in ("version", "embedded", "wrote"):
            data.pop(extra)
        return data

    def summary(self) -> str:
        change = (
            f"{self.added} added, {self.updated} updated, {self.removed} removed, {self.unchanged} unchanged"
        )
        where = f"version {self.version}" if self.version else "no version"
        note = "store unchanged" if not self.wrote else f"now serving {where} ({self.embedded} texts embedded)"
        skipped = f", {len(self.skipped)} file(s) skipped" if self.skipped else ""
        return f"{self.documents} document(s), {self.chunks} chunks: {change}{skipped}; {note} in {self.seconds:.1f}s"


class ChunkKey(NamedTuple):
    source: str
    id: str


def _diff(old: list[ChunkKey], new: list[ChunkKey]) -> tuple[int, int, int, int]:
    """(added, updated, removed, unchanged) counted over chunks.

    Chunks with the same id are unchanged wherever they moved. Between two unchanged neighbours,
    a changed old chunk and a changed new chunk pair up as one update; the rest are added or removed.
    """
    old_ids = {c.id for c in old}
    new_ids = {c.id for c in new}
    unchanged = len(old_ids & new_ids)

    def gaps(chunks: list[ChunkKey], shared: set[str]) -> dict[tuple[str, str | None], int]:
        counts: dict[tuple[str, str | None], int] = defaultdict(int)
        anchor: dict[str, str | None] = defaultdict(lambda: None)
        for c in chunks:
            if c.id in shared:
                anchor[c.source] = c.id
            else:
                counts[(c.source, anchor[c.source])] += 1
        return counts

    shared = old_ids & new_ids
    before, after = gaps(old, shared), gaps(new, shared)
    updated = sum(min(before.get(key, 0), n) for key, n in after.items())
    added = sum(after.values()) - updated
    removed = sum(before.values()) - updated
    return added, updated, removed, unchanged


pin_for = configured_pin


SLICE = 256  # passages embedded and written together: memory does not grow with a document's size
PROBES = 3  # rows a new version's verification looks for with Chroma's own search


class Models(Protocol):
    """What ingest needs from the model (tests pass a fake)."""

    def pin(self) -> ModelPin: ...

    def encoder(self, sample: Callable[[], list[str]]) -> QueryEncoder:
        """The verified encoder (made and checked against sentence-transformers on ``sample`` the
        first time on a machine)."""
        ...


class ModelFiles:
    """The configured model: its pin from its files, its verified ONNX encoder when needed."""

    def __init__(self, settings: Settings):
        self.settings = settings
        self._encoder: QueryEncoder | None = None

    def pin(self) -> ModelPin:
        return configured_pin(self.settings)

    def encoder(self, sample: Callable[[], list[str]]) -> QueryEncoder:
        import os

        from .embeddings import verified_encoder

        if self._encoder is None:
            self._encoder = verified_encoder(self.settings, self.pin(), sample, threads=os.cpu_count() or 1)
        return self._encoder


@dataclass
class _Previous:
    """What the active version offers for reuse: row vectors by text, token vectors by passage text,
    hubness by passage, and its ids and passages by document."""

    index: Index
    rows: dict[str, int]  # embed hash -> row
    tokens: dict[str, int]  # hash of a passage's token text -> chunk
    hubs: dict[str, float]  # chunk id -> hubness
    ids: set[str]  # the ids of its rows in Chroma (one per passage)
    files: dict[str, str]  # source -> sha256 of the file it was built from


def _previous(store: Store, version: Version | None, pin: ModelPin) -> _Previous | None:
    """The active version, if its files are there and it was built with this model and layout."""
    from .index import Index

    if version is None or version.schema != SCHEMA or not version.pin.same_model(pin):
        return None
    folder = store.folder(version)
    try:
        index = Index(folder, version.name)
        rows = {h: int(r) for r, h in index.db("SELECT r, embed_hash FROM rows")}
        ids = {i for (i,) in index.db("SELECT id FROM rows WHERE view = 'chunk'")}
        chunks = index.db("SELECT i, id, section, text FROM chunks")
        hub = index.hub
        files = {s: h for s, h in index.db("SELECT key, value FROM lexicon WHERE kind = 'file'")}
    except (StoreMismatch, StoreMissing, OSError, ValueError):
        return None  # deleted by hand, or written by another layout: rebuild everything
    tokens = {text_hash(f"{section}. {text}"): int(i) for i, _, section, text in chunks}
    hubs = {cid: float(hub[int(i)]) for i, cid, _, _ in chunks}
    return _Previous(index, rows, tokens, hubs, ids, files)


def _file_hashes(sources: list[Any]) -> dict[str, str]:
    """Path -> sha256 of the files a version is built from (unreadable ones left out)."""
    out = {}
    for source in sources:
        try:
            with source.real.open("rb") as fh:
                out[source.rel] = hashlib.file_digest(fh, "sha256").hexdigest()
        except OSError:
            continue
    return out


def run_ingest(
    settings: Settings,
    corpus_dir: Path | None = None,
    progress: Progress | None = None,
    models: Models | None = None,
) -> IngestReport:
    started = time.perf_counter()
    say = progress or (lambda stage, done, total: None)
    models = models or ModelFiles(settings)
    corpus_dir = corpus_dir or settings.corpus_dir
    if corpus_dir.exists() and not corpus_dir.is_dir():
        raise CorpusError(f"{corpus_dir} is a file: the corpus is a folder of .txt and .md files (--corpus or TPM_CORPUS_DIR)")
    if not corpus_dir.is_dir():
        raise CorpusError(f"corpus folder {corpus_dir} does not exist")

    store = Store(settings)
    with store.lock():
        say("reading corpus", 0, 0)
        pin = models.pin()
        active = store.active()
        previous = _previous(store, active, pin)
        if previous is not None and active is not None:
            store.cleanup(keep=active, keep_ids=previous.ids)  # what killed runs left
        run = _Run(settings, store, models, pin, previous, say)
        report = run.ingest(corpus_dir, active)
        report.seconds = round(time.perf_counter() - started, 3)
        return report


class _Run:
    """One ingest: streams the corpus into a new version, or finds nothing to change."""

    def __init__(
        self, settings: Settings, store: Store, models: Models, pin: ModelPin, previous: _Previous | None, say: Progress
    ):
        self.settings, self.store, self.models, self.pin, self.previous, self.say = settings, store, models, pin, previous, say
        self.dedupe = settings.dedupe_texts
        self.embedded = 0
        self._encoder: QueryEncoder | None = None
        self._sample: list[str] = []
        self._doing: tuple[str, int, int] | None = None

    def encoder(self) -> QueryEncoder:
        if self._encoder is None:
            doing = self._doing
            self.say("loading embedding model", 0, 0)
            self._encoder = self.models.encoder(lambda: self._sample)
            if doing is not None:
                self.say(*doing)  # back to what it was doing, not "loading" for the rest of the run
        return self._encoder

    def _step(self, stage: str, done: int, total: int) -> None:
        self._doing = (stage, done, total)
        self.say(stage, done, total)

    def ingest(self, corpus_dir: Path, active: Version | None) -> IngestReport:
        stream = iter_corpus(corpus_dir, self.settings.max_file_bytes)
        documents = stream.sources
        files = _file_hashes(stream.readable())
        previous = self.previous
        if previous is not None and active is not None and previous.files == files:
            # Nothing to write: the active version was built from exactly these files.
            n_chunks = int(active.chunks)
            report = IngestReport(documents=len(files), chunks=n_chunks, added=0, updated=0, removed=0, unchanged=n_chunks,
                                  skipped=[{"path": f.path, "reason": f.reason} for f in stream.all_skipped()])  # fmt: skip
            report.version = active.name
            return report
        name, number = self.store.next_name(active)
        version_folder = self.store.dir / "versions" / name
        writer: VersionWriter | None = None
        projection = None
        counts = [0, 0, 0, 0]
        n_docs = n_chunks = 0
        new_ids: set[str] = set()
        probes: list[tuple[str, np.ndarray]] = []
        kept_sources: set[str] = set()
        try:
            for doc in stream:
                n_docs += 1
                self._step("embedding and writing documents", n_docs, len(documents))
                chunks = chunk_document(doc)
                if not chunks:
                    continue
                kept_sources.add(doc.source)
                seen: set[int] = set()
                subject = guide_subject([chunks[0].section]) or ""
                if writer is None:
                    self._sample = [s.embed_text for s in document_records(chunks[:SLICE], doc.text, set(), subject)][:512]
                    projection = self.token_projection()
                    writer = VersionWriter(version_folder, self.pin.dimension, projection.dimension, dedupe=self.dedupe)
                    writer.set_projection(projection)
                    writer.set_files(files)
                self._diff_document(doc.source, chunks, counts)
                writer.begin_document(doc.source, chunks[0].section)
                for lo in range(0, len(chunks), SLICE):
                    part = chunks[lo : lo + SLICE]
                    part_specs = document_records(part, doc.text, seen, subject)
                    vectors = self.vectors(part_specs, writer)
                    tokens = self.tokens(part, writer)
                    hubs = previous.hubs if previous is not None else {}
                    writer.add_chunks(part, part_specs, vectors, tokens, hubs)
                    stored = [k for k, s in enumerate(part_specs) if s.view == "chunk"]
                    fresh = [k for k in stored if previous is None or part_specs[k].id not in previous.ids]
                    self.write_rows(part, part_specs, vectors, fresh, number)
                    new_ids.update(part_specs[k].id for k in stored)
                    if fresh and len(probes) < PROBES:
                        probes.append((part_specs[fresh[0]].id, vectors[fresh[0]]))
                    if len(chunks) > SLICE:  # a long document: show its passages going by
                        self._step("embedding and writing passages", lo + len(part), len(chunks))
                n_chunks += len(chunks)
            if writer is None:
                detail = f" ({len(stream.all_skipped())} file(s) skipped)" if stream.all_skipped() else ""
                raise CorpusError(f"no readable .txt or .md documents in {corpus_dir}{detail}; the store was left as it was")
            if previous is not None:
                for source in sorted(set(previous.files) - kept_sources):
                    counts[2] += len(previous.index.chunks_of_source(source))
            writer.finish(lambda stage: self.say(stage, 0, 0))
        except BaseException:
            if writer is not None:
                writer.abort()
            raise
        skipped = [{"path": f.path, "reason": f.reason} for f in stream.all_skipped()]
        report = IngestReport(documents=len(kept_sources), chunks=n_chunks, added=counts[0], updated=counts[1],
                              removed=counts[2], unchanged=counts[3], skipped=skipped)  # fmt: skip
        version = Version(name, number, self.pin, records=len(new_ids), chunks=n_chunks,
                          created=datetime.now(UTC).isoformat(timespec="seconds"))  # fmt: skip
        self.say("verifying and switching", 0, 0)
        import numpy as np

        if not probes:  # nothing new was written: look for rows the version keeps
            from .index import Index

            index = Index(version_folder, name)
            kept = index.db("SELECT r, id FROM rows WHERE view = 'chunk' ORDER BY r")
            picked = sorted({0, len(kept) // 2, len(kept) - 1}) if kept else []
            probes = [(kept[k][1], np.asarray(index.vectors[int(kept[k][0])], dtype=np.float32)) for k in picked]
        self.store.verify(version, [p[0] for p in probes], np.array([p[1] for p in probes], dtype=np.float32))
        gone = sorted(previous.ids - new_ids) if previous is not None else []
        self.store.journal(gone)  # listed before the switch: a run killed after it still removes them
        self.store.retire(self.pin, gone, number)  # not part of the new version, whatever happens next
        self.store.activate(version)
        self.store.delete_rows(self.pin, gone)
        self.store.cleanup(keep=version, keep_ids=new_ids)
        report.version, report.wrote, report.embedded = name, True, self.embedded
        return report

    def _diff_document(self, source: str, chunks: list[Chunk], counts: list[int]) -> None:
        found = self.previous.index.db("SELECT id FROM chunks WHERE source = ? ORDER BY i", (source,)) if self.previous else []
        old = [ChunkKey(source, i) for (i,) in found]
        added, updated, removed, unchanged = _diff(old, [ChunkKey(c.source, c.id) for c in chunks])
        for k, n in enumerate((added, updated, removed, unchanged)):
            counts[k] += n

    def token_projection(self) -> Any:
        """The model's token projection: fitted once per model, on texts shipped with the package,
        so token vectors of unchanged passages stay comparable across versions and machines."""
        from .embeddings import token_projection

        return token_projection(self.settings.cache_dir, self.pin, lambda: self.encoder())

    def vectors(self, specs: list[RecordSpec], writer: VersionWriter) -> np.ndarray:
        """Each row's vector: the previous version's for text it had, one already computed in this
        run for text seen before (with TPM_DEDUPE_TEXTS), else embedded now."""
        import numpy as np

        out = np.zeros((len(specs), self.pin.dimension), dtype=np.float32)
        todo: dict[str, list[int]] = {}
        for k, spec in enumerate(specs):
            h = spec.embed_hash
            if self.previous is not None and h in self.previous.rows:
                out[k] = self.previous.index.vectors[self.previous.rows[h]]
            elif self.dedupe and (found := writer.vector_of(h)) is not None:
                out[k] = found
            else:
                todo.setdefault(h, []).append(k)
        if todo:
            texts = [specs[ks[0]].embed_text for ks in todo.values()]
            vectors = self.encoder().embed_sorted(texts)
            for ks, vector in zip(todo.values(), vectors, strict=True):
                out[ks] = vector
            self.embedded += len(texts)
        return out

    def tokens(self, chunks: list[Chunk], writer: VersionWriter) -> dict[str, Tokens]:
        """Each passage's content token vectors: copied when its text is unchanged, else computed."""
        out: dict[str, Tokens] = {}
        todo: list[Chunk] = []
        for chunk in chunks:
            h = text_hash(passage_token_text(chunk))
            if self.previous is not None and writer.projection_matches(self.previous.index) and h in self.previous.tokens:
                out[chunk.id] = writer.tokens_from(self.previous.index, self.previous.tokens[h])
            elif self.dedupe and (found := writer.tokens_of(h)) is not None:
                out[chunk.id] = found
            else:
                todo.append(chunk)
        if todo:
            encoder = self.encoder()
            encoded = encoder.token_vectors([passage_token_text(c) for c in todo])
            for chunk, (ids, vecs, chars) in zip(todo, encoded, strict=True):
                out[chunk.id] = writer.content_tokens(ids, vecs, chars, encoder.id_to_token)
        return out

    def write_rows(self, chunks: list[Chunk], specs: list[RecordSpec], vectors: np.ndarray, fresh: list[int],
                   number: int) -> None:  # fmt: skip
        """The passages' rows Chroma does not hold yet (``fresh``: their positions in ``specs``), one
        per passage: the passage's vector is the one Chroma searches; the passage's other views
        (``specs`` after it, up to the next passage) ride in its metadata, with what rebuilding the
        version from the rows needs. One row per passage keeps Chroma's index, in memory wherever
        Chroma runs, at a fifth of one row per view."""
        import numpy as np

        if not fresh:
            return
        by_id = {c.id: c for c in chunks}
        starts = [k for k, s in enumerate(specs) if s.view == "chunk"] + [len(specs)]
        follows = dict(itertools.pairwise(starts))
        metadatas = []
        for k in fresh:
            spec, c = specs[k], by_id[specs[k].chunk_id]
            views = [[v.id, v.view, v.start, v.end, v.document, v.embed_text] for v in specs[k + 1 : follows[k]]]
            carried = np.ascontiguousarray(vectors[k + 1 : follows[k]], dtype="<f4").tobytes()
            meta: dict[str, Any] = {"chunk_id": spec.chunk_id, "source": spec.source, "start": spec.start, "end": spec.end,
                                    "v": number, "until": FOREVER, "section": c.section, "kind": c.kind, "label": c.label,
                                    "position": c.position, "sentences": json.dumps(c.sentences),
                                    "heading_start": c.heading[0], "heading_end": c.heading[1],
                                    "views": json.dumps(views), "vectors": base64.b64encode(carried).decode("ascii")}  # fmt: skip
            if spec.embed_text != spec.document:
                meta["embed"] = spec.embed_text
            metadatas.append(meta)
        ids, documents = [specs[k].id for k in fresh], [specs[k].document for k in fresh]
        self.store.write_rows(self.pin, ids, documents, metadatas, vectors[fresh])


def rows_sample(store: Store, version: Version, size: int = 256) -> tuple[list[str], np.ndarray]:
    """Texts of some of a version's rows in Chroma and their stored vectors (to check an encoder)."""
    import numpy as np

    for _, documents, metadatas, vectors in store.read_rows(version):
        keep = [k for k, m in enumerate(metadatas) if m.get("view") == "chunk"][:size]
        return [str(metadatas[k].get("embed", documents[k])) for k in keep], vectors[keep]
    return [], np.zeros((0, version.pin.dimension), np.float32)


def rebuild_version(settings: Settings, store: Store, version: Version, encoder: QueryEncoder) -> None:
    """A version's files made from its rows in Chroma: what a worker on another machine than the one
    that ingested (with a Chroma server) does once per version. The rows give the passages, their
    views and vectors; token vectors are computed here."""
    import numpy as np

    from .embeddings import token_projection

    chunks: dict[str, Chunk] = {}
    specs: dict[str, tuple[list[RecordSpec], np.ndarray]] = {}
    for ids, documents, metadatas, vectors in store.read_rows(version):
        for rid, document, meta, vector in zip(ids, documents, metadatas, vectors, strict=True):
            cid, source = str(meta["chunk_id"]), str(meta["source"])
            own = RecordSpec(rid, cid, "chunk", source, int(meta["start"]), int(meta["end"]), document,
                             str(meta.get("embed", document)))  # fmt: skip
            views = json.loads(str(meta["views"]))
            others = [RecordSpec(str(i), cid, str(view), source, int(a), int(b), str(doc), str(embed))
                      for i, view, a, b, doc, embed in views]  # fmt: skip
            carried = np.frombuffer(base64.b64decode(str(meta["vectors"])), dtype="<f4").reshape(len(others), len(vector))
            specs[cid] = ([own, *others], np.vstack([vector[None, :], carried]).astype(np.float32))
            sentences = tuple((int(s), int(e)) for s, e in json.loads(str(meta["sentences"])))
            chunks[cid] = Chunk(cid, source, str(meta["section"]), str(meta["kind"]), document, int(meta["start"]),
                                int(meta["end"]), str(meta.get("label", "")), sentences, int(meta["position"]),
                                (int(meta["heading_start"]), int(meta["heading_end"])))  # fmt: skip
    if not chunks or len(chunks) != version.chunks:
        raise StoreMissing(f"store version {version.name} is incomplete in {store.describe()}: run `tpm-assistant ingest`")
    ordered = sorted(chunks.values(), key=lambda c: (c.source, c.position))
    projection = token_projection(settings.cache_dir, version.pin, lambda: encoder)
    writer = VersionWriter(store.folder(version), version.pin.dimension, projection.dimension, dedupe=False)
    try:
        writer.set_projection(projection)
        for source, group in itertools.groupby(ordered, key=lambda c: c.source):  # sorted by source
            mine = list(group)
            writer.begin_document(source, mine[0].section)
            for lo in range(0, len(mine), SLICE):
                part = mine[lo : lo + SLICE]
                encoded = encoder.token_vectors([passage_token_text(c) for c in part])
                tokens = {c.id: writer.content_tokens(*e, encoder.id_to_token) for c, e in zip(part, encoded, strict=True)}
                rows = [specs[c.id][0] for c in part]
                writer.add_chunks(part, [r for own in rows for r in own], np.vstack([specs[c.id][1] for c in part]), tokens, {})
        writer.finish()
    except BaseException:
        writer.abort()
        raise
