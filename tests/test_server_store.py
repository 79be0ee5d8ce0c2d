"""The scale-out store: a Chroma server on loopback, shared by ingest and by several readers."""

from __future__ import annotations

import shutil
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest

from tpm_assistant.assistant import Assistant
from tpm_assistant.config import Settings
from tpm_assistant.errors import StoreUnavailable
from tpm_assistant.ingest import run_ingest
from tpm_assistant.store import Store

pytestmark = pytest.mark.slow


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


@pytest.fixture
def chroma_url(tmp_path: Path) -> Iterator[str]:
    port = free_port()
    chroma = Path(sys.executable).with_name("chroma")
    server = subprocess.Popen(
        [str(chroma), "run", "--path", str(tmp_path / "server-data"), "--host", "127.0.0.1", "--port", str(port)],
        stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
    )  # fmt: skip
    url = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 60
        while True:
            try:
                if httpx.get(f"{url}/api/v2/heartbeat", timeout=1).status_code == 200:
                    break
            except httpx.HTTPError:
                pass
            assert server.poll() is None and time.monotonic() < deadline, "chroma server did not start"
            time.sleep(0.2)
        yield url
    finally:
        server.terminate()
        try:
            server.wait(timeout=20)
        except subprocess.TimeoutExpired:
            server.kill()


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
