"""Refresh the store from the corpus: load -> chunk -> embed what changed -> write a new version ->
verify -> switch -> drop the old one.

Safe to re-run (content-based ids: unchanged text is neither embedded nor reported again), safe to
interrupt (readers keep the previous version until the switch), safe to run while the service
answers (the service reloads after the switch), and one writer at a time (a lock).
"""

from __future__ import annotations

import os
import time
from collections import defaultdict
from collections.abc import Callable
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

from .chunking import Chunk, chunk_document
from .config import Settings
from .corpus import load_corpus
from .embeddings import ModelPin, configured_pin, export_ready, onnx_folder
from .errors import CorpusError, StoreMismatch, StoreMissing
from .index import attach_tokens, build_records, chunks_from_records
from .store import SCHEMA, Records, Store, Version

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


def _diff(old: list[Chunk], new: list[Chunk]) -> tuple[int, int, int, int]:
    """(added, updated, removed, unchanged) counted over chunks.

    Chunks with the same id are unchanged wherever they moved. Between two unchanged neighbours,
    a changed old chunk and a changed new chunk pair up as one update; the rest are added or removed.
    """
    old_ids = {c.id for c in old}
    new_ids = {c.id for c in new}
    unchanged = len(old_ids & new_ids)

    def gaps(chunks: list[Chunk], shared: set[str]) -> dict[tuple[str, str | None], int]:
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

class Models:
    """The models ingest needs, loaded only when needed. Tests pass a fake with the same methods.

    On a machine where the model has never been exported, sentence-transformers (torch) embeds
    the corpus, and the ONNX export is made and checked against those vectors on the whole corpus
    (cosine >= 0.9999). Once that verified export exists for the model's fingerprint, it embeds:
    the same vectors within 1e-4, without loading torch, and the very encoder queries use.
    """

    def __init__(self, settings: Settings):
        self.settings = settings
        self._reference: Any = None
        self._onnx: Any = None

    def pin(self) -> ModelPin:
        return pin_for(self.settings)

    def reference(self) -> Any:
        """What embeds new texts: the verified ONNX export if there is one, else sentence-transformers."""
        if self._reference is None:
            pin = self.pin()
            if export_ready(self.settings.cache_dir, pin):
                self._reference = _Embedding(self._encoder(pin), pin)
            else:
                from .embeddings import SentenceTransformerEmbedder

                self._reference = SentenceTransformerEmbedder(self.settings)
        return self._reference

    def encoder_ready(self, store: Store, pin: ModelPin) -> bool:
        return export_ready(self.settings.cache_dir, pin)

    def query_encoder(self, store: Store, pin: ModelPin, texts: list[str], vectors: Any) -> Any:
        """The ONNX encoder queries use; exported and checked against ``vectors`` if missing."""
        from .embeddings import export_onnx

        if not export_ready(self.settings.cache_dir, pin):
            export_onnx(self.reference(), onnx_folder(self.settings.cache_dir, pin), texts, vectors)
        return self._encoder(pin)

    def _encoder(self, pin: ModelPin) -> Any:
        if self._onnx is None:
            from .embeddings import OnnxEmbedder

            self._onnx = OnnxEmbedder(onnx_folder(self.settings.cache_dir, pin), threads=os.cpu_count() or 1)
        return self._onnx


class _Embedding:
    """The ONNX encoder in the role of ingest's embedder."""

    def __init__(self, encoder: Any, pin: ModelPin):
        self.encoder, self.pin = encoder, pin

    def embed(self, texts: list[str], progress: Callable[[int], None] | None = None) -> Any:
        return self.encoder.embed_sorted(texts, progress=progress)


