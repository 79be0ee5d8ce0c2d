"""The scale-out store: a Chroma server on loopback, shared by ingest and by several readers."""

from __future__ import annotations

import shutil
import sys
from collections.abc import Iterator
from pathlib import Path

import numpy as np
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


def test_dropped_versions_leave_no_segment_folders_on_the_server(chroma_url: str, tmp_path: Path):
    """Issue 9, item 4 with a Chroma server: the server never frees a dropped collection's files,
    so every version's rows live in one collection, where an edit adds and deletes only the rows it
    changes: no segment folder per ingest."""
    from conftest import fake_assistant
    from test_faults import fresh, versions
    from test_ingest import _alternating_ingests

    settings = Settings(corpus_dir=tmp_path / "corpus", store_dir=tmp_path / "local", chroma_url=chroma_url,
                        embedding_model="fake-model", cache_dir=tmp_path / "cache")  # fmt: skip
    settings.corpus_dir.mkdir()
    data = tmp_path / "server-data"

    def folders() -> int:
        return sum(1 for p in data.iterdir() if p.is_dir())

    _alternating_ingests(settings, 2)
    after_two = sum(f.stat().st_size for f in data.rglob("*") if f.is_file())
    assert folders() == 1  # the rows' collection
    _alternating_ingests(settings, 8)
    after_ten = sum(f.stat().st_size for f in data.rglob("*") if f.is_file())
    assert folders() == 1
    # The server's write-ahead log is pruned in steps, so its database can grow a little before it
    # levels off (about 1.3 times after a dozen ingests, measured); one new segment per ingest
    # would grow without end.
    assert after_ten <= 1.5 * after_two
    store = fresh(settings)
    assert versions(settings) == [store.active().name]
    assert store.rows(store.active().pin).count() == store.active().records  # the active version's rows only
    assert fake_assistant(settings).ask("What does pay vary by?").citations


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
    assert not (reader.store_dir / "versions").exists()  # its files are built here from the rows
    version = Store(reader).active()
    assert version is not None and version.collection == report.version
    answer = Assistant(reader).ask("What does an entry-level TPM earn?")
    assert answer.answered and "$76,683" in answer.answer
    # One row per passage on the server; the passages' other views ride in it and come back as
    # they were (Chroma gives the passage's own vector back to within a rounding step).
    assert Store(writer).rows(version.pin).count() == report.chunks
    built, made = (np.fromfile(Store(s).folder(version) / "vectors.f32", np.float32).reshape(-1, 384) for s in (reader, writer))
    passage = np.load(Store(writer).folder(version) / "row_view.npy") == 0
    assert len(built) == len(made) > 2 * report.chunks
    assert np.array_equal(built[~passage], made[~passage]) and np.allclose(built[passage], made[passage], atol=1e-6)

    # An edit near the top moves every later passage in the file: a worker that builds the new
    # version from the server's rows must cite where the text is now, not where it was.
    guide = next(corpus.glob("*.txt"))
    text = guide.read_text(encoding="utf-8")
    cut = text.index("\n\n", 500)
    added = "\n\nA paragraph added near the top moves every later passage.\n"
    guide.write_text(text[:cut] + added + text[cut:], encoding="utf-8")
    assert run_ingest(writer).wrote
    moved = worker("reader-after-edit")
    edited = guide.read_text(encoding="utf-8")
    for question in ("What does an entry-level TPM earn?", "Which certifications help a TPM?"):
        for citation in Assistant(moved).ask(question).citations:
            assert edited[citation.start : citation.end] == citation.text, (question, citation.n)


def test_an_unreachable_server_is_a_clear_error(tmp_path: Path):
    settings = Settings(corpus_dir=tmp_path, store_dir=tmp_path / "cache", chroma_url=f"http://127.0.0.1:{free_port()}")
    with pytest.raises(StoreUnavailable, match="cannot reach the Chroma server"):
        Store(settings).active()


def test_during_a_chroma_server_outage_the_service_answers_from_memory_and_ready_says_so(tmp_path: Path, caplog):
    """Issue 9, item 7: /ready stays 200 (answers still come, from the version in memory) but
    reports that the server does not answer, instead of hiding the outage."""
    import time

    from conftest import FakeModels, fake_assistant
    from fastapi.testclient import TestClient
    from test_api import wait_ready

    from tpm_assistant.api import create_app

    chroma = str(Path(sys.executable).with_name("chroma"))
    server = loopback_server([chroma, "run", "--path", str(tmp_path / "server-data"), "--host", "127.0.0.1", "--port", "{port}"],
                             "/api/v2/heartbeat")  # fmt: skip
    url = server.__enter__()
    try:
        settings = Settings(corpus_dir=tmp_path / "corpus", store_dir=tmp_path / "local", chroma_url=url,
                            embedding_model="fake-model", cache_dir=tmp_path / "cache", reload_seconds=0.2)  # fmt: skip
        settings.corpus_dir.mkdir()
        (settings.corpus_dir / "a.md").write_text("# Pay\n\nEntry-level pay is $50,000 a year.\n")
        version = run_ingest(settings, models=FakeModels()).version
        with TestClient(create_app(settings, fake_assistant(settings))) as client:
            ready = wait_ready(client, 30).json()
            assert ready["store_reachable"] is True and ready["version"] == version and ready["store"] == url
            server.__exit__(None, None, None)  # the outage
            server = None
            time.sleep(0.5)  # a few looks at the pointer fail meanwhile
            response = client.get("/ready")
            assert response.status_code == 200
            assert response.json()["store_reachable"] is False and "does not answer" in response.json()["detail"]
            assert client.post("/ask", json={"question": "What is entry-level pay?"}).status_code == 200
    finally:
        if server is not None:
            server.__exit__(None, None, None)
    warnings = [r.getMessage() for r in caplog.records if r.name == "tpm_assistant" and r.levelname == "WARNING"]
    assert len(warnings) == 1 and "could not read the store pointer" in warnings[0], warnings
