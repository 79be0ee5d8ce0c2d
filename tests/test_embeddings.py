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
from tpm_assistant.index import Index
from tpm_assistant.store import Store

pytestmark = pytest.mark.slow


def test_onnx_query_encoder_agrees_with_sentence_transformers_on_the_whole_corpus(real_store: Settings):
    """Ingest embeds with the verified export; sentence-transformers gives the same vectors for
    every row of the store."""
    store = Store(real_store)
    version = store.active()
    index = Index(store.folder(version), version.name)
    texts, stored = index.embedded_texts(list(range(index.stats["rows"])))
    encoder = OnnxEmbedder(onnx_folder(real_store.cache_dir, version.pin))
    reference = SentenceTransformerEmbedder(real_store)
    assert len(texts) > 500
    assert np.sum(reference.embed(texts) * stored, axis=1).min() >= MIN_EXPORT_COSINE
    assert np.sum(encoder.embed_sorted(texts) * stored, axis=1).min() >= MIN_EXPORT_COSINE
    assert encoder.spec.min_cosine >= MIN_EXPORT_COSINE  # what the export recorded when it checked itself
    assert reference.pin == version.pin == encoder.pin
    query = "What does an entry-level TPM earn?"
    assert float(encoder.embed([query])[0] @ reference.embed([query])[0]) >= MIN_EXPORT_COSINE


def test_questions_are_encoded_by_an_int8_copy_close_to_the_float_export(real_store: Settings):
    """The service's query encoder is the int8 copy, checked against the float export on the
    store's texts when made; TPM_QUERY_INT8=0 keeps the float one."""
    from tpm_assistant.assistant import Assistant
    from tpm_assistant.embeddings import INT8_MODEL, MIN_INT8_COSINE

    store = Store(real_store)
    version = store.active()
    index = Index(store.folder(version), version.name)
    texts, stored = index.embedded_texts(list(range(index.stats["rows"])))
    small = Assistant(real_store).load().retriever.encoder
    assert isinstance(small, OnnxEmbedder) and small.model == INT8_MODEL
    cosines = np.sum(small.embed_sorted(texts) * stored, axis=1)
    assert cosines.min() >= MIN_INT8_COSINE and cosines.mean() >= 0.99
    exact = Assistant(real_store.model_copy(update={"query_int8": False})).load().retriever.encoder
    assert isinstance(exact, OnnxEmbedder) and exact.model == "model.onnx"


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


def test_a_copy_of_the_bundled_model_is_the_same_model_whatever_its_path(real_settings_factory, tmp_path):
    """Issue 9, item 3: a store built with a copied model folder (same files, another name) must
    be usable, with the copy or the bundled name configured; ingest repairs a store of another model."""
    import shutil

    from conftest import FakeModels
    from fastapi.testclient import TestClient
    from test_api import wait_ready

    from tpm_assistant.api import create_app
    from tpm_assistant.assistant import Assistant
    from tpm_assistant.errors import StoreMismatch
    from tpm_assistant.ingest import run_ingest

    copy = tmp_path / "copied-model"
    shutil.copytree(model_path(Settings()), copy)
    bundled = real_settings_factory()
    bundled.corpus_dir.mkdir()
    (bundled.corpus_dir / "pay.md").write_text("# Pay\n\nEntry-level technical project managers start around $76,683 per year.\n")
    copied = bundled.model_copy(update={"embedding_model": str(copy)})
    assert run_ingest(copied).wrote  # the cache already holds an export of these very files
    for settings in (copied, bundled):
        answer = Assistant(settings).ask("What does an entry-level technical project manager earn?")
        assert "$76,683" in answer.answer
        with TestClient(create_app(settings)) as client:
            assert wait_ready(client, 60).status_code == 200
            assert client.post("/ask", json={"question": "What is entry-level pay?"}).status_code == 200

    other = bundled.model_copy(update={"store_dir": tmp_path / "other-store"})
    run_ingest(other.model_copy(update={"embedding_model": "fake-model"}), models=FakeModels())  # another model's vectors
    with pytest.raises(StoreMismatch):
        Assistant(other).ask("What is entry-level pay?")
    assert run_ingest(other).wrote  # re-ingest rebuilds it with the configured model
    assert "$76,683" in Assistant(other).ask("What does an entry-level technical project manager earn?").answer


def test_questions_fall_back_to_the_float_export_when_no_int8_copy_can_be_made(real_store: Settings, tmp_path,
                                                                                 monkeypatch):  # fmt: skip
    """A cache that cannot take the copy (read-only, a failing quantizer) or a copy too far from the
    float one: questions use the float export, and a rejected copy is not tried again."""
    import shutil

    from tpm_assistant import embeddings
    from tpm_assistant.embeddings import INT8_MODEL, INT8_REJECTED, verified_encoder

    version = Store(real_store).active()
    settings = real_store.model_copy(update={"cache_dir": tmp_path / "cache"})
    folder = onnx_folder(settings.cache_dir, version.pin)
    folder.mkdir(parents=True)
    for name in ("encoder.json", "model.onnx", "tokenizer.json"):
        shutil.copy(onnx_folder(real_store.cache_dir, version.pin) / name, folder / name)
    sample = ["What does an entry-level TPM earn?", "Which certification should I get first?"]

    def broken(*args, **kwargs):
        raise OSError("read-only file system")

    monkeypatch.setattr(embeddings, "quantize", broken)
    assert verified_encoder(settings, version.pin, lambda: sample, int8=True).model == "model.onnx"
    monkeypatch.undo()
    monkeypatch.setattr(embeddings, "MIN_INT8_COSINE", 1.01)  # no copy is close enough
    assert verified_encoder(settings, version.pin, lambda: sample, int8=True).model == "model.onnx"
    assert (folder / INT8_REJECTED).is_file() and not (folder / INT8_MODEL).exists()
    assert not [p for p in folder.iterdir() if p.name.startswith(".int8-")]  # no temporary file left
    monkeypatch.setattr(embeddings, "quantize", broken)  # not tried again
    assert verified_encoder(settings, version.pin, lambda: sample, int8=True).model == "model.onnx"
