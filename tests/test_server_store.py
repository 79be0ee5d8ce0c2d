"""The scale-out store: a Chroma server on loopback, shared by ingest and by several readers."""

from __future__ import annotations

import shutil
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest
from conftest import free_port, loopback_server

from tpm_assistant.assistant import Assistant
from tpm_assistant.config import Settings
from tpm_assistant.errors import StoreUnavailable
from tpm_assistant.ingest import run_ingest
from tpm_assistant.store import Store

pytestmark = pytest.mark.slow


@pytest.fixture
def chroma_url(tmp_path: Path) -> Iterator[str]:
    chroma = str(Path(sys.executable).with_name("chroma"))
    with loopback_server([chroma, "run", "--path", str(tmp_path / "server-data"), "--host", "127.0.0.1", "--port", "{port}"],
                         "/api/v2/heartbeat") as url:  # fmt: skip
        yield url


def test_ingest_into_a_chroma_server_and_answer_from_another_worker(chroma_url: str, real_store: Settings, tmp_path: Path):
    corpus = tmp_path / "corpus"
    shutil.copytree(real_store.corpus_dir, corpus)

    def worker(name: str) -> Settings:
        local = tmp_path / name  # each worker's own snapshot folder: the store itself is the server
        return Settings(corpus_dir=corpus, store_dir=local, chroma_url=chroma_url, cache_dir=real_store.cache_dir)

    writer = worker("writer")
    report = run_ingest(writer)
    assert report.wrote and report.chunks > 100
    assert run_ingest(writer).wrote is False  # idempotent against the server too

    reader = worker("reader")  # no snapshot here: it reads the version from the server
    assert not (reader.store_dir / "snapshots").exists()
    version = Store(reader).active()
    assert version is not None and version.collection == report.version
    answer = Assistant(reader).ask("What does an entry-level TPM earn?")
    assert answer.answered and "$76,683" in answer.answer


def test_an_unreachable_server_is_a_clear_error(tmp_path: Path):
    settings = Settings(corpus_dir=tmp_path, store_dir=tmp_path / "cache", chroma_url=f"http://127.0.0.1:{free_port()}")
    with pytest.raises(StoreUnavailable, match="cannot reach the Chroma server"):
        Store(settings).active()
