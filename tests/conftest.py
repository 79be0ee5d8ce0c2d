"""Shared fixtures.

Two kinds of tests live here:
- logic tests with ``FakeEncoder`` (deterministic hashed word vectors, no model, milliseconds);
- ``slow`` tests with what users run: the bundled model (sentence-transformers at ingest, ONNX for
  queries), a real Chroma store in a temporary folder, real HTTP through the app, the real CLI.
The real guide is ingested once per session (``real_store``); the ONNX export made there is
copied into other temporary stores so each does not export it again.
"""

from __future__ import annotations

import contextlib
import hashlib
import os
import re
import shutil
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path

import numpy as np
import pytest

from tpm_assistant.config import Settings
from tpm_assistant.embeddings import ModelPin

ROOT = Path(__file__).resolve().parents[1]
GUIDE_DIR = ROOT / "corpus"
GUIDE = GUIDE_DIR / "how-to-become-a-technical-project-manager.txt"
EVAL_DIR = ROOT / "eval"


@pytest.fixture(autouse=True)
def _clean_environment(monkeypatch: pytest.MonkeyPatch) -> None:
    """Tests never pick up a developer's TPM_* variables."""
    for name in list(os.environ):
        if name.startswith("TPM_"):
            monkeypatch.delenv(name)


# -- a fake encoder for logic tests ---------------------------------------------------------
_WORD = re.compile(r"\w+")


class FakeEncoder:
    """Hashed word vectors: texts sharing words are similar; nothing is learned or downloaded."""

    dim = 32
    pin = ModelPin("fake-model", 32, True, "f" * 64)

    def __init__(self) -> None:
        self.vocab: dict[int, str] = {}

    def _word(self, word: str) -> tuple[int, np.ndarray]:
        digest = hashlib.sha256(word.lower().encode()).digest()
        token_id = int.from_bytes(digest[:3], "big") + 100
        self.vocab[token_id] = word.lower()
        vec = np.random.default_rng(int.from_bytes(digest[:8], "big")).standard_normal(self.dim)
        return token_id, (vec / np.linalg.norm(vec)).astype(np.float32)

    def _tokens(self, text: str) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        found = [(m.start(), *self._word(m.group())) for m in _WORD.finditer(text)] or [(0, *self._word("empty"))]
        starts, ids, vecs = zip(*found, strict=True)
        return np.array(ids, np.int32), np.vstack(vecs), np.array(starts, np.int32)

    def embed_sorted(self, texts: list[str], progress: object = None, **_: object) -> np.ndarray:
        return self.embed(texts, progress)

    def embed(self, texts: list[str], progress: object = None, **_: object) -> np.ndarray:
        out = []
        for text in texts:
            _, vecs, _ = self._tokens(text)
            mean = vecs.mean(axis=0)
            out.append(mean / np.linalg.norm(mean))
        if callable(progress):
            progress(len(texts))
        return np.vstack(out).astype(np.float32) if out else np.zeros((0, self.dim), np.float32)

    def encode_query(self, text: str) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
        ids, vecs, starts = self._tokens(text)
        return self.embed([text])[0], ids, vecs, starts

    def token_vectors(self, texts: list[str]) -> list[tuple[np.ndarray, np.ndarray, np.ndarray]]:
        return [self._tokens(t) for t in texts]

    def known_words(self) -> set[str]:
        return set()

    def id_to_token(self, token_id: int) -> str | None:
        return self.vocab.get(token_id)


class FakeModels:
    """Stands in for ingest's model: fake vectors, no torch, no ONNX export; counts what it embeds."""

    def __init__(self, fail_after_embedding: bool = False) -> None:
        self.encoder_ = _CountingEncoder(self)
        self.embedded = 0
        self.fail_after_embedding = fail_after_embedding

    def pin(self) -> ModelPin:
        return FakeEncoder.pin

    def encoder(self, sample: object) -> _CountingEncoder:
        return self.encoder_


class _CountingEncoder(FakeEncoder):
    def __init__(self, models: FakeModels) -> None:
        super().__init__()
        self.models = models

    def embed_sorted(self, texts: list[str], progress: object = None, **_: object) -> np.ndarray:
        self.models.embedded += len(texts)
        if self.models.fail_after_embedding:
            raise KeyboardInterrupt  # as if the operator pressed Ctrl-C mid-ingest
        return self.embed(texts, progress)


def stored_texts(settings: Settings) -> list[str]:
    """The passages of the active store version."""
    from tpm_assistant.index import Index
    from tpm_assistant.store import Store

    store = Store(settings)
    version = store.active()
    assert version is not None
    return [c.text for c in Index(store.folder(version), version.name).chunks]


def fake_encoder_factory(settings: object, version: object, sample: object) -> FakeEncoder:
    return FakeEncoder()