def run_ingest(
    settings: Settings,
    corpus_dir: Path | None = None,
    progress: Progress | None = None,
    models: Models | None = None,
) -> IngestReport:
    started = time.perf_counter()
    say = progress or (lambda stage, done, total: None)
    models = models or Models(settings)
    corpus_dir = corpus_dir or settings.corpus_dir
    if corpus_dir.exists() and not corpus_dir.is_dir():
        raise CorpusError(f"{corpus_dir} is a file: the corpus is a folder of .txt and .md files (--corpus or TPM_CORPUS_DIR)")
    if not corpus_dir.is_dir():
        raise CorpusError(f"corpus folder {corpus_dir} does not exist")

    say("reading corpus", 0, 0)
    documents, skipped = load_corpus(corpus_dir, settings.max_file_bytes)
    if not documents:
        detail = f" ({len(skipped)} file(s) skipped)" if skipped else ""
        raise CorpusError(f"no readable .txt or .md documents in {corpus_dir}{detail}; the store was left as it was")
    chunks = [c for d in documents for c in chunk_document(d)]
    specs = build_records(chunks, {d.source: d.text for d in documents})

    store = Store(settings)
    with store.lock():
        pin = models.pin()
        previous = store.active()
        old = _previous_records(store, previous)
        old_chunks = chunks_from_records(old.ids, old.documents, old.metadatas) if old else []
        added, updated, removed, unchanged = _diff(old_chunks, chunks)
        report = IngestReport(
            documents=len(documents), chunks=len(chunks), added=added, updated=updated, removed=removed,
            unchanged=unchanged, skipped=[{"path": f.path, "reason": f.reason} for f in skipped],
        )  # fmt: skip
        same_model = old is not None and previous is not None and previous.pin.same_model(pin)
        if (
            same_model
            and old is not None
            and previous is not None
            and (old.ids, old.documents, old.metadatas) == ([s.id for s in specs], [s.document for s in specs], [s.metadata for s in specs])
            and models.encoder_ready(store, pin)
            and store.has_collection(previous)
        ):  # nothing to write: the store already holds exactly this corpus
            store.cleanup(keep=previous)  # what a run killed after its switch left behind
            report.version = previous.collection
            report.seconds = round(time.perf_counter() - started, 3)
            return report

        store.cleanup(keep=previous)  # leftovers of interrupted runs
        records, report.embedded, pin = _embed(specs, old if same_model else None, pin, models, say)
        say("computing token vectors", 0, 0)
        encoder = models.query_encoder(store, pin, [s.embed_text for s in specs], records.vectors)
        attach_tokens(records, encoder)

        written = 0

        def wrote(n: int) -> None:
            nonlocal written
            written += n
            say("writing new version", written, len(specs))

        version = store.write_version(records, pin, len(chunks), previous, progress=wrote)
        say("verifying and switching", 0, 0)
        store.write_snapshot(version.collection, records)
        store.activate(version)
        store.cleanup(keep=version, spare=previous)
        report.version, report.wrote = version.collection, True
        report.seconds = round(time.perf_counter() - started, 3)
        return report


def _embed(specs: list[Any], old: Records | None, pin: ModelPin, models: Models, say: Progress) -> tuple[Records, int, ModelPin]:
    """Records for ``specs``: vectors of unchanged rows come from ``old``, the rest are embedded."""
    import numpy as np

    reusable = {rid: (meta["embed_hash"], row) for row, (rid, meta) in enumerate(zip(old.ids, old.metadatas))} if old else {}
    todo = [i for i, s in enumerate(specs) if reusable.get(s.id, ("", -1))[0] != s.metadata["embed_hash"]]
    if todo:
        say("loading embedding model", 0, 0)
        pin = models.reference().pin
    vectors = np.zeros((len(specs), pin.dimension), dtype=np.float32)
    fresh = set(todo)
    for i, spec in enumerate(specs):
        if i not in fresh:
            vectors[i] = old.vectors[reusable[spec.id][1]]  # type: ignore[union-attr]
    if todo:
        done = 0

        def step(n: int) -> None:
            nonlocal done
            done += n
            say("embedding", done, len(todo))

        vectors[todo] = models.reference().embed([specs[i].embed_text for i in todo], progress=step)
    records = Records(
        ids=[s.id for s in specs],
        documents=[s.document for s in specs],
        metadatas=[s.metadata for s in specs],
        vectors=vectors,
    )
    return records, len(todo), pin


def _previous_records(store: Store, previous: Version | None) -> Records | None:
    """The active version's rows, or None when there is nothing usable to reuse."""
    if previous is None or previous.schema != SCHEMA:
        return None
    try:
        records = store.load(previous)
        chunks_from_records(records.ids, records.documents, records.metadatas)  # readable?
        return records
    except (StoreMissing, StoreMismatch, KeyError, ValueError, TypeError):
        return None  # deleted by hand, or written by another layout: rebuild everything
