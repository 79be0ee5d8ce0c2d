"""The application object the API and the CLI call: loads the active store version once, answers
questions and follow-ups, and picks up a newer version written by ingest."""

from __future__ import annotations

import logging
import threading
import time
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from .abstain import signals
from .answer import not_covered
from .chat import Turn, boosts, context_text, resolve
from .config import Settings
from .models import Answer
from .store import Store, Version

if TYPE_CHECKING:
    import numpy as np

    from .abstain import Abstainer
    from .answer import Composer
    from .embeddings import ModelPin, QueryEncoder
    from .index import Index
    from .retrieval import Ranking, Retriever
    from .weights import Weights

log = logging.getLogger("tpm_assistant")

DEFAULT_K = 3
# What checks a machine's encoder against a version the first time: (texts, their stored vectors).
Sample = Callable[[], "tuple[list[str], np.ndarray]"]
# A test seam: build the query encoder for a version (the real one is ONNX, see open_encoder).
EncoderFactory = Callable[[Settings, Version, Sample], "QueryEncoder"]


def open_encoder(settings: Settings, version: Version, sample: Sample) -> QueryEncoder:
    """The verified ONNX encoder of the version's model (``embeddings.verified_encoder``); made and
    checked against the version's own vectors first if this machine lacks it."""
    from .embeddings import verified_encoder

    texts: list[str] = []
    vectors: list[np.ndarray] = []

    def load() -> None:
        if not texts:
            got = sample()
            texts.extend(got[0])
            vectors.append(got[1])

    def sample_texts() -> list[str]:
        load()
        return texts

    def sample_vectors() -> np.ndarray:
        load()
        return vectors[0]

    return verified_encoder(settings, version.pin, sample_texts, threads=settings.query_threads, vectors=sample_vectors,
                            int8=settings.query_int8)


@dataclass(frozen=True)
class Loaded:
    """Everything one store version needs to answer; swapped as a whole on reload."""

    version: Version
    index: Index
    retriever: Retriever
    abstainer: Abstainer
    composer: Composer

    @classmethod
    def assemble(
        cls, version: Version, index: Index, encoder: QueryEncoder, weights: Weights, home_job: str = ""
    ) -> Loaded:
        from .abstain import Abstainer
        from .answer import Composer
        from .retrieval import Retriever

        retriever = Retriever(index, encoder, weights, home_job)
        return cls(version, index, retriever, Abstainer(weights.abstain), Composer(weights.sentence))

    def reweighted(self, weights: Weights) -> Loaded:
        """The same store and encoder answering with other weights (fitting, ablations)."""
        return Loaded.assemble(self.version, self.index, self.retriever.encoder, weights, self.retriever.home_job)