def build_index(folder: Path, documents: dict[str, str], encoder: FakeEncoder | None = None) -> object:
    """A store version of the given documents (source -> text) built with the fake encoder, opened:
    the real build and index code over crafted input, without Chroma."""
    from tpm_assistant.build import TokenProjection, VersionWriter, document_records, passage_token_text
    from tpm_assistant.chunking import chunk_document
    from tpm_assistant.corpus import parse
    from tpm_assistant.index import Index

    encoder = encoder or FakeEncoder()
    writer = VersionWriter(folder, FakeEncoder.dim, FakeEncoder.dim)
    writer.set_projection(TokenProjection.identity(FakeEncoder.dim))
    for source, text in documents.items():
        chunks = chunk_document(parse(text, source))
        specs = document_records(chunks, text)
        writer.begin_document(source, chunks[0].section)
        encoded = encoder.token_vectors([passage_token_text(c) for c in chunks])
        tokens = {c.id: writer.content_tokens(*e, encoder.id_to_token) for c, e in zip(chunks, encoded, strict=True)}
        writer.add_chunks(chunks, specs, encoder.embed([s.embed_text for s in specs]), tokens, {})
    writer.finish()
    return Index(folder, folder.name, known_words=encoder.known_words())


def fake_assistant(settings: Settings):
    """An assistant on fake vectors that always answers: the shipped abstention model is fitted
    on real vectors, and logic tests are about what gets retrieved, not about abstaining."""
    import copy

    from tpm_assistant.assistant import Assistant
    from tpm_assistant.weights import default_weights

    weights = copy.deepcopy(default_weights())
    weights["abstain"]["threshold"] = 0.0
    return Assistant(settings, encoder_factory=fake_encoder_factory, weights=weights)


@pytest.fixture
def fake_settings(tmp_path: Path) -> Settings:
    """A settings object with an empty corpus folder and an empty store, both temporary."""
    corpus = tmp_path / "corpus"
    corpus.mkdir()
    return Settings(corpus_dir=corpus, store_dir=tmp_path / "store", embedding_model="fake-model", cache_dir=tmp_path / "cache")


# -- the real model and store ---------------------------------------------------------------
@pytest.fixture(scope="session")
def model_cache(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The session's model cache (the ONNX export): tests never touch the user's ~/.cache."""
    return tmp_path_factory.mktemp("model-cache")


@pytest.fixture(scope="session")
def real_store(tmp_path_factory: pytest.TempPathFactory, model_cache: Path) -> Settings:
    """The real guide ingested with the bundled model into a session-wide temporary store.

    The cache starts empty, so this first ingest takes the first-time path: sentence-transformers
    embeds, and the ONNX export is made and checked against it on the whole corpus.
    """
    from tpm_assistant.ingest import run_ingest

    base = tmp_path_factory.mktemp("real")
    corpus = base / "corpus"
    shutil.copytree(GUIDE_DIR, corpus)
    settings = Settings(corpus_dir=corpus, store_dir=base / "store", cache_dir=model_cache)
    run_ingest(settings)
    return settings


@pytest.fixture
def real_settings_factory(real_store: Settings, tmp_path: Path) -> Iterator[object]:
    """Makes fresh real stores in temporary folders, sharing the session's model cache."""

    def make(name: str = "store", corpus: Path | None = None) -> Settings:
        return Settings(corpus_dir=corpus or tmp_path / "corpus", store_dir=tmp_path / name, cache_dir=real_store.cache_dir)

    yield make


@pytest.fixture(scope="session")
def real_assistant(real_store: Settings) -> object:
    from tpm_assistant.assistant import Assistant

    assistant = Assistant(real_store)
    assistant.load()
    return assistant


# -- real servers on loopback ---------------------------------------------------------------
def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


@contextlib.contextmanager
def loopback_server(cmd: list[str], ready_path: str, env: dict[str, str] | None = None, seconds: float = 60) -> Iterator[str]:
    """Run ``cmd`` (its "{port}" replaced by a free port) until the block ends; yield its URL once
    ``ready_path`` answers 200. The server is always stopped, even when the test fails."""
    import httpx

    port = free_port()
    server = subprocess.Popen([c.replace("{port}", str(port)) for c in cmd], env=env,
                              stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)  # fmt: skip
    url = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + seconds
        while True:
            with contextlib.suppress(httpx.HTTPError):
                if httpx.get(url + ready_path, timeout=1).status_code == 200:
                    break
            if server.poll() is not None:
                raise AssertionError(f"server exited: {server.stderr.read().decode()[-1000:] if server.stderr else ''}")
            assert time.monotonic() < deadline, f"server not ready after {seconds}s: {' '.join(cmd)}"
            time.sleep(0.2)
        yield url
    finally:
        server.terminate()
        try:
            server.wait(timeout=20)
        except subprocess.TimeoutExpired:
            server.kill()


def serve_env(settings: Settings, **extra: str) -> dict[str, str]:
    """The environment of a ``tpm-assistant`` subprocess configured for ``settings`` (and nothing else)."""
    env = {k: v for k, v in os.environ.items() if not k.startswith("TPM_")}
    env |= {
        "TPM_CORPUS_DIR": str(settings.corpus_dir),
        "TPM_STORE_DIR": str(settings.store_dir),
        "TPM_CACHE_DIR": str(settings.cache_dir),
    }
    return env | extra


SERVE = [str(Path(sys.executable).parent / "tpm-assistant"), "serve", "--port", "{port}"]


@pytest.fixture(scope="session")
def real_service(real_store: Settings) -> Iterator[str]:
    """A real ``tpm-assistant serve`` on loopback over the session's real store; its URL."""
    with loopback_server(SERVE, "/ready", env=serve_env(real_store)) as url:
        yield url
