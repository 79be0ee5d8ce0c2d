"""The query encoder (ONNX) against the reference (sentence-transformers), and the model pin."""

from __future__ import annotations

import numpy as np
import pytest

from tpm_assistant.config import Settings
from tpm_assistant.embeddings import (
    MIN_EXPORT_COSINE,
    OnnxEmbedder,
    SentenceTransformerEmbedder,
    fingerprint,
    langchain_embeddings,
    model_path,
    onnx_folder,
)
from tpm_assistant.index import embed_texts_of
from tpm_assistant.store import Store

pytestmark = pytest.mark.slow


def test_onnx_query_encoder_agrees_with_sentence_transformers_on_the_whole_corpus(real_store: Settings):
    store = Store(real_store)
    version = store.active()
    records = store.load(version)
    encoder = OnnxEmbedder(onnx_folder(real_store.cache_dir, version.pin))
    texts = embed_texts_of(records)
    cosine = np.sum(encoder.embed_sorted(texts) * records.vectors, axis=1)
    assert len(texts) > 500 and cosine.min() >= MIN_EXPORT_COSINE
    assert encoder.spec.min_cosine >= MIN_EXPORT_COSINE  # what the export recorded when it checked itself
    reference = SentenceTransformerEmbedder(real_store)
    assert reference.pin == version.pin == encoder.pin
    query = "What does an entry-level TPM earn?"
    assert float(encoder.embed([query])[0] @ reference.embed([query])[0]) >= MIN_EXPORT_COSINE


def test_the_pin_names_the_bundled_model_and_its_files(real_store: Settings):
    path = model_path(real_store)
    assert (path / "model.safetensors").is_file()
    assert fingerprint(path) == fingerprint(path) == Store(real_store).active().pin.fingerprint
    assert Store(real_store).active().pin.name == "sentence-transformers/all-MiniLM-L6-v2"


def test_langchain_embeddings_adapter_uses_the_same_vectors(real_store: Settings):
    version = Store(real_store).active()
    encoder = OnnxEmbedder(onnx_folder(real_store.cache_dir, version.pin))
    adapter = langchain_embeddings(encoder)
    vector = adapter.embed_query("project manager salary")
    assert len(vector) == 384
    assert np.allclose(adapter.embed_documents(["project manager salary"])[0], vector, atol=1e-6)