class Assistant:
    def __init__(
        self,
        settings: Settings,
        encoder_factory: EncoderFactory = open_encoder,
        weights: Weights | Mapping[str, Any] | None = None,
    ):
        from .weights import typed

        self.settings = settings
        self.store = Store(settings)
        self.encoder_factory = encoder_factory
        self.weights = typed(weights)  # the shipped weights when none are given
        self._loaded: Loaded | None = None
        self._reload_lock = threading.Lock()
        self._problem: str | None = None

    # -- loading ------------------------------------------------------------------------------
    def load(self) -> Loaded:
        """Load the active version (blocking: call it off the event loop)."""
        with self._reload_lock:
            version = self.store.require_active(self.settings.model_name, self._configured_pin)
            current = self._loaded
            if current is not None and current.version.collection == version.collection:
                return current
            started = time.perf_counter()
            self._loaded = self._build(version, current)
            seconds = time.perf_counter() - started
            if current is None:
                log.info("loaded store version %s: %d chunks in %.2f s", version.collection, version.chunks, seconds)
            else:
                log.info("switched from store version %s to %s: %d chunks in %.2f s",
                         current.version.collection, version.collection, version.chunks, seconds)  # fmt: skip
            return self._loaded

    def _configured_pin(self) -> ModelPin:
        from .embeddings import configured_pin

        return configured_pin(self.settings)

    def with_weights(self, weights: Weights | Mapping[str, Any]) -> Assistant:
        """An assistant sharing this one's loaded store, answering with other weights."""
        other = Assistant(self.settings, self.encoder_factory, weights)
        if self._loaded is not None:
            other._loaded = self._loaded.reweighted(other.weights)
        return other

    def _build(self, version: Version, current: Loaded | None) -> Loaded:
        from .index import Index

        folder = self.store.folder(version)
        present = (folder / "meta.sqlite").is_file()
        if current is not None and current.version.pin.same_model(version.pin):
            encoder = current.retriever.encoder  # same model: keep the loaded encoder
        else:
            def sample() -> tuple[list[str], np.ndarray]:
                if present:
                    return Index(folder, version.name).embed_sample()
                from .ingest import rows_sample

                return rows_sample(self.store, version)

            encoder = self.encoder_factory(self.settings, version, sample)
        if not present:
            # With a Chroma server, another machine built this version: its files are made here once.
            from .ingest import rebuild_version

            # Passage token vectors come from the float export, as at ingest (questions may use int8).
            exact = self.settings.model_copy(update={"query_int8": False})
            rebuild_version(self.settings, self.store, version, self.encoder_factory(exact, version, sample))
        known = encoder.known_words() if hasattr(encoder, "known_words") else set()
        if current is not None:
            self.store.reset()  # another process wrote this version's rows: read them afresh
        index = Index(folder, version.name, known_words=known, dense=self.store.dense_search(version))
        return Loaded.assemble(version, index, encoder, self.weights, self.settings.home_job)

    def refresh(self) -> bool:
        """Switch to a newer version if ingest wrote one; True when it did. Errors keep the old one."""
        current = self._loaded
        try:
            active = self.store.active()
        except Exception as exc:
            self._warn(f"could not read the store pointer: {exc}")
            return False
        if active is None or (current is not None and active.collection == current.version.collection):
            self._warn(None)
            return False
        try:
            self.load()
        except Exception as exc:
            self._warn(f"keeping {current and current.version.collection}: could not load {active.collection}: {exc}")
            return False
        self._warn(None)
        return True

    def _warn(self, problem: str | None) -> None:
        """One warning when a problem starts (the service looks several times a second), one line when it ends."""
        if problem != self._problem:
            if problem is not None:
                log.warning("%s", problem)
            elif self._problem is not None:
                log.info("the store can be read again")
            self._problem = problem

    @property
    def loaded(self) -> Loaded | None:
        return self._loaded

    def status(self) -> dict[str, object]:
        loaded = self._loaded or self.load()
        return {"status": "ready", "chunks": len(loaded.index), "model": loaded.version.pin.name}

    # -- answering ----------------------------------------------------------------------------
    def ask(self, question: str, k: int | None = None) -> Answer:
        return self.chat([Turn("user", question)], k)

    def chat(self, messages: Sequence[Turn], k: int | None = None) -> Answer:
        from .answerable import coverage

        loaded = self._loaded or self.load()
        ranking = self.rank(messages, k, loaded)
        checked = coverage(loaded.index, ranking)
        if not ranking.hits or not loaded.abstainer.covered(loaded.index, ranking, checked):
            return not_covered(loaded.index, ranking, loaded.composer, checked)
        return loaded.composer.compose(loaded.index, ranking)

    def rank(self, messages: Sequence[Turn], k: int | None = None, loaded: Loaded | None = None) -> Ranking:
        """The passages for the last user message, in the context of the earlier turns."""
        loaded = loaded or self._loaded or self.load()
        follow = resolve(messages)
        k = k or DEFAULT_K
        if follow.standalone or not loaded.retriever.followups:
            return loaded.retriever.search(follow.question, k)
        if not follow.explicit:
            # Only short: a complete question the guide answers on its own stands alone
            # ("Which certification should I get first?" after two questions about pay).
            alone = loaded.retriever.search(follow.question, k)
            if loaded.abstainer.probability(signals(loaded.index, alone)) >= loaded.abstainer.standalone:
                return alone
        retriever = loaded.retriever
        about = retriever.conversation_documents(" ".join(follow.context), follow.question)
        context = context_text(follow, loaded.index, about) if retriever.followup.substitution else " ".join(follow.context)
        return retriever.search_followup(context, follow.question, k, boosts(loaded.index, follow, about))
