"""Fault injection: ingest killed with SIGKILL at chosen points, in a real process writing a real
Chroma store. Whatever the point, readers get one complete version (the old one before the
pointer switch, the new one after it) with exact citations, and the next ingest leaves nothing
behind. Fake vectors (the model is not the point), so it runs in seconds."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import textwrap
import time
from pathlib import Path

import pytest
from conftest import ROOT, FakeModels, fake_assistant

from tpm_assistant.config import Settings
from tpm_assistant.index import Index
from tpm_assistant.ingest import run_ingest
from tpm_assistant.store import Store


def guide(edition: int) -> str:
    """A guide long enough that writing a version takes several batches."""
    parts = [f"# Guide edition {edition}\n\nThis guide explains how project managers work.\n"]
    for section in range(12):
        parts.append(f"\n## Topic {section}\n")
        for n in range(25):
            changed = f" Edition {edition} adds this." if n == 3 else ""
            parts.append(f"\nPassage {section}-{n} explains step {n} of topic {section} for managers.{changed}\n")
    return "".join(parts)


# The child: a real ingest whose Store stops at one point (it writes a marker, then waits to be killed).
CHILD = textwrap.dedent(
    """
    import sys, time
    from pathlib import Path
    sys.path.insert(0, {tests!r})
    from conftest import FakeModels
    from tpm_assistant.config import Settings
    from tpm_assistant.ingest import run_ingest
    from tpm_assistant.store import Store

    point, marker = sys.argv[1], Path(sys.argv[2])

    def stop():
        marker.write_text("here")
        time.sleep(600)

    def before(name):
        original = getattr(Store, name)
        def wrapped(self, *args, **kwargs):
            stop()
        setattr(Store, name, wrapped)

    if point == "before any write":
        before("write_rows")
    elif point == "mid-write":
        original = Store.write_rows
        calls = []
        def write_rows(self, *args, **kwargs):
            calls.append(1)
            if len(calls) == 2:  # the first slice's rows are in, more to come
                stop()
            return original(self, *args, **kwargs)
        Store.write_rows = write_rows
    elif point == "after writing, before the switch":
        before("activate")
    elif point == "after the pointer switch":
        original_activate = Store.activate
        def activate(self, version):
            original_activate(self, version)
            stop()  # before the rows only the old version used are deleted
        Store.activate = activate
    settings = Settings(corpus_dir=Path(sys.argv[3]), store_dir=Path(sys.argv[4]), embedding_model="fake-model",
                        cache_dir=Path(sys.argv[5]))
    run_ingest(settings, models=FakeModels())
    """
)

POINTS = ["before any write", "mid-write", "after writing, before the switch", "after the pointer switch"]


def kill_ingest_at(point: str, settings: Settings, tmp_path: Path) -> None:
    marker = tmp_path / "reached"
    marker.unlink(missing_ok=True)
    script = CHILD.format(tests=str(ROOT / "tests"))
    child = subprocess.Popen([sys.executable, "-c", script, point, str(marker), str(settings.corpus_dir),
                              str(settings.store_dir), str(settings.cache_dir)], stderr=subprocess.PIPE)  # fmt: skip
    try:
        deadline = time.monotonic() + 60
        while not marker.exists():
            if child.poll() is not None:
                stderr = child.stderr.read().decode()[-2000:] if child.stderr else ""
                raise AssertionError(f"ingest ended before {point!r}: {stderr}")
            assert time.monotonic() < deadline, f"ingest did not reach {point!r}"
            time.sleep(0.02)
        os.kill(child.pid, signal.SIGKILL)
        assert child.wait(timeout=30) == -signal.SIGKILL
    finally:
        if child.poll() is None:
            child.kill()
            child.wait()


def fresh(settings: Settings) -> Store:
    """A store read afresh: another process (the killed ingest) wrote to it."""
    store = Store(settings)
    store._client = object()  # so that reset() clears this process's cached Chroma system
    store.reset()
    return store


def versions(settings: Settings) -> list[str]:
    """Every version folder in the store (complete or not)."""
    folder = settings.store_dir / "versions"
    return sorted(p.name for p in folder.iterdir()) if folder.is_dir() else []


def rows(settings: Settings) -> int:
    """Rows in the store's Chroma collection (every version's)."""
    store = fresh(settings)
    return int(store.rows(store.active().pin).count())


def assert_one_complete_version(settings: Settings, texts: dict[str, str]) -> str:
    """The pointed version is whole and holds one edition; answers cite it exactly. Returns which."""
    store = fresh(settings)
    version = store.active()
    assert version is not None
    index = Index(store.folder(version), version.name)
    assert len(index) == version.chunks
    stored = [row for page in store.read_rows(version) for row in zip(page[0], page[1], page[2], strict=True)]
    assert len(stored) == version.records == len({i for i, _, _ in stored})  # its rows, each once, in Chroma
    editions = {name for name, text in texts.items() if all(
        text[m["start"] : m["end"]] == doc for _, doc, m in stored) and all(
        text[c.start : c.end] == c.text for c in index.chunks)}  # fmt: skip
    assert len(editions) == 1, "rows of two editions in one version"
    edition = editions.pop()
    answer = fake_assistant(settings).ask("What does edition add to step 3?", k=5)
    assert answer.citations
    for c in answer.citations:
        assert texts[edition][c.start : c.end] == c.text
    return edition


def assert_nothing_left_behind(settings: Settings) -> None:
    store = Store(settings)
    active = store.active()
    assert versions(settings) == [active.name]
    assert rows(settings) == active.records  # no row of a killed or superseded ingest
    assert not store.pending_file.exists()
    assert len([p for p in (settings.store_dir / "chroma").iterdir() if p.is_dir()]) == 1
    assert not [p for p in settings.store_dir.rglob(".*") if p.is_file() or p.is_dir()]  # no half-written files


@pytest.mark.parametrize("point", POINTS)
def test_ingest_killed_at_any_point_leaves_one_complete_version_and_the_next_cleans_up(
    fake_settings: Settings, tmp_path: Path, point: str
):
    texts = {"old": guide(1), "new": guide(2)}
    source = fake_settings.corpus_dir / "guide.md"
    source.write_text(texts["old"])
    run_ingest(fake_settings, models=FakeModels())
    source.write_text(texts["new"])

    kill_ingest_at(point, fake_settings, tmp_path)
    if point == "mid-write":  # the new version really was half written: some of its rows, no folder
        store = Store(fake_settings)
        assert store.pending() and rows(fake_settings) > store.active().records
        assert [v for v in versions(fake_settings) if not v.startswith(".")] == [store.active().name]
    served = assert_one_complete_version(fake_settings, texts)
    assert served == ("new" if point == "after the pointer switch" else "old")

    report = run_ingest(fake_settings, models=FakeModels())  # the kernel released the dead writer's lock
    assert report.wrote == (served == "old")
    assert assert_one_complete_version(fake_settings, texts) == "new"
    assert_nothing_left_behind(fake_settings)
